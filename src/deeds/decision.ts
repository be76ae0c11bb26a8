/**
 * Page classification (with clauses that straddle a page break) and the per-document decision.
 *
 * Confidence is defined as the probability that the deed has a reservation under the chosen policy.
 * It is built from the evidence, not from repeated votes:
 *   - each clause that counts under the policy supports "yes" with p = strength(rule path) x reading
 *     factor (0.55 + 0.45 x quality of the words it rests on); independent clauses combine as
 *     1 - prod(1 - p);
 *   - with no such clause the probability of a missed reservation grows as the OCR gets worse;
 *   - grey-zone clauses (minerals never naming oil or gas) under `balanced` and conflicting conveyances
 *     pull it towards 0.5.
 * `hasReservation` is `confidence >= policy.threshold` (0.5 balanced, 0.25 high-recall);
 * `decisionConfidence` is the probability that the decision is right (p for yes, 1 - p for no).
 */
import { extractClauses, unreadableReservationCues, type Clause } from './clauses.js';
import { policyFor, type PolicyOptions } from './policy.js';
import { estimateOcrQuality } from './quality.js';
import type { DocumentDecision, Evidence, PageText, PolicyName, ReviewFlag, Substance } from './types.js';

/** Characters of the previous page prepended so a clause cut by the page break is read whole. */
export const PAGE_TAIL_CHARS = 600;

export interface ClassifyPageOptions {
  /** The previous page, when the caller has it: clauses starting there and ending here are found. */
  previous?: { page: number; text: string };
}

/** Evidence plus what the decision needs and the JSON report does not. */
export interface PageEvidence extends Evidence {
  anchorStart: number;
  openEnded: boolean;
}

/**
 * All mineral clauses of one page. With `previous`, the tail of the previous page is read in front of this
 * page; a clause that starts in that tail and reaches into this page is attributed to the previous page
 * (quote cut at its end, `continuesOnNextPage: true`). Offsets are into the text of the page the quote is on.
 */
export function classifyPage(text: string, page: number, options: ClassifyPageOptions = {}): PageEvidence[] {
  const prev = options.previous;
  let tailStart = 0;
  let tail = '';
  if (prev !== undefined && prev.text.length > 0) {
    tailStart = Math.max(0, prev.text.length - PAGE_TAIL_CHARS);
    // Start the tail at a word boundary so no half word is read.
    while (tailStart > 0 && tailStart < prev.text.length && /\S/.test(prev.text[tailStart - 1]!)) tailStart++;
    tail = prev.text.slice(tailStart);
  }
  const joiner = tail.length > 0 ? '\n' : '';
  const offset = tail.length + joiner.length; // where this page starts in the combined text
  const combined = tail + joiner + text;
  const out: PageEvidence[] = [];
  for (const c of extractClauses(combined)) {
    const anchorHere = c.anchorStart >= offset;
    const startsHere = c.start >= offset;
    if (!anchorHere && c.end <= offset) continue; // entirely on the previous page: its own pass reports it
    if (startsHere) out.push(toEvidence(c, page, text, -offset, false));
    else if (prev !== undefined) {
      // Starts on the previous page: quote the part there, keep offsets in that page's text.
      const cut = { ...c, end: Math.min(c.end, tail.length) };
      const ev = toEvidence(cut, prev.page, prev.text, tailStart, c.end > offset);
      ev.anchorStart = c.anchorStart + tailStart;
      if (c.end > offset) ev.continuation = text.slice(0, c.end - offset).trimEnd();
      out.push(ev);
    }
  }
  return out;
}

