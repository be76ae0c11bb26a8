import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import * as mupdf from 'mupdf';
import { buildTextLayerBook } from '../../bench/lib/text-layer-book.js';
import { fixturePath } from '../fixtures/paths.js';
import { cliPath } from '../helpers/server-process.js';

const cacheDir = mkdtempSync(join(tmpdir(), 'keel-ocr-cache-'));
after(() => rmSync(cacheDir, { recursive: true, force: true }));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function keel(...args: string[]): Promise<Run>;
function keel(env: Record<string, string>, ...args: string[]): Promise<Run>;
function keel(...params: Array<string | Record<string, string>>): Promise<Run> {
  const [env, args] = typeof params[0] === 'object' ? [params[0], params.slice(1) as string[]] : [{}, params as string[]];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cliPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, KEEL_CACHE_DIR: cacheDir, ...env } });
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

test('an --out that cannot be written is bad input before any page is read; a scan that fails leaves no output file', async () => {
  const unwritable = await keel('scan', fixturePath('multi-deed.pdf'), '--out', join(cacheDir, 'no-such-folder', 'result.json'), '--log-format', 'json');
  assert.equal(unwritable.code, 2, unwritable.stderr);
  assert.match(unwritable.stderr, /cannot write the output file .*no-such-folder/);
  assert.doesNotMatch(unwritable.stderr, /"event":"(scan-start|chunk)"/, 'refused before the scan started');
  const out = join(cacheDir, 'failed.json');
  const failed = await keel('scan', fixturePath('encrypted.pdf'), '--out', out);
  assert.equal(failed.code, 2, failed.stderr);
  assert.equal(existsSync(out), false, 'no empty result file is left behind');
});

test('a reader that stops early (keel scan ... | head) ends the scan with exit 0, not a write error', async () => {
  // 400 text-layer pages give a ~220 KB report: more than a pipe holds, so writes go on after the reader is gone.
  const book = buildTextLayerBook(join(cacheDir, 'book-400.pdf'), 400);
  const child = spawn(process.execPath, [cliPath, 'scan', book, '--mode', 'page_by_page', '--format', 'json'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, KEEL_CACHE_DIR: cacheDir },
  });
  let stderr = '';
  let received = 0;
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
  // Like `head -c 100`: take the first piece, then close the pipe.
  child.stdout.once('data', (chunk: Buffer) => {
    received = chunk.length;
    child.stdout.destroy();
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', (exitCode) => resolve(exitCode)));
  assert.ok(received > 0, 'the report had started');
  assert.equal(code, 0, stderr);
  assert.doesNotMatch(stderr, /EPIPE|E_INTERNAL/);
});

test('a page the PDF reader can render only at 200 DPI within its memory limit is read there, flagged, and still classified', async () => {
  // Pages are drawn in bands, so a plain scanned page fits mupdf's initial 22 MB heap at any DPI. A
  // tiling pattern's tile is drawn whole first, at a size that follows the DPI: with the upper half of
  // the deed's reservation page as the tile, repeated twice down the page, mupdf's heap stays at 22 MB
  // at 200 DPI and needs 26 MB at 300, so a 24 MB limit refuses only the 300-DPI reading.
  const path = scanAsPatternTiles(reservationPagePixmap(300), 2, 'reservation-tiles.pdf');
  const run = await keel({ KEEL_PDF_HEAP_LIMIT_MB: '24' }, 'scan', path, '--format', 'json', '--no-cache');
  assert.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout);
  assert.ok(report.review_flags.includes('pages_read_reduced'), `review flags: ${report.review_flags.join(', ')}`);
  assert.equal(report.has_reservation, true, 'the 200 DPI reading still finds the reservation');
  // Without the lower limit the same page is read at 300 DPI, unflagged.
  const normal = JSON.parse((await keel({}, 'scan', path, '--format', 'json', '--no-cache')).stdout);
  assert.ok(!normal.review_flags.includes('pages_read_reduced'), `review flags: ${normal.review_flags.join(', ')}`);
});

test('a page over the pixel cap at 300 DPI is read at the capped DPI as its normal reading, not flagged as reduced', async () => {
  // 12 x 16 inches is 17.3 Mpx at 300 DPI, over the deed pipeline's 16 Mpx cap.
  const report = JSON.parse((await keel('scan', reservationPageOnSheet(12, 16), '--format', 'json', '--no-cache')).stdout);
  assert.equal(report.has_reservation, true);
  assert.ok(!report.review_flags.includes('pages_read_reduced'), `review flags: ${report.review_flags.join(', ')}`);
});

