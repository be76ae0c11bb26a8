import { createWriteStream, rmSync, type WriteStream } from 'node:fs';
import { resolve } from 'node:path';
import { KeelError } from '../core/errors.js';
import { inBatches } from '../core/text-batches.js';

/** Where a command writes its results: --out FILE, or stdout. Writes wait for the stream to drain. */
export class Output {
  private failed: Error | undefined;

  constructor(
    readonly stream: NodeJS.WritableStream,
    /** The file behind the stream, when it is one (not stdout). */
    readonly path?: string,
  ) {
    stream.on('error', (error: Error) => (this.failed = error));
  }

  get error(): Error | undefined {
    return this.failed;
  }

  /**
   * The reader went away before the end (`keel scan ... | head`): not a failure of the command, which
   * ends with exit 0 as other Unix tools do.
   */
  get closedByReader(): boolean {
    return (this.failed as NodeJS.ErrnoException | undefined)?.code === 'EPIPE';
  }

  async write(text: string): Promise<void> {
    if (this.failed) throw this.failed;
    if (!this.stream.write(text)) {
      await new Promise<void>((done) => {
        const finish = () => {
          this.stream.off('drain', finish);
          this.stream.off('error', finish);
          done();
        };
        this.stream.once('drain', finish);
        this.stream.once('error', finish);
      });
      if (this.failed) throw this.failed;
    }
  }

  /** Writes a report's many small pieces, gathered into fewer, larger writes. */
  async writeAll(pieces: Iterable<string>): Promise<void> {
    for (const batch of inBatches(pieces)) await this.write(batch);
  }

  async end(): Promise<void> {
    if (this.stream === process.stdout) return;
    const file = this.stream as WriteStream;
    await new Promise<void>((done, fail) => {
      file.end(() => done());
      file.once('error', fail);
    });
  }

  /** Closes the file and removes it: the command failed before writing a result. */
  async discard(): Promise<void> {
    if (this.path === undefined) return;
    await this.end().catch(() => undefined);
    rmSync(this.path, { force: true });
  }
}

/**
 * Opens --out before any work starts, so that a path that cannot be written is bad input at once,
 * not an error after an hour of OCR. Without a path, the output is stdout.
 */
export async function openOutput(path: string | undefined): Promise<Output> {
  if (!path) return new Output(process.stdout);
  const full = resolve(path);
  const stream = createWriteStream(full);
  await new Promise<void>((done, fail) => {
    stream.once('open', () => done());
    stream.once('error', (error) => fail(new KeelError('E_BAD_OPTION', `cannot write the output file ${path}: ${error.message}`)));
  });
  return new Output(stream, full);
}
