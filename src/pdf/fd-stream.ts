import { closeSync, readSync } from 'node:fs';

/**
 * The read callbacks behind a mupdf `Stream` over an open file descriptor. mupdf asks for bytes at
 * offsets as it needs them, so only the parts of the file being parsed ever enter the WASM heap
 * (opening by path or by buffer copies the whole file in).
 *
 * A JS exception thrown inside a callback would unwind through WASM frames and leave mupdf in an
 * undefined state, so read errors are recorded and reported as end-of-file; the page source checks
 * `ioError` after each mupdf call and turns it into a KeelError.
 */
export class FdStreamHandle {
  ioError: Error | undefined;
  private closed = false;

  constructor(
    private readonly fd: number,
    private readonly size: number,
  ) {}

  fileSize(): number {
    return this.size;
  }

  read(memory: Uint8Array, offset: number, length: number, position: number): number {
    if (this.closed || position >= this.size) return 0;
    try {
      return readSync(this.fd, memory, offset, Math.min(length, this.size - position), position);
    } catch (error) {
      this.ioError ??= error instanceof Error ? error : new Error(String(error));
      return 0;
    }
  }

  /** Called by mupdf when its last reference to the stream goes; also safe to call again ourselves. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      closeSync(this.fd);
    } catch {
      // Already closed: nothing to release.
    }
  }
}
