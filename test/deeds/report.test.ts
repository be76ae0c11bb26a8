/**
 * The scan report is built from the stored pages in one pass; it keeps each page's digest (its clauses,
 * length and quality), never its text, so a book of any length costs the same to report on.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildScanReport } from '../../src/deeds/report.js';
import type { StoredDeedPage } from '../../src/deeds/page-result.js';
import { tokenize } from '../../src/deeds/tokens.js';
import { heapAfterGc } from '../helpers/heap.js';

const MiB = 1024 ** 2;

for (const mode of ['single_deed', 'multi_deed', 'page_by_page'] as const) {
  test(`${mode}: the report holds no page's text once it has read it`, () => {
    const pagesTotal = 300;
    let before = 0;
    let heldAtLastPage = 0;
    function* pages(): Generator<StoredDeedPage> {
      for (let i = 0; i < pagesTotal; i++) {
        if (i === pagesTotal - 1) heldAtLastPage = heapAfterGc() - before;
        // 60 KB of its own per page (18 MB in all), copied so no two pages share memory.
        const text = Buffer.from(`Page ${i + 1} of the deed book.${' \n'.repeat(30_000)}`).toString('latin1');
        yield { page: i + 1, text, textSource: 'ocr', ocrQuality: 0.9, cached: false } as StoredDeedPage;
      }
    }
    before = heapAfterGc();
    const report = buildScanReport({ file: 'book.pdf', options: { mode, policy: 'balanced' } as never, pagesTotal, pages: pages(), stoppedEarly: false, ocrEngine: 'native', peakRssMb: 0, elapsedMs: 0 });
    assert.equal(report.pages.length, pagesTotal);
    // Held then: 17 MB when every page's text was kept until the end; now the digests, under 1 MB.
    assert.ok(heldAtLastPage < 4 * MiB, `${(heldAtLastPage / MiB).toFixed(1)} MB held after 299 pages`);
  });
}

test('reading a page of run-together text keeps none of it (the lexicon caches only words it could match)', () => {
  const before = heapAfterGc();
  for (let i = 0; i < 300; i++) tokenize(Buffer.from(`deed ${'x'.repeat(30_000)}${i}`).toString('latin1'));
  const held = heapAfterGc() - before;
  // 9 MB of tokens were kept when every unknown token was cached, whatever its length.
  assert.ok(held < 2 * MiB, `${(held / MiB).toFixed(1)} MB held`);
});

test('a report over 200,000 pages is built: no step spreads one value per page into a call', () => {
  function* pages(): Generator<StoredDeedPage> {
    for (let i = 0; i < 200_000; i++) yield { page: i + 1, text: 'blank', textSource: 'ocr', ocrQuality: 0.9, cached: false } as StoredDeedPage;
  }
  // Math.max(...values) overflows the stack from ~150,000 values; page_by_page has a deed per page.
  const report = buildScanReport({ file: 'book.pdf', options: { mode: 'page_by_page', policy: 'balanced' } as never, pagesTotal: 200_000, pages: pages(), stoppedEarly: true, ocrEngine: 'native', peakRssMb: 0, elapsedMs: 0 });
  assert.equal(report.deeds.length, 200_000);
  assert.equal(report.pages_processed, 200_000);
  assert.equal(report.has_reservation, false);
});
