import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cutToRange, DeedBoundaryTracker, detectDeedStarts, ownDeedPart } from '../../src/deeds/boundaries.js';
import { evaluateBookBoundaries, formatBookBoundaries } from '../../src/deeds/boundary-evaluation.js';

// Synthetic instruments written for these tests.
const filler = (n: number): string =>
  Array.from({ length: n }, (_, i) => `thence north ${i} degrees east 100 feet to a post in the line of land now or formerly of Smith;`).join('\n');

const deedOpening = (kind: string): string =>
  `${kind}\n\nTHIS DEED, made the 2nd day of April, 1958, between John Doe, Grantor, and Richard Roe, Grantee.\nWITNESSETH that the Grantor does grant and convey\n${filler(12)}`;
const knowAllMen = `QUIT CLAIM DEED\nKNOW ALL MEN BY THESE PRESENTS, that Mary Major, for the consideration of ten dollars,\n${filler(12)}`;
const middle = `Being the same premises conveyed by deed recorded in Deed Book 120, page 44.\n${filler(15)}`;
const recorderPage = `${filler(6)}\nMy commission expires June 1, 1960. Notary Public\nRECORDED in the Recorder of Deeds office in Deed Book 900, page 12.\nReceived for record May 5, 1958 at 10 o'clock A.M.`;

/** The instruments detectDeedStarts finds in these page texts: [first page, last page, opening cue]. */
function splitBook(texts: string[]): [number, number, string][] {
  return detectDeedStarts(texts.map((text, i) => ({ page: i + 1, text }))).map((r) => [r.startPage, r.endPage, r.startCue]);
}

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

// Deeds whose title and formal opening did not survive the scan: the body still has the granting clause.
const untitledDeed = (grantor: string): string =>
  `${filler(3)}\n${grantor}, of Green County, Grantor, in consideration of Ten Dollars paid by Richard Roe, Grantee,\n` +
  `does hereby grant, bargain, sell and convey unto the said Grantee the following land:\n${filler(8)}`;
const acknowledgement = `${filler(8)}\nBefore me personally appeared the Grantor and acknowledged the same.\nMy commission expires June 1, 1960. Notary Public`;

test('a granting clause opens a deed after a close, and a second one opens the next deed', () => {
  const pages = [
    untitledDeed('John Doe'), // 1
    middle, // 2
    acknowledgement, // 3: a weak close
    untitledDeed('Mary Major'), // 4: granting clause after a close
    untitledDeed('Peter Poe'), // 5: a second granting clause in what would be one deed
    middle, // 6
  ];
  assert.deepEqual(
    splitBook(pages),
    [
      [1, 3, 'file_start'],
      [4, 4, 'granting_clause'],
      [5, 6, 'granting_clause'],
    ],
  );
});

test('"Witnesseth" on one page and the granting clause after long recitals on the next are one deed', () => {
  const recitals = `WITNESSETH: WHEREAS the Circuit Court of Marshall County by its order appointed the Grantors special commissioners;\n${filler(14)}`;
  const granting = `NOW THEREFORE the said Grantors, as special commissioners, do hereby grant and convey unto the Grantee\n${filler(10)}`;
  const pages = [recitals, granting, middle, recorderPage].map((text, i) => ({ page: i + 1, text }));
  assert.deepEqual(
    detectDeedStarts(pages).map((r) => [r.startPage, r.endPage]),
    [[1, 4]],
  );
  // A second "Witnesseth" does start another instrument.
  const again = detectDeedStarts([recitals, middle, recitals].map((text, i) => ({ page: i + 1, text })));
  assert.deepEqual(again.map((r) => [r.startPage, r.endPage, r.startCue]), [[1, 2, 'file_start'], [3, 3, 'second_witnesseth']]);
  // A recital of an earlier grant is not a granting clause.
  const recital = `${filler(3)}\nBEING the same premises which Mary Major granted and conveyed unto the Grantor by deed recorded in Deed Book 12, page 3.\n${filler(3)}`;
  assert.deepEqual(
    detectDeedStarts([untitledDeed('John Doe'), recital, acknowledgement].map((text, i) => ({ page: i + 1, text }))).map((r) => [r.startPage, r.endPage]),
    [[1, 3]],
  );
});

