import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { KeelError } from '../core/errors.js';
import { isProcessAlive } from '../core/memory/proc.js';

/**
 * One server per data directory. The lock is what makes it safe, at start-up, to requeue every job
 * the store says is running: whoever was running them is dead. A lock left by a killed server (its
 * pid no longer alive) is taken over.
 */
export function lockDataDir(dataDir: string): () => void {
  const path = join(dataDir, 'keel.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o644);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => {
        try {
          if (readFileSync(path, 'utf8').trim() === String(process.pid)) unlinkSync(path);
        } catch {
          // Already gone.
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(path, 'utf8').trim());
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isProcessAlive(holder)) {
        throw new KeelError('E_DATA_DIR_LOCKED', `another Keel server (pid ${holder}) is using the data directory ${dataDir}`);
      }
      unlinkSync(path);
    }
  }
  throw new KeelError('E_DATA_DIR_LOCKED', `could not lock the data directory ${dataDir}`);
}
