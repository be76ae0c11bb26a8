/**
 * How well multi_deed mode finds deeds in a book: labelled single-deed files are put back to back into one
 * page sequence (as a county deed book holds them), the boundary detector runs over it, and its ranges are
 * compared with the files' own ranges. Pure; `npm run eval:deeds` prints what it returns.
 */
import { cutToRange, detectDeedStarts } from './boundaries.js';
import { decideDocument } from './decision.js';
import type { PageText, PolicyName } from './types.js';

export interface BookDocument {
  file: string;
  pages: readonly PageText[];
  /** Has an oil and gas reservation (the file's label). */
  label: boolean;
}

export interface BookBoundaryResult {
  files: number;
  pages: number;
  /** Ranges the detector found. */
  detected: number;
  /** Files whose first page starts a detected range. */
  startsFound: number;
  /** Files whose whole page range is exactly one detected range. */
  exactRanges: number;
  /**
   * Files found with their right start whose range runs on to the top of the next file's first page, above
   * that file's opening: scanned from a deed book, that page starts with the end of another instrument (one
   * not in the book), which the detector can only give to the instrument before it. Not counted as exact.
   */
  endOnNextFileHead: number;
  /** Files whose first page was not found as a start, with that page's number in the book. */
  missed: { file: string; bookPage: number }[];
  /** Detected starts inside a file (its own page number given): a second instrument in the file, or a false split. */
  extra: { file: string; bookPage: number; filePage: number; cue: string; midPage: boolean }[];
  /** Files whose label matches the decision on the detected deed that holds the file's first page. */
  decisionsRight: number;
  policy: PolicyName;
}

export function evaluateBookBoundaries(docs: readonly BookDocument[], policy: PolicyName = 'balanced'): BookBoundaryResult {
  const book: PageText[] = [];
  const owner: { file: string; filePage: number }[] = [];
  const truth: { file: string; label: boolean; start: number; end: number }[] = [];
  for (const doc of docs) {
    if (doc.pages.length === 0) continue;
    const start = book.length + 1;
    doc.pages.forEach((p, i) => {
      book.push({ ...p, page: book.length + 1 });
      owner.push({ file: doc.file, filePage: i + 1 });
    });
    truth.push({ file: doc.file, label: doc.label, start, end: book.length });
  }
  const ranges = detectDeedStarts(book);
  const startsAt = new Map(ranges.map((r) => [r.startPage, r]));
  const fileStarts = new Set(truth.map((t) => t.start));
  let startsFound = 0;
  let exactRanges = 0;
  let endOnNextFileHead = 0;
  let decisionsRight = 0;
  const missed: BookBoundaryResult['missed'] = [];
  for (const t of truth) {
    // multi_deed reports each detected deed: the one that holds this file's first page answers for the file.
    const holder = startsAt.get(t.start) ?? ranges.find((r) => r.startPage <= t.start && t.start <= r.endPage)!;
    const holderPages = book.slice(holder.startPage - 1, holder.endPage).map((p) => cutToRange(p, holder));
    if (decideDocument(holderPages, policy).hasReservation === t.label) decisionsRight++;
    const range = startsAt.get(t.start);
    if (range === undefined) {
      missed.push({ file: t.file, bookPage: t.start });
      continue;
    }
    startsFound++;
    if (range.endPage === t.end) exactRanges++;
    else if (range.endPage === t.end + 1 && range.endOffset !== undefined && startsAt.get(t.end + 1) !== undefined) endOnNextFileHead++;
  }
  const extra = ranges
    .filter((r) => !fileStarts.has(r.startPage))
    .map((r) => ({ file: owner[r.startPage - 1]!.file, bookPage: r.startPage, filePage: owner[r.startPage - 1]!.filePage, cue: r.startCue, midPage: r.startOffset !== undefined }));
  return { files: truth.length, pages: book.length, detected: ranges.length, startsFound, exactRanges, endOnNextFileHead, missed, extra, decisionsRight, policy };
}

export function formatBookBoundaries(result: BookBoundaryResult): string {
  const lines = [
    `## multi_deed on a book of the ${result.files} files back to back (${result.pages} pages)`,
    `deeds found with their exact page range: ${result.exactRanges} of ${result.files}; file starts found: ${result.startsFound}; ranges detected: ${result.detected}`,
    `right start, but the range runs on to the top of the next file's first page (which opens with the end of an instrument not in the book): ${result.endOnNextFileHead}`,
    `decision of the deed that holds each file's first page (${result.policy}) matches the file's label: ${result.decisionsRight} of ${result.files}`,
    `starts missed (${result.missed.length}):`,
    ...result.missed.map((m) => `  - ${m.file} (book page ${m.bookPage})`),
    `starts inside a file (${result.extra.length}): a second instrument on the recorded pages, or a false split`,
    ...result.extra.map((e) => `  - ${e.file} page ${e.filePage} (${e.cue}${e.midPage ? ', halfway down the page' : ''})`),
  ];
  return lines.join('\n');
}
