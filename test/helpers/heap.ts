import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

// A full garbage collection on demand, so a test can tell memory still held from garbage not yet collected.
setFlagsFromString('--expose-gc');
/** The full collection `node --expose-gc` exposes as `gc`, obtained inside a test process. */
export const gc = runInNewContext('gc') as () => void;

/** V8 heap in use after a full collection, in bytes. */
export function heapAfterGc(): number {
  gc();
  return process.memoryUsage().heapUsed;
}
