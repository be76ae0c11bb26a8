/**
 * Lets Keel see the size of mupdf's WASM heap. mupdf's loader hands `globalThis.$libmupdf_wasm_Module`
 * to Emscripten, which keeps `HEAPU8` on that object up to date as memory grows. This module must be
 * evaluated before `mupdf` itself, so it must not import `mupdf` (page-source.ts imports it first).
 * If some other module loaded mupdf earlier, the heap size is simply unknown.
 */
interface EmscriptenModuleView {
  HEAPU8?: Uint8Array;
}

const holder = globalThis as { $libmupdf_wasm_Module?: EmscriptenModuleView };
const moduleObject: EmscriptenModuleView = (holder.$libmupdf_wasm_Module ??= {});

/** Current size in bytes of mupdf's WASM linear memory (it only ever grows), or undefined if unknown. */
export function mupdfHeapBytes(): number | undefined {
  return moduleObject.HEAPU8?.byteLength;
}
