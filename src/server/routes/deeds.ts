import type { FastifyInstance } from 'fastify';
import { KeelError } from '../../core/errors.js';
import { parseScanOptions } from '../../deeds/pipeline-options.js';
import type { JobRunner } from '../../jobs/runner.js';
import type { JobRecord, JobStore } from '../../jobs/store.js';
import { authenticate, type ApiKeySet } from '../auth.js';
import { discardUpload, receiveUpload } from '../upload.js';

export interface DeedRoutesDeps {
  keys: ApiKeySet;
  store: JobStore;
  runner: JobRunner;
  uploadsDir: string;
  maxUploadBytes: number;
  maxQueuedJobs: number;
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
 * `POST /v1/deeds`: a multipart upload (`file`, plus `mode`, `policy`, `ocr` and optionally
 * `confidence_threshold`, `early_stop`) becomes a queued deed-scan job: 202 with the job.
 */
export function registerDeedRoutes(app: FastifyInstance, deps: DeedRoutesDeps): void {
  app.post('/v1/deeds', async (request, reply) => {
    const owner = authenticate(deps.keys, request, reply);
    if (!owner) return reply;
    assertQueueHasRoom(deps.store, deps.maxQueuedJobs);
    const upload = await receiveUpload(request, deps.uploadsDir, deps.maxUploadBytes);
    let options;
    try {
      options = parseScanOptions(upload.fields);
    } catch (error) {
      discardUpload(upload);
      throw error;
    }
    const job = deps.store.createJob({
      id: upload.jobId,
      owner,
      kind: 'deed-scan',
      options: { ...options },
      inputPath: upload.path,
      inputName: upload.originalName,
      inputBytes: upload.bytes,
    });
    deps.runner.wake();
    return reply.code(202).header('location', `/v1/jobs/${job.id}`).send(deps.view(job));
  });
}