test('an e-recording page stamp opens an instrument on "Page 1 of n" and keeps its later pages together', () => {
  const coverSheet =
    'Inst. # 201900042 - Page 1 of 3\nCounty of Green Recorder of Deeds\nInstrument Number - 201900042\n' +
    'Recorded On 12/16/2019 At 9:56:03 AM * Total Pages - 3\n* Instrument Type - DEED\nThis is a certification page';
  const stamped = (k: number, text: string): string => `Inst. # 201900042 - Page ${k} of 3\n${text}`;
  const pages = [
    untitledDeed('John Doe'), // 1
    middle, // 2: no close, so the cover sheet below is the only sign of a new instrument
    coverSheet, // 3
    stamped(2, `THIS INDENTURE, made the 1st day of May, 2019, between Ann Able and Ben Baker.\n${filler(10)}`), // 4
    stamped(3, `EXHIBIT A\nTHIS INDENTURE recorded in Deed Book 77 page 5 describes the land as follows:\n${filler(6)}`), // 5
    untitledDeed('Peter Poe'), // 6
  ].map((text, i) => ({ page: i + 1, text }));
  assert.deepEqual(
    detectDeedStarts(pages).map((r) => [r.startPage, r.endPage, r.startCue]),
    [
      [1, 2, 'file_start'],
      [3, 5, 'page_one_of_n'],
      [6, 6, 'granting_clause'],
    ],
  );
});

test('a certificate of transfer or an affidavit of survivorship is an instrument of its own; a recital of one is not', () => {
  const certificate = `#8501 CERTIFICATE FOR TRANSFER OF REAL ESTATE\nIn the Matter of the Estate of James Kerr, deceased\n${filler(10)}`;
  const affidavit = `AFFIDAVIT AS TO SUCCESSION UNDER SURVIVORSHIP\nJane Kerr, the Affiant, being first duly sworn, states:\n${filler(10)}`;
  const pages = [untitledDeed('John Doe'), middle, certificate, affidavit, untitledDeed('Peter Poe')].map((text, i) => ({ page: i + 1, text }));
  assert.deepEqual(
    detectDeedStarts(pages).map((r) => [r.startPage, r.endPage, r.startCue]),
    [
      [1, 2, 'file_start'],
      [3, 3, 'certificate_of_transfer'],
      [4, 4, 'affidavit_title'],
      // The affidavit conveys nothing, so the granting clause after it opens a deed without waiting for a close.
      [5, 5, 'granting_clause'],
    ],
  );
  const recital = `${filler(2)}\nBeing the same premises conveyed to the Grantor by\nCertificate of Transfer recorded in Volume 90, page 12.\n${filler(6)}`;
  assert.deepEqual(
    detectDeedStarts([untitledDeed('John Doe'), recital].map((text, i) => ({ page: i + 1, text }))).map((r) => [r.startPage, r.endPage]),
    [[1, 2]],
  );
});

test('the book evaluation compares detected ranges with the files put back to back', () => {
  const doc = (file: string, texts: string[], label = false) => ({ file, label, pages: texts.map((text, i) => ({ page: i + 1, text })) });
  const reservation = `${filler(3)}\nEXCEPTING AND RESERVING unto the Grantor all the oil and gas underlying said land.\n${filler(3)}`;
  const result = evaluateBookBoundaries([
    doc('a.pdf', [deedOpening('WARRANTY DEED'), middle, recorderPage]),
    doc('b.pdf', [untitledDeed('Mary Major'), acknowledgement]),
    doc('c.pdf', [middle, reservation], true), // no cue at all: merged into b, whose decision it then answers
    doc('d.pdf', [knowAllMen, middle, knowAllMen]), // a second instrument inside the file
  ]);
  assert.equal(result.files, 4);
  assert.equal(result.pages, 10);
  assert.equal(result.startsFound, 3);
  assert.equal(result.exactRanges, 1); // a.pdf only: b runs on into c, d is split
  assert.deepEqual(result.missed, [{ file: 'c.pdf', bookPage: 6 }]);
  assert.deepEqual(result.extra, [{ file: 'd.pdf', bookPage: 10, filePage: 3, cue: 'know_all_men', midPage: false }]);
  // c's reservation lands in the deed detected for b and c together: right for c, wrong for b; a and d stay negative.
  assert.equal(result.decisionsRight, 3);
  assert.match(formatBookBoundaries(result), /exact page range: 1 of 4/);
});