function toEvidence(c: Clause, page: number, pageText: string, shift: number, continues: boolean): PageEvidence {
  let start = c.start + shift;
  let end = c.end + shift;
  // Trim whitespace so the quote is tidy; still a verbatim substring.
  while (start < end && /\s/.test(pageText[start]!)) start++;
  while (end > start && /\s/.test(pageText[end - 1]!)) end--;
  const ev: PageEvidence = {
    quote: pageText.slice(start, end),
    page,
    start,
    end,
    clauseType: c.clauseType,
    substances: c.substances,
    textQuality: round(c.textQuality),
    rules: c.rules,
    strength: c.strength,
    anchorStart: c.anchorStart + shift,
    openEnded: c.openEnded,
  };
  if (continues) ev.continuesOnNextPage = true;
  return ev;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

const OIL_GAS = new Set<Substance>(['oil', 'gas', 'petroleum', 'hydrocarbons']);

/** Does this clause make the deed positive under `policy`? */
export function countsUnderPolicy(e: Pick<Evidence, 'clauseType' | 'substances'>, policy: PolicyOptions): boolean {
  return policy.positiveTypes.includes(e.clauseType) && e.substances.some((s) => policy.countedSubstances.includes(s));
}

function isGrey(e: Pick<Evidence, 'clauseType' | 'substances'>, policy: PolicyOptions): boolean {
  return (
    policy.positiveTypes.includes(e.clauseType) &&
    !e.substances.some((s) => OIL_GAS.has(s)) &&
    e.substances.some((s) => policy.greySubstances.includes(s))
  );
}

/** Support one counted clause gives to "yes". */
export function clauseSupport(e: { strength: number; textQuality: number }): number {
  return e.strength * (0.55 + 0.45 * e.textQuality);
}

/** Probability of a reservation the OCR hid from us, given the document's reading quality (0..1). */
export function missProbability(docQuality: number): number {
  const q = Math.max(0, Math.min(1, docQuality));
  return 0.04 + 0.36 * (1 - q) * (1 - q);
}

/**
 * What the decision needs from one page, without the page's text, so a scan of any length keeps a few
 * hundred bytes a page (the clauses and their quotes) rather than every page's text until it decides.
 */
export interface PageDigest {
  page: number;
  /** Length of the text, and its characters that are not white space. */
  chars: number;
  nonSpaceChars: number;
  /** The page's OCR quality, or one estimated from its text. */
  quality: number;
  /** classifyPage's evidence, read with the previous page's tail when it was given. */
  evidence: PageEvidence[];
  /** "excepting and reserving" followed by words nobody can read. */
  unreadableClause: boolean;
}

/** The digest of one page; `previous` is the page before it in the same document, when there is one. */
export function digestPage(page: PageText, previous?: PageText): PageDigest {
  const options: ClassifyPageOptions = previous !== undefined && previous.page === page.page - 1 ? { previous: { page: previous.page, text: previous.text } } : {};
  return {
    page: page.page,
    chars: page.text.length,
    nonSpaceChars: page.text.replace(/\s+/g, '').length,
    quality: page.ocrQuality ?? estimateOcrQuality(page.text),
    evidence: classifyPage(page.text, page.page, options),
    unreadableClause: unreadableReservationCues(page.text).length > 0,
  };
}

/** Digests of a document's pages, each page read with the tail of the one before. */
function digestPages(pages: readonly PageText[]): PageDigest[] {
  const sorted = [...pages].sort((a, b) => a.page - b.page);
  return sorted.map((page, i) => digestPage(page, i > 0 ? sorted[i - 1] : undefined));
}

/** One evidence per clause from the pages' digests (in page order). The digests are not changed. */
function mergeEvidence(digests: readonly PageDigest[]): PageEvidence[] {
  const byKey = new Map<string, PageEvidence>();
  for (const digest of digests) {
    for (const e of digest.evidence) {
      // The same clause seen from two passes (page p alone, then again as the tail of p+1): the later pass
      // read more of it, so it wins.
      const key = `${e.page}:${e.anchorStart}`;
      const old = byKey.get(key);
      if (old === undefined || old.openEnded || e.continuesOnNextPage) byKey.set(key, e);
    }
  }
  // Several substance groups of one clause ("all oil and gas and all rights to develop the oil and gas")
  // share a quote start: keep one evidence per (page, quote start, type), the longest quote, the best reading.
  const seen = new Map<string, PageEvidence>();
  for (const found of byKey.values()) {
    const e = { ...found, substances: [...found.substances] };
    const k = `${e.page}:${e.start}:${e.clauseType}`;
    const old = seen.get(k);
    if (old === undefined) seen.set(k, e);
    else {
      const keep = e.strength > old.strength || (e.strength === old.strength && e.textQuality > old.textQuality) ? e : old;
      const other = keep === e ? old : e;
      keep.substances = [...new Set([...keep.substances, ...other.substances])];
      if (other.end > keep.end) {
        keep.end = other.end;
        keep.quote = other.quote;
      }
      seen.set(k, keep);
    }
  }
  return [...seen.values()];
}

/** Decide one document from its pages under a policy. Pure. */
export function decideDocument(pages: readonly PageText[], policyName: PolicyName | PolicyOptions = 'balanced'): DocumentDecision {
  return decideDigests(digestPages(pages), policyName);
}

/** Decide one document from its pages' digests (in page order) under a policy. Pure. */
export function decideDigests(pages: readonly PageDigest[], policyName: PolicyName | PolicyOptions = 'balanced'): DocumentDecision {
  const policy = policyFor(policyName);
  const flags = new Set<ReviewFlag>();
  const totalChars = pages.reduce((n, p) => n + p.nonSpaceChars, 0);
  if (pages.length === 0 || totalChars < 40) {
    return {
      // Nothing to read: most such files are blank or non-deed scans. Below both thresholds, flagged for a person.
      hasReservation: false,
      confidence: 0.2,
      decisionConfidence: 0.8,
      policy: policy.name,
      evidence: [],
      reviewFlags: ['no_text'],
      reason: 'no readable text',
    };
  }
  // Document reading quality: page qualities weighted by text length.
  let qSum = 0;
  let wSum = 0;
  for (const p of pages) {
    qSum += p.chars * p.quality;
    wSum += p.chars;
  }
  const docQuality = wSum === 0 ? 0 : qSum / wSum;
  if (docQuality < 0.6) flags.add('low_ocr_quality');

  const all = mergeEvidence(pages);
  const counted = all.filter((e) => countsUnderPolicy(e, policy));
  const grey = all.filter((e) => isGrey(e, policy));
  // Only an outright grant ("grant and convey unto the grantee ... the oil and gas") conflicts with a reservation;
  // "together with" / "including" phrases inside reservations are too often read as grants to count.
  const conveyOilGas = all.filter((e) => e.clauseType === 'conveyance' && e.strength >= 0.85 && e.substances.some((s) => OIL_GAS.has(s)));
  const excluded = all.filter((e) => !countsUnderPolicy(e, policy));

  let pNo = 1;
  for (const e of counted) pNo *= 1 - clauseSupport(e);
  let p: number;
  let reason: string;
  if (counted.length > 0) {
    p = 1 - pNo * (1 - missProbability(docQuality));
    const best = counted.reduce((m, e) => Math.max(m, clauseSupport(e)), 0);
    if (best < 0.6) flags.add('weak_evidence');
    if (conveyOilGas.length > 0) {
      // A grant of oil/gas to the grantee next to a reservation: one of them was probably misread.
      flags.add('conflicting_clauses');
      p = 0.5 + (p - 0.5) * 0.7;
    }
    reason = `${counted.length} counted clause(s); strongest: ${counted.sort((a, b) => clauseSupport(b) - clauseSupport(a))[0]!.clauseType}`;
  } else {
    p = missProbability(docQuality);
    reason = excluded.length > 0 ? `only excluded clauses (${[...new Set(excluded.map((e) => e.clauseType))].join(', ')})` : 'no mineral clause found';
    if (excluded.length > 0) flags.add('only_generic_or_excluded_clauses');
    if (pages.some((pg) => pg.unreadableClause)) {
      // "excepting and reserving" followed by words no one can read: could be oil and gas, could be a road.
      flags.add('unreadable_clause');
      p = Math.max(p, 0.4);
      reason = 'a reservation phrase whose object is unreadable';
    }
    if (grey.length > 0) {
      // The authors' labels treat minerals-only wording mostly, not always, as negative.
      p = Math.max(p, (0.3 * grey.reduce((m, e) => Math.max(m, clauseSupport(e)), 0)) / 0.95);
      reason = 'grey zone: minerals reserved without naming oil or gas';
    }
  }
  if (grey.length > 0 && !counted.some((e) => e.substances.some((s) => OIL_GAS.has(s)))) flags.add('grey_zone_minerals_only');

  p = Math.max(0.01, Math.min(0.99, p));
  const hasReservation = p >= policy.threshold;
  const order = (e: PageEvidence): number => (countsUnderPolicy(e, policy) ? 2 + clauseSupport(e) : isGrey(e, policy) ? 1 + clauseSupport(e) : clauseSupport(e));
  const evidence = [...all].sort((a, b) => order(b) - order(a) || a.page - b.page || a.start - b.start).map(stripInternal);
  return {
    hasReservation,
    confidence: round(p),
    decisionConfidence: round(hasReservation ? p : 1 - p),
    policy: policy.name,
    evidence,
    reviewFlags: [...flags],
    reason,
  };
}

function stripInternal(e: PageEvidence): Evidence {
  const { anchorStart: _a, openEnded: _o, ...rest } = e;
  return rest;
}
