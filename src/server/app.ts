import multipart from '@fastify/multipart';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import { isKeelError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import type { HeapCollector } from '../core/memory/heap-collector.js';
import type { MemoryMonitor } from '../core/memory/monitor.js';
import type { WorkerPool } from '../core/pool/pool.js';
import type { JobKind } from '../jobs/kind.js';
import type { JobRunner } from '../jobs/runner.js';
import type { JobRecord, JobStore } from '../jobs/store.js';
import type { ApiKeySet } from './auth.js';
import { JobRates, jobView, type JobView } from './job-view.js';
import type { KeelMetrics } from './metrics.js';
import { registerRequestProfiling } from './request-profiling.js';
import { registerJobRoutes } from './routes/jobs.js';
import { registerSystemRoutes } from './routes/system.js';
import { registerStaticFiles } from './static-files.js';

/** What workload routes get from the app: the one way a job is shown to callers. */
export interface SharedRouteTools {
  view(job: JobRecord): JobView;
}

export interface AppDeps {
  keys: ApiKeySet;
  store: JobStore;
  runner: JobRunner;
  kinds: JobKind[];
  monitor: MemoryMonitor;
  /** The server process's own old-garbage collector, shown in /memory-status. */
  heapCollector?: HeapCollector;
  pools: () => Array<WorkerPool<unknown, unknown>>;
  metrics: KeelMetrics;
  logger: Logger;
  uploadsDir: string;
  maxUploadBytes: number;
  /** Queued jobs beyond this get 429 with Retry-After. */
  maxQueuedJobs: number;
  webDir: string;
  version: string;
  startedAt: number;
  /** Routes of the workloads (deed uploads, email analysis), registered after the generic ones. */
  routes: Array<(app: FastifyInstance, shared: SharedRouteTools) => void>;
}

/** HTTP status for an error code, so every route maps failures the same way. */
export function statusForCode(code: string): number {
  switch (code) {
    case 'E_NO_API_KEY':
    case 'E_BAD_API_KEY':
      return 401;
    case 'E_NOT_FOUND':
      return 404;
    case 'E_TOO_LARGE':
    case 'FST_REQ_FILE_TOO_LARGE':
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 413;
    case 'E_QUEUE_FULL':
      return 429;
    case 'E_INTERNAL':
    case 'E_STORE':
      return 500;
    default:
      return code.startsWith('FST_') || code.startsWith('E_') ? 400 : 500;
  }
}

/** Clearer words for the limits fastify and its multipart parser enforce. */
const FRAMEWORK_MESSAGES: Record<string, string> = {
  FST_FILES_LIMIT: 'send one file per upload, in the field named "file"',
  FST_FIELDS_LIMIT: 'the upload has too many form fields',
  FST_PARTS_LIMIT: 'the upload has too many parts',
  FST_ERR_MAX_PARAM_LENGTH: 'a path parameter of the URL is too long (at most 100 characters)',
  FST_ERR_BAD_URL: 'the URL is not valid (a broken percent-encoding)',
};

/**
 * An error raised by fastify itself (a body, field or parameter limit, a malformed request), in Keel's
 * own codes, so clients see one scheme: E_TOO_LARGE for 413, E_BAD_REQUEST for other 4xx, else
 * E_INTERNAL.
 */
function frameworkError(error: FastifyError): { code: string; status: number; message: string } {
  const status = error.statusCode ?? statusForCode(error.code ?? 'E_INTERNAL');
  const code = status === 413 ? 'E_TOO_LARGE' : status >= 400 && status < 500 ? 'E_BAD_REQUEST' : 'E_INTERNAL';
  return { code, status, message: (error.code && FRAMEWORK_MESSAGES[error.code]) ?? error.message };
}

export function buildApp(deps: AppDeps): FastifyInstance {
  const sendError = (reply: FastifyReply, status: number, code: string, message: string): void => {
    if (status === 429) void reply.header('retry-after', '30');
    void reply.code(status).send({ error: { code, message } });
  };
  const app = Fastify({
    // Requests are logged by the profiling hooks (with memory); fastify's own logger stays off.
    logger: false,
    bodyLimit: 16 * 1024 ** 2,
    // Long uploads on slow links must not be cut off; the size limit bounds them instead.
    requestTimeout: 0,
    // Errors fastify meets while routing (a bad URL, an over-long path parameter) skip the error
    // handler below unless they are passed here.
    frameworkErrors: (error, _request, reply) => {
      const { code, status, message } = frameworkError(error);
      sendError(reply, status, code, message);
    },
  });
  void app.register(multipart, { limits: { fileSize: deps.maxUploadBytes, files: 1, fields: 20, fieldSize: 64 * 1024 } });
  registerRequestProfiling(app, deps.logger);

  app.setErrorHandler((error: FastifyError, _request, reply) => {
    const { code, status, message } = isKeelError(error) ? { code: error.code, status: statusForCode(error.code), message: error.message } : frameworkError(error);
    if (status >= 500) deps.logger.error({ err: error }, 'request failed');
    sendError(reply, status, code, message);
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send({ error: { code: 'E_NOT_FOUND', message: `no route for ${request.method} ${request.url.split('?')[0]}` } });
  });

  const kinds = new Map(deps.kinds.map((kind) => [kind.kind, kind]));
  const rates = new JobRates();
  const shared: SharedRouteTools = { view: (job) => jobView(job, kinds.get(job.kind), rates) };
  registerSystemRoutes(app, { monitor: deps.monitor, heapCollector: deps.heapCollector, pools: deps.pools, runner: deps.runner, metrics: deps.metrics, startedAt: deps.startedAt, version: deps.version });
  registerJobRoutes(app, { keys: deps.keys, store: deps.store, runner: deps.runner, kinds, rates, uploadsDir: deps.uploadsDir });
  registerStaticFiles(app, deps.webDir);
  for (const register of deps.routes) register(app, shared);
  return app;
}