test('an instrument that begins halfway down a page, below the acknowledgment of the one before, shares that page', () => {
  const endAndStart =
    `${filler(4)}\nBefore me personally appeared the Grantor, who acknowledged the foregoing deed to be his act.\n` +
    `My commission expires June 1, 1960. Notary Public\n` +
    `THIS INDENTURE, made the 5th day of May, 1958, between Mary Major and Peter Poe.\n` +
    `WITNESSETH that the said Mary Major does grant and convey unto Peter Poe\n${filler(4)}`;
  const pages = [deedOpening('WARRANTY DEED'), middle, endAndStart, middle, recorderPage].map((text, i) => ({ page: i + 1, text }));
  const ranges = detectDeedStarts(pages);
  assert.deepEqual(
    ranges.map((r) => [r.startPage, r.endPage, r.startCue]),
    [
      [1, 3, 'file_start'],
      [3, 5, 'this_indenture'],
    ],
  );
  const cut = ranges[0]!.endOffset!;
  assert.equal(ranges[1]!.startOffset, cut);
  assert.match(endAndStart.slice(0, cut), /Notary Public\n$/);
  assert.match(endAndStart.slice(cut), /^THIS INDENTURE/);
  assert.equal(cutToRange(pages[2]!, ranges[0]!).text, endAndStart.slice(0, cut));
  // The part before the cut is blanked, not removed: offsets into the page stay as they were.
  assert.equal(cutToRange(pages[2]!, ranges[1]!).text, ' '.repeat(cut) + endAndStart.slice(cut));
  assert.equal(cutToRange(pages[3]!, ranges[1]!), pages[3], 'a page inside a range is not cut');
});

test('a recording stamp above the opening of a deed\'s own first page does not make the page shared', () => {
  const stamped = `Received for record May 5, 1958 at 10 A.M. Recorder of Deeds\n${deedOpening('WARRANTY DEED')}`;
  const pages = [deedOpening('WARRANTY DEED'), recorderPage, stamped, middle].map((text, i) => ({ page: i + 1, text }));
  const ranges = detectDeedStarts(pages);
  assert.deepEqual(ranges.map((r) => [r.startPage, r.endPage, r.startOffset, r.endOffset]), [
    [1, 2, undefined, undefined],
    [3, 4, undefined, undefined],
  ]);
});

test('a second grant "for the consideration aforesaid" stays in the deed; an unrelated grant after it does not', () => {
  const aforesaid = `${filler(4)}\nAnd for the consideration aforesaid, the said Grantor does grant unto the Grantee all the furniture in the house.\n${filler(4)}`;
  const pages = [untitledDeed('John Doe'), aforesaid, middle].map((text, i) => ({ page: i + 1, text }));
  assert.deepEqual(detectDeedStarts(pages).map((r) => [r.startPage, r.endPage]), [[1, 3]]);
  const thenAnother = [untitledDeed('John Doe'), aforesaid, untitledDeed('Mary Major')].map((text, i) => ({ page: i + 1, text }));
  assert.deepEqual(detectDeedStarts(thenAnother).map((r) => [r.startPage, r.endPage]), [[1, 2], [3, 3]]);
});

