/**
 * The handler behind `keel demo`: a stand-in for a heavy page that also leaks, as OCR engines do
 * (a WASM heap never shrinks). It shows recycling keep the tree RSS flat.
 */
import { createHash } from 'node:crypto';
import { defineHandler } from '../core/pool/handler.js';

const leaked: Buffer[] = [];

export default defineHandler<{ leakBytes: number }, { leakBytes: number }, { unit: number }, { unit: number; digest: string }>({
  init: (options) => options,
  handle({ unit }, { leakBytes }) {
    const data = Buffer.alloc(leakBytes, unit % 251);
    leaked.push(data);
    let digest = createHash('sha256').update(data).digest('hex');
    for (let i = 0; i < 200; i++) digest = createHash('sha256').update(digest).digest('hex');
    return { unit, digest: digest.slice(0, 12) };
  },
});
