import type { FastifyInstance } from 'fastify';
import { KeelError } from '../core/errors.js';
import type { JobRunner } from '../jobs/runner.js';
import type { JobRecord, JobStore } from '../jobs/store.js';
import { authenticate, type ApiKeySet } from './auth.js';
import { discardUpload, receiveUpload, type ReceivedUpload } from './upload.js';

export interface UploadJobDeps {
  keys: ApiKeySet;
  store: JobStore;
  runner: JobRunner;
  uploadsDir: string;
  maxUploadBytes: number;
  maxQueuedJobs: number;
  /** The app's job view (`shared.view` given to route registrars). */
  view(job: JobRecord): unknown;
}

/** Refuses new work while the queue is full: a 429 with Retry-After, never an out-of-memory. */
export function assertQueueHasRoom(store: JobStore, maxQueuedJobs: number): void {
  const queued = store.countByStatus().queued ?? 0;
  if (queued >= maxQueuedJobs) {
    throw new KeelError('E_QUEUE_FULL', `${queued} jobs are already waiting; try again later`, { details: { queued } });
  }
}

/**
 * A route that turns a multipart upload into a queued job of `kind`: key check, queue check, the
 * file streamed to disk under the size limit, its options validated by `optionsFor` (which throws
 * a coded error for bad input; the upload is then removed), and 202 with the job.
 */
export function registerUploadJobRoute(
  app: FastifyInstance,
  path: string,
  kind: string,
  deps: UploadJobDeps,
  optionsFor: (upload: ReceivedUpload) => Record<string, unknown>,
): void {
  app.post(path, async (request, reply) => {
    const owner = authenticate(deps.keys, request, reply);
    if (!owner) return reply;
    assertQueueHasRoom(deps.store, deps.maxQueuedJobs);
    const upload = await receiveUpload(request, deps.uploadsDir, deps.maxUploadBytes);
    let options: Record<string, unknown>;
    try {
      options = optionsFor(upload);
      // Again now that the upload is in: uploads received side by side all passed the first check.
      assertQueueHasRoom(deps.store, deps.maxQueuedJobs);
    } catch (error) {
      discardUpload(upload);
      throw error;
    }
    const job = deps.store.createJob({ id: upload.jobId, owner, kind, options, inputPath: upload.path, inputName: upload.originalName, inputBytes: upload.bytes });
    deps.runner.wake();
    return reply.code(202).header('location', `/v1/jobs/${job.id}`).send(deps.view(job));
  });
}
