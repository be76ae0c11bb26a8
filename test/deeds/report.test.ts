/**
 * The scan report is read from the stored pages, never held whole: the summary keeps each page's
 * digest only while its deed is open and hands each deed on as it is decided, and the report is
 * written from the stored deeds and pages one at a time, so a book of any length costs the same.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { scanReportCsv, scanReportJson, summarizeScan, type DeedReport, type DeedScanSummary, type PageReader } from '../../src/deeds/report.js';
import { JobStore } from '../../src/jobs/store.js';
import type { StoredDeedPage } from '../../src/deeds/page-result.js';
import { tokenize } from '../../src/deeds/tokens.js';
import { heapAfterGc } from '../helpers/heap.js';

const MiB = 1024 ** 2;

// Deed text written for these tests.
const OPENING = 'THIS DEED, made the 3rd day of May, 1961, between John Doe, Grantor, and Richard Roe, Grantee. WITNESSETH, that the Grantor does grant and convey unto the Grantee all that certain tract of land in the Township of Franklin.';
const RESERVATION = 'EXCEPTING AND RESERVING unto the Grantor, his heirs and assigns, all of the oil and gas within and underlying the said premises.';
const CLOSING = 'Witness my hand and seal. Commonwealth of Pennsylvania, County of Greene: before me, a Notary Public, personally appeared the Grantor.';

function page(number: number, text: string): StoredDeedPage {
  return { page: number, text, textSource: 'ocr', ocrQuality: 0.9, cached: false, ms: 1, warnings: [] };
}

const input = (mode: DeedScanSummary['mode'], pages: Iterable<StoredDeedPage>, pagesTotal: number) => ({
  file: 'book.pdf',
  options: { mode, policy: 'balanced' as const },
  pagesTotal,
  pages,
  stoppedEarly: false,
  ocrEngine: 'native',
  peakRssMb: 0,
  elapsedMs: 0,
});

for (const mode of ['single_deed', 'multi_deed', 'page_by_page'] as const) {
  test(`${mode}: the summary holds no page's text once it has read it`, async () => {
    const pagesTotal = 300;
    let before = 0;
    let heldAtLastPage = 0;
    function* pages(): Generator<StoredDeedPage> {
      for (let i = 0; i < pagesTotal; i++) {
        if (i === pagesTotal - 1) heldAtLastPage = heapAfterGc() - before;
        // 60 KB of its own per page (18 MB in all), copied so no two pages share memory.
        yield page(i + 1, Buffer.from(`Page ${i + 1} of the deed book.${' \n'.repeat(30_000)}`).toString('latin1'));
      }
    }
    before = heapAfterGc();
    const summary = await summarizeScan(input(mode, pages(), pagesTotal));
    assert.equal(summary.pages_processed, pagesTotal);
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

test('a summary over 200,000 pages is built: no step spreads one value per page into a call', async () => {
  function* pages(): Generator<StoredDeedPage> {
    for (let i = 0; i < 200_000; i++) yield page(i + 1, 'blank');
  }
  // Math.max(...values) overflows the stack from ~150,000 values; page_by_page has a deed per page.
  const summary = await summarizeScan({ ...input('page_by_page', pages(), 200_000), stoppedEarly: true });
  assert.equal(summary.deeds_found, 200_000);
  assert.equal(summary.pages_processed, 200_000);
  assert.equal(summary.has_reservation, false);
});

/** A two-deed book with a reservation on page 2 and an unreadable page 4. */
const BOOK: StoredDeedPage[] = [
  page(1, OPENING),
  page(2, `${RESERVATION} ${CLOSING}`),
  page(3, `KNOW ALL MEN BY THESE PRESENTS, ${OPENING}`),
  { page: 4, error: { code: 'E_PDF_PAGE', message: 'the page could not be rendered' } },
  page(5, CLOSING),
];

/** The summary of a small book, with the deeds it handed on (kept in an array: the book is small). */
async function summaryWithDeeds(mode: DeedScanSummary['mode'], pages: StoredDeedPage[]): Promise<{ summary: DeedScanSummary; deeds: DeedReport[] }> {
  const deeds: DeedReport[] = [];
  const summary = await summarizeScan({ ...input(mode, pages, pages.length), onDeed: (deed) => deeds.push(deed) });
  return { summary, deeds };
}

