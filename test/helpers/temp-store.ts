import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JobStore } from '../../src/jobs/store.js';

/** A test body run against a real job store (a SQLite file) in a fresh directory, removed afterwards. */
export function withStore(body: (store: JobStore) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keel-store-'));
    const store = new JobStore(dir);
    try {
      await body(store);
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  };
}
