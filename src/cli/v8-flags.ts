/**
 * V8 flags the `keel` process runs with. Its shebang (src/cli/main.ts) and `npm start` carry the
 * same list; whatever starts `keel serve` another way (the soak benchmark) passes these.
 *
 * A 4 MB semi-space: V8's young generation otherwise grows to 3 x 16 MB and stays resident. The
 * server and the CLI parents mostly coordinate (IPC, SQLite, the report), so collecting young
 * objects sooner costs them little: in the soak the server's median RSS fell from 144 to 113 MB.
 * Workers inherit it unless their pool sets its own (email workers use 8 MB).
 *
 * `--expose-gc`: the HeapCollector (src/core/memory/heap-collector.ts) collects the process's old
 * garbage when it has piled up, which V8 itself does only hours later in a slow, OCR-bound scan.
 */
export const KEEL_PROCESS_V8_FLAGS: readonly string[] = ['--max-semi-space-size=4', '--expose-gc'];
