/**
 * Entry point of the tesseract.js worker thread (passed as `workerPath`), wrapping tesseract.js's own
 * worker script with two guards:
 * - `fetch` is disabled before that script loads (it captures `fetch` at load time). Keel runs
 *   offline, so an attempt to download language data fails at once with a clear message instead of
 *   hanging on a network that is not there.
 * - when start-up fails (language data, initialisation), tesseract.js never hands the worker back,
 *   so nobody could terminate it and the idle thread would keep the process alive: it ends itself.
 *   Its `initialize` also sends "resolve" after "reject" for the same job, which crashes the main
 *   thread (the promise is already gone), so a second answer to a rejected job is dropped.
 */
import { createRequire } from 'node:module';
import { parentPort } from 'node:worker_threads';

const offlineFetch = async (input: unknown): Promise<never> => {
  throw new Error(`Keel runs OCR offline, but tesseract.js tried to fetch ${String(input)}; set langPath to a local folder`);
};
(globalThis as { fetch: unknown }).fetch = offlineFetch;

const STARTUP_ACTIONS = new Set(['load', 'loadLanguage', 'initialize']);
if (parentPort) {
  const port = parentPort;
  const post = port.postMessage.bind(port);
  const rejected = new Set<string>();
  port.postMessage = (packet: { status?: string; action?: string; jobId?: string }, ...rest: never[]) => {
    const job = `${packet?.action}-${packet?.jobId}`;
    if (rejected.has(job)) return;
    if (packet?.status === 'reject') rejected.add(job);
    post(packet, ...rest);
    // process.exit() in a worker thread ends only this thread; the delay lets the rejection arrive first.
    if (packet?.status === 'reject' && STARTUP_ACTIONS.has(packet.action ?? '')) setTimeout(() => process.exit(70), 100);
  };
}

createRequire(import.meta.url)('tesseract.js/src/worker-script/node/index.js');
