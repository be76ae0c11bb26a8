import type { FastifyInstance } from 'fastify';
import type { Logger } from '../core/log.js';
import { CachedTreeRssReader } from '../core/memory/proc.js';

const MiB = 1024 ** 2;

declare module 'fastify' {
  interface FastifyRequest {
    profileStart?: { at: bigint; treeRssBytes: number };
  }
}

/**
 * Memory profiling per request: each request's duration and process-tree RSS change are logged and
 * returned in a Server-Timing header, so a request that makes memory jump is visible at once.
 */
export function registerRequestProfiling(app: FastifyInstance, logger: Logger): void {
  const reader = new CachedTreeRssReader(process.pid);
  app.addHook('onRequest', async (request) => {
    request.profileStart = { at: process.hrtime.bigint(), treeRssBytes: reader.read() };
  });
  app.addHook('onSend', async (request, reply, payload) => {
    const start = request.profileStart;
    if (start) {
      const ms = Number(process.hrtime.bigint() - start.at) / 1e6;
      const deltaMb = (reader.read() - start.treeRssBytes) / MiB;
      reply.header('server-timing', `total;dur=${ms.toFixed(1)}, rss;desc="tree RSS change ${deltaMb >= 0 ? '+' : ''}${deltaMb.toFixed(1)} MB"`);
    }
    return payload;
  });
  app.addHook('onResponse', async (request, reply) => {
    const start = request.profileStart;
    if (!start) return;
    const ms = Number(process.hrtime.bigint() - start.at) / 1e6;
    const treeRssBytes = reader.read();
    // The path without its query: a key given as ?key= must never reach the logs.
    const path = request.url.split('?')[0];
    logger.info(
      {
        event: 'request',
        method: request.method,
        path,
        status: reply.statusCode,
        ms: Math.round(ms * 10) / 10,
        treeRssMb: Math.round(treeRssBytes / MiB),
        rssChangeMb: Math.round(((treeRssBytes - start.treeRssBytes) / MiB) * 10) / 10,
      },
      `${request.method} ${path} ${reply.statusCode} ${ms.toFixed(1)} ms`,
    );
  });
}
