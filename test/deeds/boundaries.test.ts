import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DeedBoundaryTracker, detectDeedStarts } from '../../src/deeds/boundaries.js';

// Synthetic instruments written for these tests.
const filler = (n: number): string =>
  Array.from({ length: n }, (_, i) => `thence north ${i} degrees east 100 feet to a post in the line of land now or formerly of Smith;`).join('\n');

const deedOpening = (kind: string): string =>
  `${kind}\n\nTHIS DEED, made the 2nd day of April, 1958, between John Doe, Grantor, and Richard Roe, Grantee.\nWITNESSETH that the Grantor does grant and convey\n${filler(12)}`;
const knowAllMen = `QUIT CLAIM DEED\nKNOW ALL MEN BY THESE PRESENTS, that Mary Major, for the consideration of ten dollars,\n${filler(12)}`;
const middle = `Being the same premises conveyed by deed recorded in Deed Book 120, page 44.\n${filler(15)}`;
const recorderPage = `${filler(6)}\nMy commission expires June 1, 1960. Notary Public\nRECORDED in the Recorder of Deeds office in Deed Book 900, page 12.\nReceived for record May 5, 1958 at 10 o'clock A.M.`;

test('a synthetic three-instrument file is split at the right pages', () => {
  const pages = [
    deedOpening('WARRANTY DEED'), // 1
    middle, // 2
    recorderPage, // 3
    knowAllMen, // 4
    recorderPage, // 5
    '', // 6 blank separator
    deedOpening('GENERAL WARRANTY DEED'), // 7
    middle, // 8
    recorderPage, // 9
  ].map((text, i) => ({ page: i + 1, text }));
  const ranges = detectDeedStarts(pages);
  assert.deepEqual(
    ranges.map((r) => [r.startPage, r.endPage]),
    [
      [1, 3],
      [4, 6],
      [7, 9],
    ],
  );
  assert.equal(ranges[1]!.startCue, 'know_all_men');
});

test('running headers and mid-sentence mentions of a deed do not split an instrument', () => {
  const pages = [
    deedOpening('DEED'),
    `DEED BOOK 704 PAGE 225\n${middle}`,
    `Exhibit A to that certain Special Warranty Deed from A to B.\n${middle}`,
    `${filler(4)}\nthis deed is made under and by virtue of a resolution of the board.\n${filler(4)}`,
    recorderPage,
  ].map((text, i) => ({ page: i + 1, text }));
  assert.deepEqual(
    detectDeedStarts(pages).map((r) => [r.startPage, r.endPage]),
    [[1, 5]],
  );
});

test('terminates in linear time on 5000 pages of cue words and empty pages', () => {
  const cues = 'WARRANTY DEED\nKNOW ALL MEN BY THESE PRESENTS\nTHIS INDENTURE\nReceived for record. Recorder of Deeds. Instrument Number 5.';
  const pages = Array.from({ length: 5000 }, (_, i) => ({ page: i + 1, text: i % 3 === 2 ? '' : cues.repeat(1 + (i % 4)) }));
  const t0 = performance.now();
  const ranges = detectDeedStarts(pages);
  const ms = performance.now() - t0;
  assert.ok(ms < 20_000, `took ${ms} ms`);
  // Every page lands in exactly one range, in order.
  let next = 1;
  for (const r of ranges) {
    assert.equal(r.startPage, next);
    assert.ok(r.endPage >= r.startPage);
    next = r.endPage + 1;
  }
  assert.equal(next, 5001);
  assert.ok(ranges.length > 1000, 'cue pages do open new instruments');
  assert.deepEqual(detectDeedStarts([]), []);
  const blanks = detectDeedStarts(Array.from({ length: 2000 }, (_, i) => ({ page: i + 1, text: '' })));
  assert.deepEqual(blanks.map((r) => [r.startPage, r.endPage]), [[1, 2000]]);
});

test('the streaming tracker gives the same ranges as the batch function', () => {
  const texts = [deedOpening('DEED'), recorderPage, knowAllMen, middle, recorderPage];
  const tracker = new DeedBoundaryTracker();
  const streamed = [];
  for (let i = 0; i < texts.length; i++) {
    const r = tracker.push(i + 1, texts[i]!);
    if (r) streamed.push(r);
  }
  const last = tracker.finish();
  if (last) streamed.push(last);
  assert.deepEqual(streamed, detectDeedStarts(texts.map((text, i) => ({ page: i + 1, text }))));
  assert.deepEqual(
    streamed.map((r) => [r.startPage, r.endPage]),
    [
      [1, 2],
      [3, 5],
    ],
  );
});