test('the book evaluation counts apart a range that runs on to the top of the next file\'s shared first page', () => {
  const doc = (file: string, texts: string[]) => ({ file, label: false, pages: texts.map((text, i) => ({ page: i + 1, text })) });
  // b.pdf was scanned from a deed book: its first page opens with the end of an instrument that is not in the book.
  const sharedFirstPage = `${filler(4)}\nacknowledged the foregoing deed. Notary Public\nTHIS INDENTURE, made the 5th day of May, 1958.\nWITNESSETH that Mary Major does grant and convey\n${filler(3)}`;
  const result = evaluateBookBoundaries([doc('a.pdf', [deedOpening('WARRANTY DEED'), middle]), doc('b.pdf', [sharedFirstPage, middle])]);
  assert.equal(result.startsFound, 2);
  assert.equal(result.exactRanges, 1, 'b only: a runs on to the top of b');
  assert.equal(result.endOnNextFileHead, 1);
  assert.deepEqual(result.extra, []);
  assert.match(formatBookBoundaries(result), /next file's first page .*: 1/);
});

test('openings garbled by OCR still open a deed after a close; a recital that starts a line does not', () => {
  const misreadThis = `RAIS DEED, M Made this 11th day of January, 1950, between Mary Major and Peter Poe.\n${filler(10)}`;
  const garbledGrant = `${filler(3)}\nJohn Doe, Grantor, for ten dollars, does hereby gra ntl arg in sell and convey unto Richard Roe\n${filler(6)}`;
  const pages = [deedOpening('WARRANTY DEED'), recorderPage, misreadThis, recorderPage, garbledGrant, middle].map((text, i) => ({ page: i + 1, text }));
  assert.deepEqual(
    detectDeedStarts(pages).map((r) => [r.startPage, r.endPage, r.startCue]),
    [
      [1, 2, 'file_start'],
      [3, 4, 'this_deed_made'],
      [5, 6, 'granting_clause'],
    ],
  );
  const recital = `${filler(3)}\nsaid deed made the 5th day of May, 1921, and recorded in Deed Book 12, page 3.\n${filler(3)}`;
  assert.deepEqual(
    detectDeedStarts([deedOpening('WARRANTY DEED'), recital, middle].map((text, i) => ({ page: i + 1, text }))).map((r) => [r.startPage, r.endPage]),
    [[1, 3]],
  );
});

test('a single-deed file is read without the end of the instrument before it and the start of the one after it', () => {
  const reservation = 'EXCEPTING AND RESERVING unto the Grantor all the oil and gas underlying said land.';
  const foreignEnd = `${filler(3)}\n${reservation}\nBefore me appeared Paul Roe, who acknowledged the foregoing deed. Notary Public\n`;
  const firstPage = `${foreignEnd}THIS DEED, made the 2nd day of April, 1958, between John Doe and Richard Roe.\nWITNESSETH that John Doe does grant and convey\n${filler(4)}`;
  const nextStart = `THIS INDENTURE, made the 5th day of May, 1958, between Mary Major and Peter Poe.\nWITNESSETH that Mary Major does grant and convey\n${reservation}\n`;
  const lastPage = `${filler(4)}\nBefore me appeared John Doe, who acknowledged the foregoing deed. Notary Public\n${nextStart}`;
  const first = ownDeedPart({ page: 1, text: firstPage }, 3);
  assert.equal(first.text.length, firstPage.length, 'offsets are kept');
  assert.equal(first.text.trimStart(), firstPage.slice(foreignEnd.length));
  assert.equal(ownDeedPart({ page: 2, text: middle }, 3).text, middle);
  assert.equal(ownDeedPart({ page: 3, text: lastPage }, 3).text, lastPage.slice(0, lastPage.length - nextStart.length));
  // A deed's own first page with nothing of another instrument above its opening is read whole.
  const own = deedOpening('WARRANTY DEED');
  assert.equal(ownDeedPart({ page: 1, text: own }, 3).text, own);
  // multi_deed starts the file's first deed at the same place, and gives the next instrument its own range.
  const ranges = detectDeedStarts([firstPage, middle, lastPage].map((text, i) => ({ page: i + 1, text })));
  assert.deepEqual(ranges.map((r) => [r.startPage, r.endPage, r.startCue]), [[1, 3, 'file_start'], [3, 3, 'this_indenture']]);
  assert.equal(ranges[0]!.startOffset, foreignEnd.length);
  assert.equal(ranges[1]!.startOffset, lastPage.length - nextStart.length);
});

test('deed titles written into the opening sentence, and other recorded instruments, open an instrument', () => {
  const opening = (head: string) => `${head}\n${filler(12)}`;
  const pages = [
    opening('THIS GENERAL WARRANTY DEED is made this 10th day of May, 2010, by and between John Doe and Richard Roe.'), // 1
    middle, // 2
    recorderPage, // 3
    opening('RIGHT OF WAY AGREEMENT\nFor one dollar the undersigned grant a pipeline right of way across their land.'), // 4
    recorderPage, // 5
    opening('THIS DEED OF CONVEYANCE, made the 3rd day of March, 1931, between Mary Major and Ann Minor.'), // 6
    middle, // 7
    recorderPage, // 8
    opening('DEED OF GIFT\nMary Major gives to her daughter Ann the lot described below.'), // 9
    recorderPage, // 10
  ];
  assert.deepEqual(
    splitBook(pages),
    [
      [1, 3, 'file_start'],
      [4, 5, 'instrument_title'],
      [6, 8, 'this_deed_made'],
      [9, 10, 'deed_title'],
    ],
  );
});
