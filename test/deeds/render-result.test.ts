/**
 * GET /v1/jobs/:id/result for a deed scan renders from the store: the job's summary, its stored deeds
 * (result rows) and its stored pages. A job finished by a Keel before result rows kept the whole
 * report as its summary, and is rendered from that.
 */
import assert from 'node:assert/strict';
import { text } from 'node:stream/consumers';
import type { Readable } from 'node:stream';
import { test } from 'node:test';
import { deedScanKind, type DeedScanDeps } from '../../src/deeds/pipeline.js';
import { summarizeScan } from '../../src/deeds/report.js';
import type { StoredDeedPage } from '../../src/deeds/page-result.js';
import { withStore } from '../helpers/temp-store.js';

// Rendering a result needs no pool, monitor or budget: only the store.
const kind = deedScanKind({} as DeedScanDeps);

async function body(rendered: { body: string | Readable }): Promise<string> {
  return typeof rendered.body === 'string' ? rendered.body : text(rendered.body);
}

const PAGES: StoredDeedPage[] = [
  { page: 1, text: 'THIS DEED, made the 3rd day of May, 1961, between John Doe, Grantor, and Richard Roe, Grantee, grants the tract.', textSource: 'ocr', ocrQuality: 0.9, cached: false, ms: 1, warnings: [] },
  { page: 2, text: 'EXCEPTING AND RESERVING unto the Grantor all of the oil and gas within and underlying the said premises.', textSource: 'ocr', ocrQuality: 0.9, cached: false, ms: 1, warnings: [] },
];

test('a finished scan is rendered from its summary, stored deeds and stored pages', withStore(async (store) => {
  const job = store.createJob({ owner: 'alice', kind: 'deed-scan', options: {}, inputName: 'deed.pdf' });
  PAGES.forEach((page, index) => store.recordUnit(job.id, index, true, page));
  const rows = store.startResultRows(job.id);
  const summary = await summarizeScan({ file: 'deed.pdf', options: { mode: 'page_by_page', policy: 'balanced' }, pagesTotal: 2, pages: PAGES, stoppedEarly: false, ocrEngine: 'native', peakRssMb: 1, elapsedMs: 1, onDeed: (deed) => rows.add(deed) });
  rows.finish();
  store.finishJob(job.id, 'done', { summary });
  const done = store.getJob(job.id)!;
  const report = JSON.parse(await body(kind.renderResult(done, store, 'json')));
  assert.equal(report.has_reservation, true);
  assert.deepEqual(report.deeds.map((d: { page_start: number; has_reservation: boolean }) => [d.page_start, d.has_reservation]), [[1, false], [2, true]]);
  assert.deepEqual(report.pages.map((p: { page: number; has_reservation: boolean }) => [p.page, p.has_reservation]), [[1, false], [2, true]]);
  const csv = (await body(kind.renderResult(done, store, 'csv'))).trim().split('\n');
  assert.equal(csv.length, 3);
  assert.match(csv[2]!, /^deed\.pdf,2,2,2,true,/);
}));

test('a scan finished before result rows (its summary is the whole report) is rendered from its summary', withStore(async (store) => {
  const job = store.createJob({ owner: 'alice', kind: 'deed-scan', options: {}, inputName: 'old.pdf' });
  const deed = { deed: 1, page_start: 1, page_end: 2, has_reservation: true, confidence: 0.9, reservation_probability: 0.9, evidence: [{ page: 2, quote: 'EXCEPTING AND RESERVING all of the oil and gas', clause_type: 'new_reservation', substances: ['oil', 'gas'], counts: true }], review_flags: [], reason: 'a reservation' };
  const oldReport = { file: 'old.pdf', mode: 'single_deed', policy: 'balanced', ocr_engine: 'native', pages_total: 2, pages_processed: 2, pages_failed: 0, pages_from_cache: 0, stopped_early: false, has_reservation: true, confidence: 0.9, reservation_probability: 0.9, deeds: [deed], pages: [{ page: 1, text_source: 'ocr', ocr_quality: 0.9, has_reservation: false }, { page: 2, text_source: 'ocr', ocr_quality: 0.9, has_reservation: true }], review_flags: [], peak_rss_mb: 1, elapsed_ms: 1 };
  store.finishJob(job.id, 'done', { summary: oldReport });
  const done = store.getJob(job.id)!;
  assert.deepEqual(JSON.parse(await body(kind.renderResult(done, store, 'json'))), oldReport);
  const csv = (await body(kind.renderResult(done, store, 'csv'))).trim().split('\n');
  assert.equal(csv.length, 2);
  assert.match(csv[1]!, /^old\.pdf,1,1,2,true,.*oil and gas/);
}));