test('a poorly read page whose second, 400-DPI reading the PDF reader\'s memory limit refuses keeps its first reading', async () => {
  // A letter page scanned at 300 ppi, of non-words (OCR quality ~0.4, under the 0.6 that asks for a
  // second reading), drawn as one pattern tile (see above): mupdf needs no more than its initial 22 MB
  // of heap at 300 DPI and ~64 MB at 400, so a 34 MB limit refuses only the second reading. Were the
  // refusal not caught, the page, and so the scan, would fail.
  const run = await keel({ KEEL_PDF_HEAP_LIMIT_MB: '34' }, 'scan', scanAsPatternTiles(nonWordsPixmap(), 1, 'non-words-tile.pdf'), '--format', 'json', '--no-cache');
  assert.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout);
  assert.equal(report.pages_failed, 0);
  assert.equal(report.pages[0].text_source, 'ocr');
  assert.ok(report.pages[0].ocr_quality < 0.6, `quality ${report.pages[0].ocr_quality}: the page must be one that asks for a second reading`);
  assert.ok(!report.review_flags.includes('pages_read_reduced'), 'the first reading is a normal one');
});

/** A letter page of random non-words, rendered to a 300-ppi gray image. */
function nonWordsPixmap(): mupdf.Pixmap {
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const nonWord = () => Array.from({ length: 3 + Math.floor(random() * 6) }, () => 'bcdfghjklmnpqrstvwxz'[Math.floor(random() * 20)]).join('');
  const typed = new mupdf.PDFDocument();
  const font = typed.addSimpleFont(new mupdf.Font('Courier'));
  let content = 'BT /F1 12 Tf 16 TL 60 712 Td\n';
  for (let line = 0; line < 40; line++) content += `(${Array.from({ length: 8 }, nonWord).join(' ')}) '\n`;
  typed.insertPage(-1, typed.addPage([0, 0, 612, 792], 0, typed.addObject({ Font: { F1: font } }), content + 'ET\n'));
  return typed.loadPage(0).toPixmap(mupdf.Matrix.scale(300 / 72, 300 / 72), mupdf.ColorSpace.DeviceGray, false);
}

/** The fixture deed's reservation page (page 2) rendered to a gray image at `ppi`. */
function reservationPagePixmap(ppi: number): mupdf.Pixmap {
  const source = mupdf.Document.openDocument(readFileSync(fixturePath('deed-with-reservation.pdf')), 'application/pdf');
  return source.loadPage(1).toPixmap(mupdf.Matrix.scale(ppi / 72, ppi / 72), mupdf.ColorSpace.DeviceGray, false);
}

/**
 * A new one-page letter PDF filled with a tiling pattern: its tile is the top 1/`tilesDown` of the
 * scanned `pixmap` (a letter page), repeated `tilesDown` times down the page.
 */
function scanAsPatternTiles(pixmap: mupdf.Pixmap, tilesDown: number, name: string): string {
  const [width, height] = [612, 792];
  const tileHeight = height / tilesDown;
  const scan = new mupdf.PDFDocument();
  const image = scan.addImage(new mupdf.Image(pixmap));
  const tile = scan.addStream(`q ${width} 0 0 ${height} 0 ${tileHeight - height} cm /Im0 Do Q\n`, {
    Type: 'Pattern', PatternType: 1, PaintType: 1, TilingType: 1, BBox: [0, 0, width, tileHeight], XStep: width, YStep: tileHeight,
    Resources: { XObject: { Im0: image } },
  });
  const content = `/Pattern cs /P0 scn 0 0 ${width} ${height} re f\n`;
  scan.insertPage(-1, scan.addPage([0, 0, width, height], 0, scan.addObject({ Pattern: { P0: tile } }), content));
  const path = join(cacheDir, name);
  writeFileSync(path, scan.saveToBuffer('compress').asUint8Array());
  return path;
}

/** The fixture deed's reservation page (page 2) on a larger sheet of `width` x `height` inches, as a new PDF. */
function reservationPageOnSheet(width: number, height: number): string {
  const source = mupdf.Document.openDocument(readFileSync(fixturePath('deed-with-reservation.pdf')), 'application/pdf') as mupdf.PDFDocument;
  const sheet = new mupdf.PDFDocument();
  sheet.graftPage(-1, source, 1);
  sheet.findPage(0).put('MediaBox', [0, 0, width * 72, height * 72]);
  const path = join(cacheDir, `sheet-${width}x${height}.pdf`);
  writeFileSync(path, sheet.saveToBuffer('compress').asUint8Array());
  return path;
}

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
