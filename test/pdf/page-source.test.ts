import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { isKeelError } from '../../src/core/errors.js';
import { mupdfHeapBytes, openPdf, renderWhole } from '../../src/pdf/page-source.js';
import * as mupdf from 'mupdf';
import { assessTextLayer } from '../../src/pdf/text-quality.js';
import { fixtureManifest, fixturePath } from '../fixtures/paths.js';
import { requireShared } from '../helpers/shared.js';

const scratch = mkdtempSync(join(tmpdir(), 'keel-pdf-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** Share of pixels darker than mid-gray: a rendered page of text has a few percent, a blank one ~0. */
function inkShare(pixels: Uint8Array): number {
  let dark = 0;
  for (const p of pixels) if (p < 128) dark += 1;
  return dark / pixels.length;
}

/** mupdf's own whole-page draw of a page at `dpi` (what the page source did before it drew in bands). */
function wholePageDraw(path: string, index: number, dpi: number): { width: number; height: number; pixels: Uint8Array } {
  const doc = mupdf.Document.openDocument(readFileSync(path), 'application/pdf');
  try {
    const page = doc.loadPage(index);
    try {
      return renderWhole(page, mupdf.Matrix.scale(dpi / 72, dpi / 72));
    } finally {
      page.destroy();
    }
  } finally {
    doc.destroy();
    mupdf.emptyStore();
  }
}

/** Mean absolute difference of each row of two same-size rasters. */
function rowDifferences(a: Uint8Array, b: Uint8Array, width: number): number[] {
  const rows: number[] = [];
  for (let start = 0; start < a.length; start += width) {
    let sum = 0;
    for (let i = start; i < start + width; i++) sum += Math.abs(a[i]! - b[i]!);
    rows.push(sum / width);
  }
  return rows;
}

function expectKeelError(fn: () => unknown, code: string, messagePart?: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(isKeelError(error), `expected a KeelError, got ${String(error)}`);
    assert.equal(error.code, code, `wrong code; message: ${error.message}`);
    if (messagePart) assert.match(error.message, messagePart);
    return true;
  });
}

function openFdCount(): number | undefined {
  return existsSync('/proc/self/fd') ? readdirSync('/proc/self/fd').length : undefined;
}

