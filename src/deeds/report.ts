import { DeedBoundaryTracker } from './boundaries.js';
import { decideDigests, digestPage, type PageDigest } from './decision.js';
import { countsUnderPolicy, policyFor } from './index.js';
import type { DeedRange, DocumentDecision, PageText } from './types.js';
import { isPageFailure, type StoredDeedPage } from './page-result.js';
import type { DeedScanOptions } from './pipeline-options.js';

/**
 * The scan report: what `keel scan --format json` prints and `GET /v1/jobs/:id/result` returns.
 * Built from the stored pages (in page order), never from what a process happened to keep.
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

export interface DeedScanReport {
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
  deeds: DeedReport[];
  pages: PageReport[];
  review_flags: string[];
  peak_rss_mb: number;
  elapsed_ms: number;
}

export interface ReportInput {
  file: string;
  options: DeedScanOptions;
  pagesTotal: number;
  /** Every stored page, in page order. */
  pages: Iterable<StoredDeedPage>;
  stoppedEarly: boolean;
  /** The OCR engine that read the pages ('native' or 'wasm'), null if none was needed. */
  ocrEngine: string | null;
  peakRssMb: number;
  elapsedMs: number;
}

const round = (value: number) => Math.round(value * 1000) / 1000;

function deedReport(index: number, start: number, end: number, decision: DocumentDecision, options: DeedScanOptions): DeedReport {
  const policy = policyFor(options.policy);
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

/**
 * Pages are read once, in order, and each is reduced at once to a digest (its clauses, its length and
 * quality: see PageDigest); only the page before is kept whole, for clauses cut by a page break. So the
 * report's memory grows by its small digests only: building it for 20,000 pages of dev-deed text raised
 * the RSS by about 80 MB, against 155 MB when every page's text was held until the end (5.5 MB per 1000
 * pages then, 1.3 now). Reading each page's reservation cues costs ~1 ms a page more than it did.
 */
export function buildScanReport(input: ReportInput): DeedScanReport {
  const { options } = input;
  const pages: PageReport[] = [];
  let fromCache = 0;
  let reduced = 0;
  let readable = 0;
  // The pages of each deed found so far, as digests; page_by_page decides each page on its own.
  const groups: PageDigest[][] = [];
  const tracker = options.mode === 'multi_deed' ? new DeedBoundaryTracker() : undefined;
  const ranges: DeedRange[] = [];
  let previous: PageText | undefined;
  for (const stored of input.pages) {
    if (isPageFailure(stored)) {
      pages.push({ page: stored.page, text_source: 'failed', ocr_quality: null, has_reservation: false, error: stored.error });
      continue;
    }
    if (stored.cached) fromCache++;
    if (stored.reducedReading) reduced++;
    readable++;
    const added = stored.addedLines ? { ocr_lines_added: stored.addedLines } : {};
    pages.push({ page: stored.page, text_source: stored.textSource, ocr_quality: round(stored.ocrQuality), has_reservation: false, ...added });
    const page: PageText = { page: stored.page, text: stored.text, ocrQuality: stored.ocrQuality };
    let startsDeed: boolean;
    if (options.mode === 'page_by_page') startsDeed = true;
    else if (tracker !== undefined) {
      const finished = tracker.push(page.page, page.text);
      if (finished !== undefined) ranges.push(finished);
      startsDeed = groups.length === 0 || finished !== undefined;
    } else startsDeed = groups.length === 0;
    // A deed's first page is read without the page before it: that page belongs to another deed.
    const digest = digestPage(page, startsDeed ? undefined : previous);
    if (startsDeed) groups.push([digest]);
    else groups[groups.length - 1]!.push(digest);
    previous = page;
  }
  const lastPage = input.stoppedEarly ? pages.reduce((last, p) => Math.max(last, p.page), 0) : input.pagesTotal;

  let deeds: DeedReport[];
  if (options.mode === 'page_by_page') {
    deeds = groups.map((group, i) => deedReport(i + 1, group[0]!.page, group[0]!.page, decideDigests(group, options.policy), options));
  } else if (tracker !== undefined) {
    const last = tracker.finish();
    if (last !== undefined) ranges.push(last);
    deeds = ranges.map((range, i) => {
      const end = i === ranges.length - 1 ? Math.max(range.endPage, lastPage) : ranges[i + 1]!.startPage - 1;
      return deedReport(i + 1, range.startPage, end, decideDigests(groups[i]!, options.policy), options);
    });
  } else {
    deeds = [deedReport(1, 1, Math.max(1, input.pagesTotal), decideDigests(groups[0] ?? [], options.policy), options)];
  }

  const reservedPages = new Set(deeds.flatMap((deed) => deed.evidence.filter((e) => e.counts).map((e) => e.page)));
  for (const page of pages) page.has_reservation = reservedPages.has(page.page);

  const positive = deeds.filter((deed) => deed.has_reservation);
  const hasReservation = positive.length > 0;
  // For the file: as sure as the surest "yes", or, for a "no", as sure as the least sure deed.
  // (Folded, not spread: Math.max(...list) overflows the stack past ~150,000 values, a page_by_page book's deeds.)
  const confidence = deeds.length === 0 ? 0 : hasReservation ? positive.reduce((m, d) => Math.max(m, d.confidence), 0) : deeds.reduce((m, d) => Math.min(m, d.confidence), 1);
  const failed = pages.filter((page) => page.text_source === 'failed').length;
  const flags = new Set(deeds.flatMap((deed) => deed.review_flags));
  if (failed > 0) flags.add('pages_failed');
  // Read at a lower resolution (after their worker died, or within the PDF reader's memory limit): worth a look.
  if (reduced > 0) flags.add('pages_read_reduced');
  if (readable === 0) flags.add('no_text');
  return {
    file: input.file,
    mode: options.mode,
    policy: options.policy,
    ocr_engine: input.ocrEngine,
    pages_total: input.pagesTotal,
    pages_processed: pages.length,
    pages_failed: failed,
    pages_from_cache: fromCache,
    stopped_early: input.stoppedEarly,
    has_reservation: hasReservation,
    confidence: round(confidence),
    reservation_probability: deeds.length === 0 ? 0 : round(deeds.reduce((m, d) => Math.max(m, d.reservation_probability), 0)),
    deeds,
    pages,
    review_flags: [...flags],
    peak_rss_mb: Math.round(input.peakRssMb),
    elapsed_ms: input.elapsedMs,
  };
}

function csvField(value: string | number | boolean): string {
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One row per deed (in page_by_page mode, per page): the columns a land professional files. */
export function scanReportToCsv(report: DeedScanReport): string {
  const header = ['file', 'deed', 'page_start', 'page_end', 'has_reservation', 'confidence', 'reservation_probability', 'clause_types', 'evidence_page', 'evidence_quote', 'review_flags'];
  const rows = report.deeds.map((deed) => {
    const deciding = deed.evidence.find((e) => e.counts) ?? deed.evidence[0];
    return [
      report.file,
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
    ].map(csvField);
  });
  return [header.join(','), ...rows.map((row) => row.join(','))].join('\n') + '\n';
}
