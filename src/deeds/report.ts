import { cutToRange, DeedBoundaryTracker, ownDeedPart } from './boundaries.js';
import { decideDigests, digestPage, type PageDigest } from './decision.js';
import { countsUnderPolicy, policyFor } from './index.js';
import type { DeedRange, DocumentDecision, PageText } from './types.js';
import { isPageFailure, type DeedPageFailure, type StoredDeedPage } from './page-result.js';
import type { DeedScanOptions } from './pipeline-options.js';

/**
 * The scan report: what `keel scan --format json` prints and `GET /v1/jobs/:id/result` returns.
 * Built from the stored pages (in page order), never from what a process happened to keep, and
 * never held whole: the summary pass decides each deed as its pages are read and hands it on (the
 * scan stores it as a result row); the report is then written from those rows and the stored pages,
 * one at a time, so the process holds the same few pages whether the book has 2 pages or 40,000.
 */

export interface EvidenceReport {
  page: number;
  quote: string;
  clause_type: string;
  substances: string[];
  /** Whether this clause counts towards a reservation under the policy used. */
  counts: boolean;
}

export interface DeedReport {
  deed: number;
  page_start: number;
  page_end: number;
  has_reservation: boolean;
  /** Confidence that `has_reservation` is right (0..1). */
  confidence: number;
  /** Probability of an oil/gas (or, high-recall, mineral) reservation (0..1). */
  reservation_probability: number;
  evidence: EvidenceReport[];
  review_flags: string[];
  reason: string;
}

export interface PageReport {
  page: number;
  text_source: 'text-layer' | 'ocr' | 'failed';
  ocr_quality: number | null;
  has_reservation: boolean;
  /** Lines a second, block-layout reading recovered because the first reading's layout missed them. */
  ocr_lines_added?: number;
  error?: { code: string; message: string };
}

/** The report without its deeds and pages: the file's answer, small whatever the book's length. It is the job's summary. */
export interface DeedScanSummary {
  file: string;
  mode: DeedScanOptions['mode'];
  policy: DeedScanOptions['policy'];
  ocr_engine: string | null;
  pages_total: number;
  pages_processed: number;
  pages_failed: number;
  /** Pages whose OCR text came from the cache (an earlier run over the same file). */
  pages_from_cache: number;
  stopped_early: boolean;
  has_reservation: boolean;
  confidence: number;
  reservation_probability: number;
  deeds_found: number;
  review_flags: string[];
  peak_rss_mb: number;
  elapsed_ms: number;
}

export interface SummaryInput {
  file: string;
  options: Pick<DeedScanOptions, 'mode' | 'policy'>;
  pagesTotal: number;
  /** Every stored page, in page order. */
  pages: Iterable<StoredDeedPage>;
  stoppedEarly: boolean;
  /** The OCR engine that read the pages ('native' or 'wasm'), null if none was needed. */
  ocrEngine: string | null;
  peakRssMb: number;
  elapsedMs: number;
  /** Each deed, as soon as it is decided, in order (the scan stores them for the report). */
  onDeed?: (deed: DeedReport) => void;
}

/** Reads the stored pages again, from the start, in page order: each pass of the report is one reading. */
export type PageReader = () => Iterable<StoredDeedPage>;

const round = (value: number) => Math.round(value * 1000) / 1000;

/** What the deeds' pass learns on its way, for the summary. */
interface DeedTally {
  deeds: number;
  positive: number;
  /** The surest "yes", and the least sure deed (the file's confidence for a "no"). */
  maxPositiveConfidence: number;
  minConfidence: number;
  maxProbability: number;
  flags: Set<string>;
  pagesRead: number;
  pagesFailed: number;
  fromCache: number;
  reduced: number;
}

function deedReport(index: number, start: number, end: number, decision: DocumentDecision, policyName: DeedScanOptions['policy']): DeedReport {
  const policy = policyFor(policyName);
  return {
    deed: index,
    page_start: start,
    page_end: end,
    has_reservation: decision.hasReservation,
    confidence: round(decision.decisionConfidence),
    reservation_probability: round(decision.confidence),
    evidence: decision.evidence.map((e) => ({ page: e.page, quote: e.quote, clause_type: e.clauseType, substances: e.substances, counts: countsUnderPolicy(e, policy) })),
    review_flags: decision.reviewFlags,
    reason: decision.reason,
  };
}

/** Yielded by the deeds' pass after each page, so that the summary can pause between pages (see summarizeScan). */
const PAGE_READ = Symbol('page read');

/**
 * The deeds, each yielded as soon as its last page has been read; returns the tally. Each page is
 * reduced at once to a digest (its clauses, length and quality: see PageDigest) and only the page
 * before is kept whole, for clauses cut by a page break; a deed's digests are dropped once it is
 * decided. page_by_page decides each page on its own; single_deed reads the file as one deed.
 */
