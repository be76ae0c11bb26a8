/**
 * The email worker: runs inside a pool worker process. It loads the wink model once, when the
 * process starts (so no batch pays for it, and a prewarmed successor is ready before it is needed),
 * then analyses one batch of messages per task.
 *
 * wink's heap grows with the vocabulary it meets and never shrinks; the pool recycles the process
 * after a number of batches or above its soft RSS limit, and a fresh one loads the model again.
 */
import { defineHandler } from '../core/pool/handler.js';
import { analyzeBatch } from './analyze-batch.js';
import type { EmailBatch } from './batch.js';
import { installCharsetFallback } from './charset.js';
import { getNlp } from './nlp.js';
import type { EmailOptions } from './options.js';
import type { AnalysisResult } from './types.js';

export interface EmailHandlerOptions {
  /** Defaults for every batch this worker serves (a batch's own options override them). */
  email?: Partial<EmailOptions>;
}

const HEARTBEAT_EVERY_MS = 1000;

interface State {
  defaults: Partial<EmailOptions> | undefined;
}

export default defineHandler<EmailHandlerOptions | undefined, State, EmailBatch, AnalysisResult[]>({
  init(options) {
    getNlp();
    installCharsetFallback();
    return { defaults: options?.email };
  },
  handle(batch, state, context) {
    // Heartbeats between messages: the pool's silence timeout then bounds one message, not a
    // batch. At most one a second, so they cost the parent nothing on a fast stream.
    let last = Date.now();
    return analyzeBatch(batch, state.defaults, () => {
      const now = Date.now();
      if (now - last >= HEARTBEAT_EVERY_MS) {
        last = now;
        context.heartbeat();
      }
    });
  },
});
