import { join, resolve } from 'node:path';
import { KeelError } from '../../core/errors.js';
import { startService } from '../../server/serve.js';
import { oneOf, parseCommandLine, positiveNumber, type Command } from '../command.js';

export const serveCommand: Command = {
  name: 'serve',
  summary: 'run the service: HTTP API, durable jobs that resume after a restart, and the web page',
  usage: `
Usage: keel serve [options]

Starts the Keel service on 127.0.0.1. Jobs live in a SQLite store in the data directory and
resume where they stopped if the server is killed. On first start an API key is created in the
data directory and the page's URL is printed with it (like Jupyter's token URL).

Options:
  --host HOST            address to bind (default 127.0.0.1; KEEL_HOST)
  --port PORT            port (default 8080; KEEL_PORT; 0 picks a free one)
  --data-dir DIR         jobs, uploads, OCR cache and the API key (default ./keel-data; KEEL_DATA_DIR)
  --memory-budget SIZE   e.g. 512MB (default: KEEL_MEMORY_BUDGET, cgroup limit, 512MB)
  --keys-file FILE       API keys, one per line (default: KEEL_API_KEYS, else a key in the data dir)
  --max-upload-mb N      largest accepted upload (default 1024)
  --max-queued-jobs N    queued jobs before new ones get 429 (default 100)
  --stall-timeout-s N    fail a job that finishes no page for N seconds (default 600)
  --log-format FORMAT    text (default) or json
`,
  async run(argv) {
    const { values } = parseCommandLine(
      argv,
      {
        host: { type: 'string' },
        port: { type: 'string' },
        'data-dir': { type: 'string' },
        'memory-budget': { type: 'string' },
        'keys-file': { type: 'string' },
        'max-upload-mb': { type: 'string' },
        'max-queued-jobs': { type: 'string' },
        'stall-timeout-s': { type: 'string' },
        'log-format': { type: 'string' },
      },
      false,
    );
    const portText = values.port ?? process.env.KEEL_PORT ?? '8080';
    const port = Number(portText);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new KeelError('E_USAGE', `--port must be a port number (got "${portText}")`);
    const dataDir = values['data-dir'] ?? process.env.KEEL_DATA_DIR ?? './keel-data';
    const service = await startService({
      host: values.host ?? process.env.KEEL_HOST ?? '127.0.0.1',
      port,
      dataDir,
      memoryBudget: values['memory-budget'],
      keysFile: values['keys-file'],
      maxUploadBytes: Math.round(positiveNumber('max-upload-mb', values['max-upload-mb'], 1024)! * 1024 ** 2),
      maxQueuedJobs: Math.floor(positiveNumber('max-queued-jobs', values['max-queued-jobs'], 100)!),
      stallTimeoutMs: positiveNumber('stall-timeout-s', values['stall-timeout-s'], 600)! * 1000,
      logFormat: oneOf('log-format', values['log-format'], ['text', 'json'] as const, 'text'),
      poolIdleMs: 30_000,
    });
    if (service.pageUrl) {
      const keyFile = join(resolve(dataDir), 'api-key');
      process.stdout.write(`\n    Open Keel in your browser:\n\n        ${service.pageUrl}\n\n    API clients send the key from ${keyFile} as "Authorization: Bearer <key>".\n\n`);
    } else {
      process.stdout.write(`\n    Keel is running at ${service.url} (API keys from ${process.env.KEEL_API_KEYS ? 'KEEL_API_KEYS' : 'the keys file'})\n\n`);
    }
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    process.stdout.write('shutting down: running jobs go back to the queue and resume on the next start\n');
    await service.close();
    return 0;
  },
};
