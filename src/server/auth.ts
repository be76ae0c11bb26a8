import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { KeelError } from '../core/errors.js';

/**
 * API keys. Every /v1 route needs one; a job belongs to the key that created it. Keys come from
 * KEEL_API_KEYS (comma-separated), a keys file (one per line), or, on a fresh install with neither,
 * a key generated on first start and kept in the data directory (mode 0600), the way Jupyter makes
 * a token: `npm start` then needs no configuration and prints a URL that carries the key.
 */

export interface ApiKeySet {
  /** sha256(key) -> owner id (a short hash: keys themselves are never stored with jobs). */
  readonly owners: Map<string, string>;
  /** The key generated or read from the data directory, when that is where keys came from. */
  readonly localKey: string | undefined;
  readonly source: 'env' | 'file' | 'data-dir';
}

const digest = (key: string) => createHash('sha256').update(key).digest('hex');

export function ownerIdForKey(key: string): string {
  return digest(key).slice(0, 16);
}

function fromList(keys: string[], source: ApiKeySet['source'], localKey?: string): ApiKeySet {
  const clean = keys.map((key) => key.trim()).filter((key) => key && !key.startsWith('#'));
  if (clean.length === 0) throw new KeelError('E_BAD_OPTION', `no API keys found in the ${source === 'env' ? 'KEEL_API_KEYS variable' : 'keys file'}`);
  return { owners: new Map(clean.map((key) => [digest(key), ownerIdForKey(key)])), localKey, source };
}

export function loadApiKeys(options: { dataDir: string; keysFile?: string; env?: NodeJS.ProcessEnv }): ApiKeySet {
  const env = options.env ?? process.env;
  if (env.KEEL_API_KEYS) return fromList(env.KEEL_API_KEYS.split(','), 'env');
  if (options.keysFile) {
    let text: string;
    try {
      text = readFileSync(options.keysFile, 'utf8');
    } catch (error) {
      throw new KeelError('E_BAD_OPTION', `cannot read the keys file ${options.keysFile}: ${(error as Error).message}`);
    }
    return fromList(text.split('\n'), 'file');
  }
  const keyPath = join(options.dataDir, 'api-key');
  let key: string;
  if (existsSync(keyPath)) {
    key = readFileSync(keyPath, 'utf8').trim();
  } else {
    key = randomBytes(24).toString('base64url');
    writeFileSync(keyPath, key + '\n', { mode: 0o600 });
  }
  return fromList([key], 'data-dir', key);
}

/**
 * The key a request presents: `Authorization: Bearer <key>`, `X-API-Key: <key>`, or `?key=` for
 * the two things a browser cannot add headers to (an EventSource and a download link).
 */
function presentedKey(request: FastifyRequest): string | undefined {
  const authorization = request.headers.authorization;
  if (authorization?.startsWith('Bearer ')) return authorization.slice(7).trim();
  const header = request.headers['x-api-key'];
  if (typeof header === 'string') return header.trim();
  const query = request.query as Record<string, unknown> | undefined;
  if (request.method === 'GET' && typeof query?.key === 'string') return query.key;
  return undefined;
}

/** Resolves the caller's owner id, or answers 401 and returns undefined. */
export function authenticate(keys: ApiKeySet, request: FastifyRequest, reply: FastifyReply): string | undefined {
  const key = presentedKey(request);
  if (key) {
    const presented = Buffer.from(digest(key), 'hex');
    for (const [known, owner] of keys.owners) {
      if (timingSafeEqual(presented, Buffer.from(known, 'hex'))) return owner;
    }
  }
  void reply
    .code(401)
    .header('www-authenticate', 'Bearer')
    .send({ error: { code: key ? 'E_BAD_API_KEY' : 'E_NO_API_KEY', message: key ? 'the API key is not valid' : 'an API key is required (Authorization: Bearer <key>)' } });
  return undefined;
}