test('multi_deed: the streamed report is one JSON object, pretty or compact, with each deed, page and the evidence', async () => {
  const { summary, deeds } = await summaryWithDeeds('multi_deed', BOOK);
  const pretty = [...scanReportJson(summary, deeds, () => BOOK, 2)].join('');
  const compact = [...scanReportJson(summary, deeds, () => BOOK)].join('');
  const report = JSON.parse(pretty);
  // The same text JSON.stringify(report, null, 2) would print, built without holding the report.
  assert.equal(pretty, JSON.stringify(report, null, 2) + '\n');
  assert.equal(compact, JSON.stringify(report));
  assert.equal(report.has_reservation, true);
  assert.equal(report.deeds_found, 2);
  assert.deepEqual(report.deeds.map((d: { page_start: number; page_end: number; has_reservation: boolean }) => [d.page_start, d.page_end, d.has_reservation]), [[1, 2, true], [3, 5, false]]);
  assert.match(report.deeds[0].evidence[0].quote, /oil and gas/);
  assert.deepEqual(report.pages.map((p: { page: number; has_reservation: boolean; text_source: string }) => [p.page, p.has_reservation, p.text_source]), [
    [1, false, 'ocr'],
    [2, true, 'ocr'],
    [3, false, 'ocr'],
    [4, false, 'failed'],
    [5, false, 'ocr'],
  ]);
  assert.deepEqual(report.pages[3].error, { code: 'E_PDF_PAGE', message: 'the page could not be rendered' });
  assert.ok(report.review_flags.includes('pages_failed'));
  assert.equal(report.pages_failed, 1);
});

test('page_by_page: one CSV row per readable page, the reservation on its own page', async () => {
  const { summary, deeds } = await summaryWithDeeds('page_by_page', BOOK);
  const rows = [...scanReportCsv(summary, deeds)].join('').trimEnd().split('\n');
  assert.equal(rows[0], 'file,deed,page_start,page_end,has_reservation,confidence,reservation_probability,clause_types,evidence_page,evidence_quote,review_flags');
  assert.deepEqual(rows.slice(1).map((row) => row.split(',').slice(2, 5)), [
    ['1', '1', 'false'],
    ['2', '2', 'true'],
    ['3', '3', 'false'],
    ['5', '5', 'false'],
  ]);
});

test('writing the report of a 4,000-page page_by_page book holds none of its deeds or pages', async () => {
  const pagesTotal = 4_000;
  const book = (): Generator<StoredDeedPage> =>
    (function* () {
      // Every page its own copy of the text, so that nothing is shared between pages or readings.
      for (let i = 0; i < pagesTotal; i++) yield page(i + 1, Buffer.from(`${OPENING} ${RESERVATION} Parcel ${i + 1}.`).toString('latin1'));
    })();
  const dir = mkdtempSync(join(tmpdir(), 'keel-report-'));
  const store = new JobStore(dir);
  try {
    // The deeds go to a real job store as the scan stores them, and the report reads them back from it.
    const job = store.createJob({ owner: 'test', kind: 'deed-scan', options: {} });
    const rows = store.startResultRows(job.id);
    const summary = await summarizeScan({ ...input('page_by_page', book(), pagesTotal), onDeed: (deed) => rows.add(deed) });
    rows.finish();
    assert.equal(summary.deeds_found, pagesTotal);
    let heldAtLastPage = Number.NaN;
    let readings = 0;
    let before = 0;
    const readPages: PageReader = () => {
      readings++;
      return (function* () {
        let i = 0;
        for (const stored of book()) {
          // Every deed has been written by now: the pages come after them.
          if (++i === pagesTotal) heldAtLastPage = heapAfterGc() - before;
          yield stored;
        }
      })();
    };
    let written = 0;
    let reservedPages = 0;
    before = heapAfterGc();
    for (const piece of scanReportJson(summary, store.iterateResultRows<DeedReport>(job.id), readPages)) {
      written += piece.length;
      reservedPages += piece.split('"has_reservation":true}').length - 1;
    }
    assert.equal(readings, 1);
    assert.equal(reservedPages, pagesTotal, 'every page is marked as holding its reservation');
    assert.ok(written > pagesTotal * 300, `${written} characters written`);
    // Held when the report was built whole before it was written (its 4,000 deeds, quotes and all, and pages): 7.5 MB.
    assert.ok(heldAtLastPage < 1.5 * MiB, `${(heldAtLastPage / MiB).toFixed(2)} MB held at the last page`);
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the summary is read in turns: timers keep running while a long book is summarised, and the summary is the same', async () => {
  const pagesTotal = 3_000;
  const book = (): Generator<StoredDeedPage> =>
    (function* () {
      for (let i = 0; i < pagesTotal; i++) yield page(i + 1, `${OPENING} ${i % 7 === 0 ? RESERVATION : CLOSING} Parcel ${i + 1}.`);
    })();
  const started = performance.now();
  // In one piece (no turns), to know how long the whole summary takes.
  const whole = await summarizeScan(input('multi_deed', book(), pagesTotal), Number.POSITIVE_INFINITY);
  const wholeMs = performance.now() - started;
  // A 5 ms timer stands for the pools' memory checks and the server's requests.
  let longestGap = 0;
  let last = performance.now();
  let ticks = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    longestGap = Math.max(longestGap, now - last);
    last = now;
    ticks++;
  }, 5);
  last = performance.now();
  const inTurns = await summarizeScan(input('multi_deed', book(), pagesTotal), 20);
  clearInterval(timer);
  assert.deepEqual(inTurns, whole);
  assert.ok(wholeMs > 200, `the book must take a while to summarise for this test to mean something (${wholeMs.toFixed(0)} ms)`);
  assert.ok(ticks >= 5, `${ticks} timer ticks during the summary`);
  assert.ok(longestGap < Math.max(100, wholeMs / 3), `the timer waited ${longestGap.toFixed(0)} ms at most, the summary took ${wholeMs.toFixed(0)} ms in one piece`);
});

