import type { FastifyInstance } from 'fastify';
import { parseScanOptions } from '../../deeds/pipeline-options.js';
import { registerUploadJobRoute, type UploadJobDeps } from '../upload-job.js';

/**
 * `POST /v1/deeds`: a multipart upload (`file`, plus `mode`, `policy`, `ocr` and optionally
 * `confidence_threshold`, `early_stop`) becomes a queued deed-scan job: 202 with the job.
 */
export function registerDeedRoutes(app: FastifyInstance, deps: UploadJobDeps): void {
  registerUploadJobRoute(app, '/v1/deeds', 'deed-scan', deps, (upload) => ({ ...parseScanOptions(upload.fields) }));
}
