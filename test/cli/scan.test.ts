import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fixturePath } from '../fixtures/paths.js';
import { cliPath } from '../helpers/server-process.js';

const cacheDir = mkdtempSync(join(tmpdir(), 'keel-ocr-cache-'));
after(() => rmSync(cacheDir, { recursive: true, force: true }));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function keel(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cliPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, KEEL_CACHE_DIR: cacheDir } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function scanJson(file: string, ...args: string[]): Promise<any> {
  const run = await keel('scan', fixturePath(file), '--format', 'json', ...args);
  assert.equal(run.code, 0, run.stderr);
  return JSON.parse(run.stdout);
}

test('a scanned deed with an oil and gas reservation is OCR\'d and found, with its quote and page', async () => {
  const report = await scanJson('deed-with-reservation.pdf');
  assert.equal(report.has_reservation, true);
  assert.ok(report.confidence >= 0.7);
  assert.equal(report.pages_total, 2);
  assert.ok(report.pages.every((page: { text_source: string }) => page.text_source === 'ocr'), 'image-only pages are OCR\'d');
  const deciding = report.deeds[0].evidence.find((e: { counts: boolean }) => e.counts);
  assert.equal(deciding.page, 2);
  assert.equal(deciding.clause_type, 'new_reservation');
  assert.match(deciding.quote, /reserving/i);
  assert.ok(deciding.substances.includes('oil') && deciding.substances.includes('gas'));
  for (const key of ['file', 'mode', 'pages_processed', 'review_flags', 'peak_rss_mb']) assert.ok(key in report, key);
});

test('a scanned deed that reserves only coal is not a reservation under the balanced policy', async () => {
  const report = await scanJson('deed-without-reservation.pdf', '--mode', 'page_by_page');
  assert.equal(report.has_reservation, false);
  assert.equal(report.pages.length, 2);
  const types = report.deeds.flatMap((deed: { evidence: Array<{ clause_type: string }> }) => deed.evidence.map((e) => e.clause_type));
  assert.ok(types.includes('coal_only'), `clause types found: ${types.join(', ')}`);
});

test('multi_deed splits a two-deed file at the right page and classifies each deed', async () => {
  const report = await scanJson('multi-deed.pdf', '--mode', 'multi_deed');
  assert.deepEqual(
    report.deeds.map((deed: { page_start: number; page_end: number; has_reservation: boolean }) => [deed.page_start, deed.page_end, deed.has_reservation]),
    [
      [1, 2, false],
      [3, 5, true],
    ],
  );
  assert.equal(report.deeds[1].evidence.find((e: { counts: boolean }) => e.counts).page, 4);
});

test('a trusted text layer is read without OCR', async () => {
  const report = await scanJson('text-layer.pdf', '--mode', 'page_by_page');
  assert.ok(report.pages.every((page: { text_source: string }) => page.text_source === 'text-layer'));
  assert.equal(report.has_reservation, true);
});

test('the OCR cache makes a second run over the same file, in another mode, cost no OCR', async () => {
  const first = await scanJson('multi-deed.pdf', '--mode', 'page_by_page');
  const second = await scanJson('multi-deed.pdf', '--mode', 'multi_deed', '--policy', 'high-recall');
  assert.equal(first.pages_from_cache + second.pages_from_cache >= 5, true);
  assert.equal(second.pages_from_cache, 5, 'every page of the second run came from the cache');
  assert.ok(second.elapsed_ms < first.elapsed_ms || first.pages_from_cache === 5);
});

test('CSV has one row per deed with the evidence quote; --out writes a file', async () => {
  const out = join(cacheDir, 'result.csv');
  const run = await keel('scan', fixturePath('multi-deed.pdf'), '--mode', 'multi_deed', '--format', 'csv', '--out', out);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, '');
  const lines = readFileSync(out, 'utf8').trim().split('\n');
  assert.equal(lines[0], 'file,deed,page_start,page_end,has_reservation,confidence,reservation_probability,clause_types,evidence_page,evidence_quote,review_flags');
  assert.equal(lines.length, 3);
  assert.match(lines[2]!, /^multi-deed\.pdf,2,3,5,true,.*,4,.*reserving/i);
});

test('bad PDFs exit 2 with a message that names the problem', async () => {
  const cases: Array<[string, RegExp, string]> = [
    ['not-a-pdf.pdf', /not a PDF/, 'E_NOT_PDF'],
    ['empty.pdf', /empty/, 'E_NOT_PDF'],
    ['encrypted.pdf', /encrypted/, 'E_ENCRYPTED'],
    ['truncated.pdf', /damaged/, 'E_DAMAGED'],
    ['huge-page.pdf', /inches/, 'E_TOO_LARGE'],
    ['no-pages.pdf', /no pages/, 'E_NO_PAGES'],
    // Refused inside the worker at mupdf's heap limit, not by killing the worker three times over.
    ['memory-bomb.pdf', /built to exhaust memory/, 'E_TOO_LARGE'],
  ];
  for (const [file, message, code] of cases) {
    const run = await keel('scan', fixturePath(file));
    assert.equal(run.code, 2, `${file}: ${run.stderr}`);
    assert.doesNotMatch(run.stderr, /killed/, file);
    assert.match(run.stderr, message, file);
    assert.match(run.stderr, new RegExp(`\\[${code}\\]`), file);
    assert.equal(run.stdout, '', `${file}: nothing on stdout`);
  }
  const missing = await keel('scan', '/nonexistent/deed.pdf');
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /no such file/);
  const badOption = await keel('scan', fixturePath('text-layer.pdf'), '--mode', 'sideways');
  assert.equal(badOption.code, 2);
  assert.match(badOption.stderr, /--mode must be one of single_deed, page_by_page, multi_deed/);
});

test('keel --help lists the commands and each command has --help', async () => {
  const help = await keel('--help');
  assert.equal(help.code, 0);
  for (const command of ['serve', 'scan', 'emails']) assert.match(help.stdout, new RegExp(`^  ${command} `, 'm'));
  const scanHelp = await keel('scan', '--help');
  assert.match(scanHelp.stdout, /--mode MODE/);
  assert.match(scanHelp.stdout, /Exit codes/);
});