function* decideDeeds(input: SummaryInput): Generator<DeedReport | typeof PAGE_READ, DeedTally> {
  const { mode, policy } = input.options;
  const tally: DeedTally = {
    deeds: 0, positive: 0, maxPositiveConfidence: 0, minConfidence: 1, maxProbability: 0,
    flags: new Set(), pagesRead: 0, pagesFailed: 0, fromCache: 0, reduced: 0,
  };
  const decide = (digests: readonly PageDigest[], start: number, end: number): DeedReport => {
    const deed = deedReport(++tally.deeds, start, end, decideDigests(digests, policy), policy);
    if (deed.has_reservation) {
      tally.positive++;
      tally.maxPositiveConfidence = Math.max(tally.maxPositiveConfidence, deed.confidence);
    }
    tally.minConfidence = Math.min(tally.minConfidence, deed.confidence);
    tally.maxProbability = Math.max(tally.maxProbability, deed.reservation_probability);
    for (const flag of deed.review_flags) tally.flags.add(flag);
    return deed;
  };

  const tracker = mode === 'multi_deed' ? new DeedBoundaryTracker() : undefined;
  let group: PageDigest[] = [];
  let groupStart = 1;
  let lastRead = 0;
  let previous: PageText | undefined;
  for (const stored of input.pages) {
    lastRead = Math.max(lastRead, stored.page);
    if (isPageFailure(stored)) {
      tally.pagesFailed++;
      continue;
    }
    tally.pagesRead++;
    if (stored.cached) tally.fromCache++;
    if (stored.reducedReading) tally.reduced++;
    let page: PageText = { page: stored.page, text: stored.text, ocrQuality: stored.ocrQuality };
    if (mode === 'single_deed') page = ownDeedPart(page, input.pagesTotal);
    let startsDeed: boolean;
    let finished: DeedRange | undefined;
    if (mode === 'page_by_page') startsDeed = true;
    else if (tracker !== undefined) {
      finished = tracker.push(page.page, page.text);
      startsDeed = finished !== undefined || tally.pagesRead === 1;
    } else startsDeed = tally.pagesRead === 1;
    if (startsDeed && group.length > 0) {
      if (finished !== undefined && finished.endPage === page.page) {
        // The deed before ends halfway down this page: its part of the page goes with it.
        group.push(digestPage(cutToRange(page, finished), previous));
        yield decide(group, groupStart, page.page);
      } else {
        // A page_by_page deed is its own page; a multi_deed deed runs up to the page before the next one.
        yield decide(group, groupStart, mode === 'page_by_page' ? groupStart : page.page - 1);
      }
      group = [];
    }
    if (startsDeed) {
      groupStart = page.page;
      const range = tracker?.openRange();
      if (range !== undefined) page = cutToRange(page, range);
    }
    // A deed's first page is read without the page before it: that page belongs to another deed.
    group.push(digestPage(page, startsDeed ? undefined : previous));
    previous = page;
    yield PAGE_READ;
  }
  // The last deed runs to the end of the file, or to the last page read when single_deed stopped early.
  const lastPage = input.stoppedEarly ? lastRead : input.pagesTotal;
  if (mode === 'page_by_page') {
    if (group.length > 0) yield decide(group, groupStart, groupStart);
  } else if (mode === 'multi_deed') {
    const last = tracker!.finish();
    if (last !== undefined) yield decide(group, last.startPage, Math.max(last.endPage, lastPage));
  } else {
    yield decide(group, 1, Math.max(1, input.pagesTotal));
  }
  return tally;
}

/**
 * Reads every stored page once and returns the report's summary; no deed or page is kept. The work is
 * done in turns of at most `turnMs`, letting the event loop run between them: in the service, a
 * 40,000-page book's summary takes ~20 s, and the pools' memory checks, other requests and progress
 * events must not wait that long.
 */
export async function summarizeScan(input: SummaryInput, turnMs = 20): Promise<DeedScanSummary> {
  const pass = decideDeeds(input);
  let turnStarted = performance.now();
  let step = pass.next();
  while (!step.done) {
    if (step.value !== PAGE_READ) input.onDeed?.(step.value);
    if (performance.now() - turnStarted >= turnMs) {
      await new Promise((resume) => setImmediate(resume));
      turnStarted = performance.now();
    }
    step = pass.next();
  }
  return summaryOf(input, step.value);
}