test('multi_deed: a deed that begins halfway down a page shares it, and each deed reads only its own part', async () => {
  // Page 2 ends the first deed (its reservation, then its acknowledgment) and starts the second, which has none.
  const ACKNOWLEDGMENT = 'Before me, a Notary Public, personally appeared John Doe, who acknowledged the foregoing deed to be his free act and deed. Witness my hand and official seal.';
  const SHARED = `Beginning at a post in the line of land of Smith, thence north 10 degrees east 100 feet to a stone.\n${RESERVATION}\n${ACKNOWLEDGMENT}\nTHIS INDENTURE, made the 9th day of June, 1962, between Mary Major and Peter Poe.\nWITNESSETH, that Mary Major does grant and convey unto Peter Poe the lot in Franklin.`;
  const pages = [page(1, OPENING), page(2, SHARED), page(3, 'thence north 10 degrees east 100 feet to a post; thence south 80 degrees east 50 feet to the place of beginning.')];
  const { summary, deeds } = await summaryWithDeeds('multi_deed', pages);
  assert.deepEqual(deeds.map((d) => [d.page_start, d.page_end, d.has_reservation]), [[1, 2, true], [2, 3, false]]);
  assert.equal(summary.has_reservation, true);
  assert.equal(deeds[0]!.evidence[0]!.page, 2);
  assert.match(deeds[0]!.evidence[0]!.quote, /oil and gas/);
  assert.equal(deeds[1]!.evidence.length, 0, 'the second deed does not inherit the first one\'s reservation');
});

test('single_deed: a reservation in the end of the instrument recorded before the file\'s deed is not the deed\'s', async () => {
  const ACKNOWLEDGMENT = 'Before me, a Notary Public, personally appeared Paul Roe, who acknowledged the foregoing deed to be his free act and deed. Witness my hand and official seal.';
  const foreignEnd = `Beginning at a post in the line of land of Smith, thence north 10 degrees east 100 feet to a stone.\n${RESERVATION}\n${ACKNOWLEDGMENT}\n`;
  const pages = [page(1, `${foreignEnd}${OPENING}`), page(2, CLOSING)];
  const { summary, deeds } = await summaryWithDeeds('single_deed', pages);
  assert.equal(summary.has_reservation, false);
  assert.deepEqual(deeds[0]!.evidence, []);
  // The same reservation inside the deed is found.
  const inside = await summaryWithDeeds('single_deed', [page(1, `${OPENING}\n${RESERVATION}`), page(2, CLOSING)]);
  assert.equal(inside.summary.has_reservation, true);
});