describe('openPdf on scanned deeds', () => {
  test('a scanned deed has pages, no text layer, and renders to 1-byte gray at 300 DPI', () => {
    const source = openPdf(fixturePath('deed-with-reservation.pdf'));
    try {
      assert.equal(source.pageCount, 2);
      assert.equal(source.wasRepaired, false);
      for (let i = 0; i < source.pageCount; i++) {
        assert.equal(source.pageText(i).trim(), '');
        assert.deepEqual(source.pageSize(i), { widthPt: 612, heightPt: 792 });
        const page = source.renderGray(i);
        assert.equal(page.dpi, 300);
        assert.equal(page.dpiClamped, false);
        assert.equal(page.width, 2550); // 8.5 in x 300
        assert.equal(page.height, 3300); // 11 in x 300
        assert.equal(page.pixels.length, page.width * page.height);
        const ink = inkShare(page.pixels);
        assert.ok(ink > 0.01 && ink < 0.2, `page ${i + 1} ink share ${ink} is not that of a text page`);
      }
    } finally {
      source.close();
    }
  });

  test('the requested DPI sets the size; an oversized render is clamped to maxPixels', () => {
    const source = openPdf(fixturePath('text-layer.pdf'), { maxPixels: 2_000_000 });
    try {
      const low = source.renderGray(0, 100);
      assert.deepEqual([low.width, low.height, low.dpi, low.dpiClamped], [850, 1100, 100, false]);
      const clamped = source.renderGray(0, 300);
      assert.equal(clamped.dpiClamped, true);
      assert.ok(clamped.width * clamped.height <= 2_000_000, `${clamped.width}x${clamped.height} exceeds the cap`);
      assert.ok(clamped.dpi > 120 && clamped.dpi < 300, `clamped dpi ${clamped.dpi}`);
      assert.equal(clamped.width, Math.ceil((612 / 72) * clamped.dpi));
    } finally {
      source.close();
    }
  });

  test('a real text layer is read and trusted; a recorder stamp is read but not trusted', () => {
    const text = openPdf(fixturePath('text-layer.pdf'));
    try {
      assert.match(text.pageText(0), /KNOW ALL MEN BY THESE PRESENTS/);
      const page2 = text.pageText(1);
      assert.match(page2, /EXCEPTING AND RESERVING unto the Grantors/);
      assert.match(page2, /all the oil and gas\s+underlying/);
      assert.equal(assessTextLayer(page2).trusted, true);
    } finally {
      text.close();
    }
    const stamped = openPdf(fixturePath('stamp-text-layer.pdf'));
    try {
      const stamp = stamped.pageText(0);
      assert.match(stamp, /Book: 512 Page Sequence: 87/);
      const verdict = assessTextLayer(stamp);
      assert.equal(verdict.trusted, false);
      assert.match(verdict.reason, /too short/);
    } finally {
      stamped.close();
    }
  });

  test('memory stays flat: the WASM heap does not grow after the first pass over a document', () => {
    const source = openPdf(fixturePath('multi-deed.pdf'));
    try {
      const pass = () => {
        for (let i = 0; i < source.pageCount; i++) {
          source.pageText(i);
          source.renderGray(i, 300);
        }
      };
      pass();
      const heapAfterFirst = mupdfHeapBytes();
      if (heapAfterFirst === undefined) assert.fail('mupdf heap size unknown: mupdf was loaded before src/pdf/mupdf-runtime');
      for (let round = 0; round < 3; round++) pass();
      assert.equal(mupdfHeapBytes(), heapAfterFirst);
    } finally {
      source.close();
    }
  });

  test('a page drawn in bands joins up into the raster of one whole-page draw', () => {
    const path = fixturePath('deed-with-reservation.pdf');
    const source = openPdf(path);
    try {
      const banded = source.renderGray(0, 300);
      const whole = wholePageDraw(path, 0, 300);
      assert.deepEqual([banded.width, banded.height], [whole.width, whole.height]);
      // A band is 2 MB: a 2550-pixel row makes bands of 822 rows, so this page is drawn in several.
      assert.ok(banded.width * banded.height > 3 * 2 * 1024 ** 2, `page of ${banded.width}x${banded.height} fits in too few bands`);
      const rows = rowDifferences(banded.pixels, whole.pixels, banded.width);
      // The first band is drawn exactly as the whole page; later ones may place the scan's samples a
      // fraction of a pixel apart, never a band out of place or a blank seam.
      const firstBandRows = Math.floor((2 * 1024 ** 2) / banded.width);
      assert.ok(rows.slice(0, firstBandRows).every((d) => d === 0), 'the first band differs from the whole draw');
      const worstRow = Math.max(...rows);
      const mean = rows.reduce((a, b) => a + b, 0) / rows.length;
      assert.ok(worstRow < 8 && mean < 1, `rows differ from the whole draw by up to ${worstRow.toFixed(2)} gray levels (mean ${mean.toFixed(2)})`);
    } finally {
      source.close();
    }
  });

  test('close() releases the file descriptor and later calls fail', () => {
    const before = openFdCount();
    const source = openPdf(fixturePath('deed-without-reservation.pdf'));
    source.pageText(0);
    source.close();
    source.close(); // idempotent
    if (before !== undefined) assert.equal(openFdCount(), before);
    assert.throws(() => source.pageText(0), /closed/);
  });

  test('page indexes are 0-based and checked', () => {
    const source = openPdf(fixturePath('deed-with-reservation.pdf'));
    try {
      assert.throws(() => source.pageText(2), RangeError);
      assert.throws(() => source.renderGray(-1), RangeError);
      assert.throws(() => source.renderGray(0, 0), RangeError);
    } finally {
      source.close();
    }
  });
});

