/**
 * Lets Keel see, and bound, mupdf's WASM heap. mupdf's loader hands `globalThis.$libmupdf_wasm_Module`
 * to Emscripten, which keeps `HEAPU8` on that object up to date as memory grows. This module must be
 * evaluated before `mupdf` itself, so it must not import `mupdf` (page-source.ts imports it first).
 * If some other module loaded mupdf earlier, the heap size is simply unknown.
 *
 * The bound: a damaged or hostile PDF of a few KB can make mupdf allocate hundreds of MB (a mangled
 * object number of 7,004,274 makes its repair allocate a cross-reference table of 7 million entries:
 * the 3 KB test fixture memory-bomb.pdf takes a process to 540 MB RSS; found by mutating the fixtures). The heap, which never shrinks, then pushes its worker over the budget
 * before the pool's monitor can kill it, three times over as the task is retried. So mupdf's memory
 * may not grow past MUPDF_HEAP_LIMIT_BYTES: beyond it the allocation fails inside mupdf, the call
 * throws, and the page source reports E_TOO_LARGE. The largest heap the 41 dev deeds need, every page
 * rendered at 400 DPI, is 38 MB now that pages are drawn in bands (page-source.ts; 153 MB when each
 * page was drawn whole). With 192 MB a deed worker stays well
 * inside its hard limit (356 MB on the server's 512 MB plan): a page of 1.8 MB of text layer, the most the limit lets
 * mupdf extract, peaked the worker at 253 MB; with a 256 MB limit, 2.2 MB of text peaked it at 480 MB.
 */
interface EmscriptenModuleView {
  HEAPU8?: Uint8Array;
}

const holder = globalThis as { $libmupdf_wasm_Module?: EmscriptenModuleView };
const moduleObject: EmscriptenModuleView = (holder.$libmupdf_wasm_Module ??= {});

const DEFAULT_HEAP_LIMIT_MB = 192;

/**
 * KEEL_PDF_HEAP_LIMIT_MB changes the bound (whole MB, at least 16): higher for plats too large to
 * read within 192 MB on a machine with room, lower to test the fallbacks. Anything else keeps the default.
 */
function heapLimitMb(): number {
  const text = process.env.KEEL_PDF_HEAP_LIMIT_MB;
  const value = text === undefined ? NaN : Number(text);
  return Number.isInteger(value) && value >= 16 ? value : DEFAULT_HEAP_LIMIT_MB;
}

export const MUPDF_HEAP_LIMIT_BYTES = heapLimitMb() * 1024 ** 2;
const WASM_PAGE_BYTES = 65_536;

let refusedGrowth = false;

// Emscripten grows its memory through WebAssembly.Memory#grow and treats a throw as "no memory", so
// malloc returns NULL and mupdf raises an error. Only mupdf's memory (the one behind its HEAPU8) is
// bounded; any other WASM memory in the process grows as before.
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(deltaPages: number): number;
}
// The project's type libraries do not declare WebAssembly; Node 20 has it.
const memoryPrototype = (globalThis as unknown as { WebAssembly: { Memory: { prototype: WasmMemory } } }).WebAssembly.Memory.prototype;
const nativeGrow = memoryPrototype.grow;
memoryPrototype.grow = function grow(this: WasmMemory, deltaPages: number): number {
  const heap = moduleObject.HEAPU8;
  if (heap !== undefined && this.buffer === heap.buffer && this.buffer.byteLength + deltaPages * WASM_PAGE_BYTES > MUPDF_HEAP_LIMIT_BYTES) {
    refusedGrowth = true;
    throw new RangeError(`mupdf's heap may not grow past ${MUPDF_HEAP_LIMIT_BYTES} bytes`);
  }
  return nativeGrow.call(this, deltaPages);
};

/** Current size in bytes of mupdf's WASM linear memory (it only ever grows), or undefined if unknown. */
export function mupdfHeapBytes(): number | undefined {
  return moduleObject.HEAPU8?.byteLength;
}

/** Whether mupdf was refused memory since the last call (the flag is cleared by reading it). */
export function takeRefusedHeapGrowth(): boolean {
  const refused = refusedGrowth;
  refusedGrowth = false;
  return refused;
}
