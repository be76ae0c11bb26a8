import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { KeelError } from '../core/errors.js';

/** Writes a command's result to --out (atomically enough: created fresh) or to stdout. */
export async function writeOutput(text: string, outPath: string | undefined): Promise<void> {
  if (!outPath) {
    if (!process.stdout.write(text)) await once(process.stdout, 'drain');
    return;
  }
  const stream = createWriteStream(outPath);
  stream.on('error', () => undefined);
  try {
    stream.end(text);
    await once(stream, 'finish');
  } catch (error) {
    throw new KeelError('E_BAD_OPTION', `cannot write ${outPath}: ${(error as Error).message}`);
  }
}
