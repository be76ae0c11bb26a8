import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { JobKind } from '../../jobs/kind.js';
import type { JobRunner } from '../../jobs/runner.js';
import type { JobRecord, JobStore } from '../../jobs/store.js';
import { authenticate, type ApiKeySet } from '../auth.js';
import { jobView, type JobRates } from '../job-view.js';

export interface JobRoutesDeps {
  keys: ApiKeySet;
  store: JobStore;
  runner: JobRunner;
  kinds: Map<string, JobKind>;
  rates: JobRates;
  uploadsDir: string;
}

const TERMINAL = new Set(['done', 'failed', 'cancelled']);
const SSE_MIN_INTERVAL_MS = 250;
const SSE_HEARTBEAT_MS = 15_000;

function notFound(reply: FastifyReply) {
  return reply.code(404).send({ error: { code: 'E_NOT_FOUND', message: 'no such job' } });
}

export function registerJobRoutes(app: FastifyInstance, deps: JobRoutesDeps): void {
  const { keys, store, runner, kinds, rates } = deps;
  const view = (job: JobRecord) => jobView(job, kinds.get(job.kind), rates);
  runner.on('update', (job) => rates.observe(job));

  /** The caller's job, or a 401/404 already sent. Another key's job is a 404: its existence is private. */
  function ownedJob(request: Parameters<typeof authenticate>[1], reply: FastifyReply, id: string): JobRecord | undefined {
    const owner = authenticate(keys, request, reply);
    if (!owner) return undefined;
    const job = store.getJob(id);
    if (!job || job.owner !== owner) {
      void notFound(reply);
      return undefined;
    }
    return job;
  }

  app.get('/v1/jobs', async (request, reply) => {
    const owner = authenticate(keys, request, reply);
    if (!owner) return reply;
    return { jobs: store.listJobs(owner).map(view) };
  });

  app.get<{ Params: { id: string } }>('/v1/jobs/:id', async (request, reply) => {
    const job = ownedJob(request, reply, request.params.id);
    return job ? view(job) : reply;
  });

  app.get<{ Params: { id: string }; Querystring: { format?: string } }>('/v1/jobs/:id/result', async (request, reply) => {
    const job = ownedJob(request, reply, request.params.id);
    if (!job) return reply;
    const kind = kinds.get(job.kind);
    const format = request.query.format ?? 'json';
    if (!kind || !kind.formats.includes(format)) {
      return reply.code(400).send({ error: { code: 'E_BAD_FORMAT', message: `format must be one of ${kind?.formats.join(', ') ?? 'json'}` } });
    }
    if (job.status !== 'done') {
      const error = job.status === 'failed' || job.status === 'cancelled'
        ? { code: job.errorCode ?? 'E_FAILED', message: job.errorMessage ?? `the job ${job.status}` }
        : { code: 'E_NOT_READY', message: `the job is ${job.status}; its result is ready when it is done` };
      return reply.code(409).send({ error, job: view(job) });
    }
    const rendered = kind.renderResult(job, store, format);
    if (rendered.filename) reply.header('content-disposition', `attachment; filename="${rendered.filename.replace(/"/g, '')}"`);
    return reply.type(rendered.contentType).send(rendered.body);
  });

  app.delete<{ Params: { id: string } }>('/v1/jobs/:id', async (request, reply) => {
    const job = ownedJob(request, reply, request.params.id);
    if (!job) return reply;
    if (!TERMINAL.has(job.status)) runner.cancel(job.id);
    store.deleteJob(job.id);
    if (job.inputPath && dirname(job.inputPath).startsWith(deps.uploadsDir)) rmSync(dirname(job.inputPath), { recursive: true, force: true });
    return { id: job.id, deleted: true };
  });

  // Server-sent events: a snapshot whenever the job changes (at most four a second), ending with
  // its final state. Event ids are the job's version, so a client reconnecting with Last-Event-ID
  // gets the current state only if it changed meanwhile.
  app.get<{ Params: { id: string } }>('/v1/jobs/:id/events', async (request, reply) => {
    const job = ownedJob(request, reply, request.params.id);
    if (!job) return reply;
    const lastEventId = Number(request.headers['last-event-id'] ?? -1);
    let lastSent = Number.isFinite(lastEventId) ? lastEventId : -1;
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    let closed = false;
    let pending: JobRecord | undefined;
    let lastWriteAt = 0;
    let flushTimer: NodeJS.Timeout | undefined;

    const close = () => {
      if (closed) return;
      closed = true;
      runner.off('update', onUpdate);
      clearInterval(heartbeat);
      if (flushTimer) clearTimeout(flushTimer);
      raw.end();
    };
    const write = (current: JobRecord) => {
      if (closed) return;
      if (current.version <= lastSent) {
        // Already seen by this client; a finished job has nothing more to say.
        if (TERMINAL.has(current.status)) close();
        return;
      }
      lastSent = current.version;
      lastWriteAt = Date.now();
      const event = TERMINAL.has(current.status) ? current.status : 'progress';
      raw.write(`id: ${current.version}\nevent: ${event}\ndata: ${JSON.stringify(view(current))}\n\n`);
      if (TERMINAL.has(current.status)) close();
    };
    const flush = () => {
      flushTimer = undefined;
      if (pending) write(pending);
      pending = undefined;
    };
    function onUpdate(updated: JobRecord) {
      if (updated.id !== job!.id) return;
      if (TERMINAL.has(updated.status) || Date.now() - lastWriteAt >= SSE_MIN_INTERVAL_MS) {
        pending = undefined;
        write(updated);
      } else {
        pending = updated;
        flushTimer ??= setTimeout(flush, SSE_MIN_INTERVAL_MS - (Date.now() - lastWriteAt));
      }
    }
    const heartbeat = setInterval(() => raw.write(': ping\n\n'), SSE_HEARTBEAT_MS);
    runner.on('update', onUpdate);
    request.raw.on('close', close);
    raw.write('retry: 2000\n\n');
    write(store.getJob(job.id) ?? job);
  });
}
