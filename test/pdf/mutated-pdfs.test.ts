/**
 * Bad input, fuzz-style: the committed fixtures with bytes cut, flipped, zeroed or renumbered, opened
 * and read through the page source as the deed worker does. Every call must either work or fail with
 * one of the documented codes, and mupdf's heap must stay under its limit whatever the file says.
 * The mutations come from a seeded generator, so a failure names a file that can be made again.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { isKeelError } from '../../src/core/errors.js';
import { MUPDF_HEAP_LIMIT_BYTES } from '../../src/pdf/mupdf-runtime.js';
import { mupdfHeapBytes, openPdf } from '../../src/pdf/page-source.js';
import { fixturePath } from '../fixtures/paths.js';

const scratch = mkdtempSync(join(tmpdir(), 'keel-mutated-pdf-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const DOCUMENTED = new Set(['E_DAMAGED', 'E_NO_PAGES', 'E_TOO_LARGE', 'E_NOT_PDF', 'E_ENCRYPTED']);

function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

type Mutation = 'truncate' | 'flip' | 'zero' | 'numbers';

function mutate(original: Buffer, kind: Mutation, random: () => number): Buffer {
  const bytes = Buffer.from(original);
  switch (kind) {
    case 'truncate':
      return bytes.subarray(0, Math.floor(random() * bytes.length));
    case 'flip':
      for (let k = 1 + Math.floor(random() * 20); k > 0; k--) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
      return bytes;
    case 'zero': {
      const at = Math.floor(random() * bytes.length);
      return bytes.fill(0, at, Math.min(bytes.length, at + Math.floor(random() * 2000)));
    }
    case 'numbers':
      // Object numbers, lengths, offsets and sizes: the numbers a reader trusts to size its tables.
      return Buffer.from(
        bytes.toString('latin1').replace(/\d+/g, (digits) => (random() < 0.05 ? String(Math.floor(random() * 10 ** (1 + Math.floor(random() * 9)))) : digits)),
        'latin1',
      );
  }
}

test('240 mutated PDFs: every call works or fails with a documented code, and mupdf stays under its heap limit', () => {
  const random = seeded(20261121);
  const kinds: Mutation[] = ['truncate', 'flip', 'zero', 'numbers'];
  const outcomes = new Map<string, number>();
  for (const fixture of ['deed-with-reservation.pdf', 'multi-deed.pdf', 'text-layer.pdf']) {
    const original = readFileSync(fixturePath(fixture));
    for (let i = 0; i < 80; i++) {
      const kind = kinds[i % kinds.length]!;
      const path = join(scratch, `${fixture}-${kind}-${i}.pdf`);
      writeFileSync(path, mutate(original, kind, random));
      const record = (error: unknown, where: string) => {
        assert.ok(isKeelError(error), `${path} (${where}): not a coded error: ${String(error)}`);
        assert.ok(DOCUMENTED.has(error.code), `${path} (${where}): undocumented code ${error.code}: ${error.message}`);
        outcomes.set(error.code, (outcomes.get(error.code) ?? 0) + 1);
      };
      let source;
      try {
        source = openPdf(path);
      } catch (error) {
        record(error, 'open');
        continue;
      }
      try {
        for (let page = 0; page < source.pageCount; page++) {
          try {
            source.pageText(page);
            source.renderGray(page, 72);
            outcomes.set('page read', (outcomes.get('page read') ?? 0) + 1);
          } catch (error) {
            record(error, `page ${page + 1}`);
          }
        }
      } finally {
        source.close();
      }
      assert.ok((mupdfHeapBytes() ?? 0) <= MUPDF_HEAP_LIMIT_BYTES, `${path}: mupdf heap ${mupdfHeapBytes()} bytes`);
    }
  }
  // The set exercises both sides: files that still read and files refused for each kind of damage.
  assert.ok((outcomes.get('page read') ?? 0) > 50, JSON.stringify([...outcomes]));
  assert.ok((outcomes.get('E_DAMAGED') ?? 0) > 20, JSON.stringify([...outcomes]));
  // mupdf still reads a good file afterwards.
  const source = openPdf(fixturePath('deed-with-reservation.pdf'));
  try {
    assert.ok(source.renderGray(0, 72).width > 500);
  } finally {
    source.close();
  }
});

test('a 3 KB file whose object number would take mupdf to 540 MB is refused as E_TOO_LARGE within the heap limit', () => {
  assert.throws(
    () => openPdf(fixturePath('memory-bomb.pdf')),
    (error: unknown) => isKeelError(error) && error.code === 'E_TOO_LARGE' && /built to exhaust memory/.test(error.message),
  );
  assert.ok((mupdfHeapBytes() ?? 0) <= MUPDF_HEAP_LIMIT_BYTES);
});
