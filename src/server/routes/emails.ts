import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isKeelError, KeelError } from '../../core/errors.js';
import { PoolErrorCode } from '../../core/pool/errors.js';
import { InlineEmailRunner, PoolEmailRunner, type EmailBatchRunner, type EmailTaskPool, type Isolation } from '../../email/batch-runner.js';
import { runBatchStream } from '../../email/batch-stream.js';
import type { EmailTaskItem } from '../../email/batch.js';
import { DEFAULT_BATCH_SIZE, parseEmailJobOptions } from '../../email/pipeline-options.js';
import { EMAIL_JOB_KIND } from '../../email/pipeline.js';
import { shallowJsonMessage } from '../../email/json-input.js';
import { fileLooksLikeMail } from '../../email/sniff.js';
import type { AnalysisResult } from '../../email/types.js';
import { authenticate } from '../auth.js';
import { registerUploadJobRoute, type UploadJobDeps } from '../upload-job.js';

const MiB = 1024 ** 2;

/** Most messages one synchronous request may carry: beyond it, a mailbox upload (a job) is the way. */
export const ANALYZE_MAX_MESSAGES = 100;
/** Most bytes one synchronous request may carry (JSON or one raw message). */
export const ANALYZE_MAX_BYTES = 4 * MiB;

export interface EmailRoutesDeps extends UploadJobDeps {
  /** The email pool: synchronous analyses run on its workers, never in the server process. */
  pool: EmailTaskPool;
  /** Batches in flight for one request (`planEmailPool(...).concurrency`). */
  concurrency: number;
  batchSize?: number;
  /** 'inline' runs synchronous analyses in the server process instead (no isolation; for small setups). */
  isolation?: Isolation;
}

const TOO_LARGE_MESSAGE =
  `POST /v1/emails/analyze takes at most ${ANALYZE_MAX_MESSAGES} messages and ${ANALYZE_MAX_BYTES / MiB} MB per request; ` +
  'for more, upload the mailbox (an mbox file or one .eml) to POST /v1/emails: it becomes a job with progress and a downloadable result';

function tooLarge(detail: string): KeelError {
  return new KeelError('E_TOO_LARGE', `${detail}. ${TOO_LARGE_MESSAGE}`, { details: { maxMessages: ANALYZE_MAX_MESSAGES, maxBytes: ANALYZE_MAX_BYTES } });
}

/** The request body as task items: a JSON array or object of {subject, from, body, ...}, or raw RFC 822 bytes. */
function itemsFromBody(body: unknown): { items: EmailTaskItem[]; raw: boolean } {
  if (Buffer.isBuffer(body)) {
    if (body.length === 0) throw new KeelError('E_EMPTY_INPUT', 'the request body is empty: send a raw RFC 822 message or a JSON array of {subject, from, body}');
    return { items: [{ id: 'message', raw: body }], raw: true };
  }
  if (body === undefined || body === null) {
    throw new KeelError('E_EMPTY_INPUT', 'send a JSON array (or one object) of {subject, from, body, date?, headers?}, or a raw message as message/rfc822');
  }
  const list = Array.isArray(body) ? body : [body];
  if (list.length === 0) throw new KeelError('E_EMPTY_INPUT', 'the array holds no messages');
  if (list.length > ANALYZE_MAX_MESSAGES) throw tooLarge(`the request holds ${list.length} messages`);
  const items = list.map((json, index): EmailTaskItem => {
    const own = (json as { id?: unknown } | null)?.id;
    const id = typeof own === 'string' && own.length > 0 && own.length <= 500 ? own : String(index);
    return { id, json: shallowJsonMessage(json) };
  });
  return { items, raw: false };
}

/** Aborted when the caller goes away before its answer is sent: its batches leave the pool's queue. */
function abortOnDisconnect(request: FastifyRequest, reply: FastifyReply): AbortController {
  const controller = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) controller.abort(new KeelError('E_ABORTED', 'the client went away'));
  });
  request.raw.once('aborted', () => controller.abort(new KeelError('E_ABORTED', 'the client went away')));
  return controller;
}

/**
 * Email routes:
 * - `POST /v1/emails/analyze`: up to 100 messages (JSON) or one raw RFC 822 message
 *   (message/rfc822 or text/plain), at most 4 MB, answered synchronously with one result per
 *   message, in order. The work runs on the email pool's workers.
 * - `POST /v1/emails`: a multipart upload (`file`: an mbox file or one .eml; optional fields
 *   `reference_date`, `max_text_chars`, `include_numbers`, `batch_size`) becomes a queued
 *   email-analysis job: 202 with the job; progress, result and cancel through /v1/jobs/:id.
 */
export function registerEmailRoutes(app: FastifyInstance, deps: EmailRoutesDeps): void {
  const batchRunner: EmailBatchRunner = deps.isolation === 'inline' ? new InlineEmailRunner() : new PoolEmailRunner(deps.pool);
  const batchSize = deps.batchSize ?? DEFAULT_BATCH_SIZE;

  // A scope of their own, so the raw-message body parsers and the size message apply here only.
  void app.register(async (scope) => {
    scope.removeContentTypeParser('text/plain');
    scope.addContentTypeParser(['message/rfc822', 'text/plain'], { parseAs: 'buffer', bodyLimit: ANALYZE_MAX_BYTES }, (_request, body, done) => done(null, body));
    scope.setErrorHandler((error: FastifyError) => {
      // Rethrown errors reach the app's handler, which maps codes to statuses the same way for every route.
      if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') throw tooLarge('the request body is too large');
      throw error;
    });

    scope.post('/v1/emails/analyze', { bodyLimit: ANALYZE_MAX_BYTES }, async (request, reply) => {
      const owner = authenticate(deps.keys, request, reply);
      if (!owner) return reply;
      const { items, raw } = itemsFromBody(request.body);
      const controller = abortOnDisconnect(request, reply);
      const results: AnalysisResult[] = [];
      try {
        await runBatchStream<EmailTaskItem, AnalysisResult>({
          source: items,
          batchSize,
          concurrency: deps.concurrency,
          signal: controller.signal,
          execute: (batch, signal) => batchRunner.run({ items: batch }, { signal }),
          onResult: (_item, result) => void results.push(result),
        });
      } catch (error) {
        if (isKeelError(error) && (error.code === PoolErrorCode.closed || error.code === PoolErrorCode.workerInit)) {
          return reply.code(503).send({ error: { code: 'E_UNAVAILABLE', message: `the email workers are not available: ${error.message}` } });
        }
        throw error;
      }
      // A raw message is known by its Message-ID when it has one.
      if (raw && results[0]?.ok && results[0].messageId) results[0].id = results[0].messageId;
      const ok = results.filter((result) => result.ok).length;
      return { count: results.length, ok, failed: results.length - ok, results };
    });

    registerUploadJobRoute(scope, '/v1/emails', EMAIL_JOB_KIND, deps, (upload) => {
      const options = parseEmailJobOptions(upload.fields);
      if (!fileLooksLikeMail(upload.path)) {
        throw new KeelError('E_NOT_MAIL', `${upload.originalName} does not look like mail: send an mbox file or a single RFC 822 message (.eml)`);
      }
      return { ...options };
    });
  });
}