function summaryOf(input: SummaryInput, tally: DeedTally): DeedScanSummary {
  const { mode, policy } = input.options;
  const hasReservation = tally.positive > 0;
  const flags = tally.flags;
  if (tally.pagesFailed > 0) flags.add('pages_failed');
  // Read at a lower resolution (after their worker died, or within the PDF reader's memory limit): worth a look.
  if (tally.reduced > 0) flags.add('pages_read_reduced');
  if (tally.pagesRead === 0) flags.add('no_text');
  return {
    file: input.file,
    mode,
    policy,
    ocr_engine: input.ocrEngine,
    pages_total: input.pagesTotal,
    pages_processed: tally.pagesRead + tally.pagesFailed,
    pages_failed: tally.pagesFailed,
    pages_from_cache: tally.fromCache,
    stopped_early: input.stoppedEarly,
    has_reservation: hasReservation,
    // For the file: as sure as the surest "yes", or, for a "no", as sure as the least sure deed.
    confidence: tally.deeds === 0 ? 0 : hasReservation ? tally.maxPositiveConfidence : tally.minConfidence,
    reservation_probability: tally.maxProbability,
    deeds_found: tally.deeds,
    review_flags: [...flags],
    peak_rss_mb: Math.round(input.peakRssMb),
    elapsed_ms: input.elapsedMs,
  };
}

/** The pages that could not be read, with their errors. */
export function* failedPages(readPages: PageReader): Generator<DeedPageFailure> {
  for (const stored of readPages()) if (isPageFailure(stored)) yield stored;
}

function* pageReports(pages: Iterable<StoredDeedPage>, reserved: Uint8Array): Generator<PageReport> {
  for (const stored of pages) {
    if (isPageFailure(stored)) {
      yield { page: stored.page, text_source: 'failed', ocr_quality: null, has_reservation: false, error: stored.error };
      continue;
    }
    const added = stored.addedLines ? { ocr_lines_added: stored.addedLines } : {};
    yield { page: stored.page, text_source: stored.textSource, ocr_quality: round(stored.ocrQuality), has_reservation: reserved[stored.page] === 1, ...added };
  }
}

/** The summary's own fields, in the report's order (a summary stored by an older Keel may hold more). */
function summaryFields(summary: DeedScanSummary): DeedScanSummary {
  const { file, mode, policy, ocr_engine, pages_total, pages_processed, pages_failed, pages_from_cache, stopped_early, has_reservation, confidence, reservation_probability, deeds_found, review_flags, peak_rss_mb, elapsed_ms } = summary;
  return { file, mode, policy, ocr_engine, pages_total, pages_processed, pages_failed, pages_from_cache, stopped_early, has_reservation, confidence, reservation_probability, deeds_found, review_flags, peak_rss_mb, elapsed_ms };
}

/**
 * The report as JSON text, piece by piece: the summary, then every deed (as the summary pass decided
 * them, in order), then every page. `indent` 2 gives what JSON.stringify(report, null, 2) would,
 * without ever holding the report.
 */
export function* scanReportJson(summary: DeedScanSummary, deeds: Iterable<DeedReport>, readPages: PageReader, indent = 0): Generator<string> {
  const newline = indent > 0 ? '\n' : '';
  const pad = ' '.repeat(indent);
  const element = (value: unknown) => pad + pad + JSON.stringify(value, null, indent).replace(/\n/g, `\n${pad}${pad}`);
  const head = JSON.stringify(summaryFields(summary), null, indent);
  const colon = indent > 0 ? ': ' : ':';
  // A page's has_reservation: a clause that counts under the policy was found on it (one byte a page).
  const reserved = new Uint8Array(summary.pages_total + 1);
  yield `${head.slice(0, head.lastIndexOf('}')).trimEnd()},${newline}${pad}"deeds"${colon}[`;
  let count = 0;
  for (const deed of deeds) {
    for (const evidence of deed.evidence) if (evidence.counts && evidence.page < reserved.length) reserved[evidence.page] = 1;
    yield `${count++ === 0 ? newline : `,${newline}`}${element(deed)}`;
  }
  yield `${count > 0 ? newline + pad : ''}],${newline}${pad}"pages"${colon}[`;
  count = 0;
  for (const page of pageReports(readPages(), reserved)) yield `${count++ === 0 ? newline : `,${newline}`}${element(page)}`;
  yield `${count > 0 ? newline + pad : ''}]${newline}}${newline}`;
}

function csvField(value: string | number | boolean): string {
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One row per deed (in page_by_page mode, per page): the columns a land professional files. */
export function* scanReportCsv(summary: DeedScanSummary, deeds: Iterable<DeedReport>): Generator<string> {
  yield 'file,deed,page_start,page_end,has_reservation,confidence,reservation_probability,clause_types,evidence_page,evidence_quote,review_flags\n';
  for (const deed of deeds) {
    const deciding = deed.evidence.find((e) => e.counts) ?? deed.evidence[0];
    const row = [
      summary.file,
      deed.deed,
      deed.page_start,
      deed.page_end,
      deed.has_reservation,
      deed.confidence,
      deed.reservation_probability,
      [...new Set(deed.evidence.map((e) => e.clause_type))].join(';'),
      deciding?.page ?? '',
      deciding?.quote.replace(/\s+/g, ' ') ?? '',
      deed.review_flags.join(';'),
    ];
    yield row.map(csvField).join(',') + '\n';
  }
}
