/** A benchmark handler that leaks a fixed amount per task and does a little CPU work. */
import { createHash } from 'node:crypto';
import { defineHandler } from '../../src/core/pool/handler.js';

const leaked: Buffer[] = [];

export default defineHandler<{ leakBytes: number }, { leakBytes: number }, number, string>({
  init: (options) => options,
  handle(unit, { leakBytes }) {
    const block = Buffer.alloc(leakBytes, unit % 251);
    leaked.push(block);
    return createHash('sha256').update(block).digest('hex').slice(0, 8);
  },
});
