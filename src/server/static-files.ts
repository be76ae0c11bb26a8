import { readFileSync, readdirSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
};

/**
 * Serves the web page's few files (plain HTML, CSS and JS: no build step). They are read once at
 * start-up; the directory is flat and small by design.
 */
export function registerStaticFiles(app: FastifyInstance, directory: string): void {
  for (const name of readdirSync(directory)) {
    const type = TYPES[extname(name)];
    if (!type) continue;
    const body = readFileSync(join(directory, name));
    const route = name === 'index.html' ? '/' : `/${name}`;
    app.get(route, { config: { public: true } }, async (_request, reply) => {
      return reply.type(type).header('cache-control', 'no-cache').send(body);
    });
  }
}