describe('openPdf on bad input', () => {
  const cases: [file: string, code: string, message: RegExp][] = [
    ['empty.pdf', 'E_NOT_PDF', /empty \(0 bytes\)/],
    ['not-a-pdf.pdf', 'E_NOT_PDF', /looks like a PNG image/],
    ['encrypted.pdf', 'E_ENCRYPTED', /needs a password/],
    ['truncated.pdf', 'E_DAMAGED', /page 1 is missing/],
    ['no-pages.pdf', 'E_NO_PAGES', /no pages/],
  ];
  for (const [file, code, message] of cases) {
    test(`${file} -> ${code}`, () => {
      const before = openFdCount();
      expectKeelError(() => openPdf(fixturePath(file)), code, message);
      if (before !== undefined) assert.equal(openFdCount(), before, 'the fd of a rejected file must be closed');
    });
  }

  test('every bad fixture in the manifest fails with its documented code', () => {
    const bad = fixtureManifest().filter((f) => f.expect?.code);
    assert.ok(bad.length >= 6);
    for (const fixture of bad) {
      const run = () => {
        const source = openPdf(fixturePath(fixture.file));
        try {
          for (let i = 0; i < source.pageCount; i++) source.renderGray(i);
        } finally {
          source.close();
        }
      };
      expectKeelError(run, fixture.expect!.code!);
    }
  });

  test('a missing file is E_NOT_FOUND', () => {
    expectKeelError(() => openPdf(join(scratch, 'nope.pdf')), 'E_NOT_FOUND');
  });

  test('a page of absurd size opens (its text is readable) but refuses to render', () => {
    const source = openPdf(fixturePath('huge-page.pdf'));
    try {
      assert.equal(source.pageCount, 1);
      assert.equal(source.pageSize(0).widthPt, 14400 * 72);
      assert.match(source.pageText(0), /14400 inches square/);
      expectKeelError(() => source.renderGray(0), 'E_TOO_LARGE', /14400 x 14400 inches, over the limit of 200/);
    } finally {
      source.close();
    }
  });

  test('file size and page count limits give E_TOO_LARGE', () => {
    expectKeelError(() => openPdf(fixturePath('multi-deed.pdf'), { maxPages: 3 }), 'E_TOO_LARGE', /5 pages, over the limit of 3/);
    expectKeelError(() => openPdf(fixturePath('multi-deed.pdf'), { maxFileBytes: 10_000 }), 'E_TOO_LARGE', /bytes, over the limit/);
  });

  test('a file missing its xref is repaired silently and still renders', () => {
    const source = openPdf(fixturePath('repairable.pdf'));
    try {
      assert.equal(source.pageCount, 2);
      assert.equal(source.wasRepaired, true);
      assert.ok(inkShare(source.renderGray(1, 100).pixels) > 0.01);
      assert.ok(source.takeWarnings().some((w) => /repair/i.test(w)), 'the repair should be reported as a warning');
    } finally {
      source.close();
    }
  });

  test('a download cut inside page 2 keeps page 1 and reports page 2 as damaged', () => {
    const whole = readFileSync(fixturePath('deed-with-reservation.pdf'));
    const cut = join(scratch, 'cut.pdf');
    writeFileSync(cut, whole.subarray(0, Math.floor(whole.length * 0.75)));
    const source = openPdf(cut);
    try {
      assert.equal(source.wasRepaired, true);
      assert.ok(inkShare(source.renderGray(0, 100).pixels) > 0.01, 'page 1 should survive');
      expectKeelError(() => source.renderGray(1, 100), 'E_DAMAGED', /page 2/);
    } finally {
      source.close();
    }
  });
});

describe('openPdf on the real deed set', () => {
  test("a 400-DPI second reading of a real scan keeps mupdf's heap far below a whole-page draw", (t) => {
    // A 241-DPI CCITT scan: drawn whole at 400 DPI it took mupdf's heap to 141 MB and its worker past
    // the 512 MB plan's hard limit; in bands it needs ~32 MB.
    const path = requireShared(t, 'deeds/dev/reservs/Marshall Co WV DB 82_173.pdf');
    if (!path) return;
    const source = openPdf(path);
    try {
      const page = source.renderGray(0, 400);
      assert.deepEqual([page.width, page.height], [3400, 5600]);
      const heapMb = (mupdfHeapBytes() ?? Infinity) / 1024 ** 2;
      assert.ok(heapMb < 64, `mupdf's heap is ${heapMb.toFixed(0)} MB after a 400-DPI draw`);
      const ink = inkShare(page.pixels);
      assert.ok(ink > 0.005 && ink < 0.5, `ink share ${ink}`);
    } finally {
      source.close();
    }
  });

  test('a real county scan opens, renders, and its stamp-only text layer is not trusted', (t) => {
    const path = requireShared(t, 'deeds/dev/reservs/Greene DB 253_223 - 4.23.2025.pdf');
    if (!path) return;
    const source = openPdf(path);
    try {
      assert.ok(source.pageCount >= 1);
      const text = source.pageText(0);
      assert.equal(assessTextLayer(text).trusted, false, `text layer ${JSON.stringify(text)} should not be trusted`);
      const page = source.renderGray(0, 150);
      assert.equal(page.pixels.length, page.width * page.height);
      const ink = inkShare(page.pixels);
      assert.ok(ink > 0.005 && ink < 0.5, `ink share ${ink}`);
    } finally {
      source.close();
    }
  });
});
