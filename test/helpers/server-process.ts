import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './shared.js';

/** A real `keel serve` child process on 127.0.0.1, for tests that kill it and start it again. */
export interface ServerProcess {
  url: string;
  child: ChildProcess;
  dataDir: string;
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export const cliPath = join(repoRoot, 'dist', 'src', 'cli', 'main.js');

export function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'keel-serve-'));
}

export async function startServer(options: { dataDir?: string; args?: string[]; env?: NodeJS.ProcessEnv; nodeFlags?: readonly string[] } = {}): Promise<ServerProcess> {
  // A data directory made here is removed at stop; one passed in outlives the server (restart tests).
  const ownsDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? tempDataDir();
  const child = spawn(process.execPath, [...(options.nodeFlags ?? []), cliPath, 'serve', '--port', '0', '--data-dir', dataDir, ...(options.args ?? [])], {
    env: { ...process.env, KEEL_API_KEYS: 'key-alice,key-bob', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  // KEEL_TEST_SERVER_LOG=FILE keeps every test server's output there, for debugging a failure.
  const log = process.env.KEEL_TEST_SERVER_LOG;
  const keep = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    if (log) appendFileSync(log, chunk);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 20_000);
    const onData = () => {
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
  return {
    url,
    child,
    dataDir,
    output: () => output,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill(signal);
        await exited;
      }
      if (ownsDataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** fetch with the API key. */
export function api(url: string, key: string | undefined, path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (key) headers.set('authorization', `Bearer ${key}`);
  return fetch(url + path, { ...init, headers });
}

export async function uploadDeed(url: string, key: string, file: string, fields: Record<string, string> = {}): Promise<Response> {
  const { readFileSync } = await import('node:fs');
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.set(name, value);
  form.set('file', new Blob([readFileSync(file)], { type: 'application/pdf' }), file.split('/').pop());
  return api(url, key, '/v1/deeds', { method: 'POST', body: form });
}

export async function waitForJob(url: string, key: string, id: string, predicate: (job: any) => boolean, timeoutMs = 120_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await api(url, key, `/v1/jobs/${id}`);
    const job = await response.json();
    if (predicate(job)) return job;
    if (Date.now() > deadline) throw new Error(`job ${id} did not reach the expected state: ${JSON.stringify(job)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A response's JSON body, untyped on purpose: tests assert on its fields. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function json(response: Response | Promise<Response>): Promise<any> {
  return (await response).json();
}
