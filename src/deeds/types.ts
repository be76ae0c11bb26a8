/** Shared data types of the deed classifier. Plain data only, so results serialise to JSON rows as they are. */

/** How a mineral clause relates to the instrument it appears in (see shared/deeds/README.md, the labelling policy). */
export type ClauseType =
  | 'new_reservation' // the instrument itself reserves or excepts
  | 'prior_reservation' // restates / carries an earlier reservation or exception
  | 'subject_to_specific' // subject to a specifically identified lease or earlier reservation
  | 'conveyance' // grants the minerals to the grantee
  | 'coal_only' // a reservation/exception of coal and nothing that the policy counts
  | 'generic_of_record'; // "subject to all reservations ... of record", "any outstanding oil and gas leases"

export type Substance = 'oil' | 'gas' | 'petroleum' | 'hydrocarbons' | 'coal' | 'minerals' | 'mining_rights';

export type PolicyName = 'balanced' | 'high-recall';

export interface PageText {
  /** 1-based page number in the source file. */
  page: number;
  text: string;
  /** 0..1 quality of the page's OCR (e.g. share of dictionary words); undefined when unknown. */
  ocrQuality?: number;
}

/** One mineral clause found in the text. Offsets are into the text of `page` (UTF-16 code units). */
export interface Evidence {
  /** Verbatim substring of the page text: `text.slice(start, end) === quote`. */
  quote: string;
  page: number;
  start: number;
  end: number;
  clauseType: ClauseType;
  substances: Substance[];
  /** 0..1: how cleanly the clause's words were read (share of words needing no OCR repair, word-likeness). */
  textQuality: number;
  /** 0..1: how strongly the wording supports `clauseType` (rule path only; reading quality is `textQuality`). */
  strength: number;
  /** Identifiers of the rules that produced the type, for audits and ablations. */
  rules: string[];
  /** True when the clause started on this page but continues on the next one. */
  continuesOnNextPage?: boolean;
  /** With `continuesOnNextPage`: the clause's words at the top of the next page (verbatim prefix of that page). */
  continuation?: string;
}

export type ReviewFlag =
  | 'no_text'
  | 'low_ocr_quality'
  | 'grey_zone_minerals_only'
  | 'conflicting_clauses'
  | 'weak_evidence'
  | 'unreadable_clause'
  | 'only_generic_or_excluded_clauses';

export interface DocumentDecision {
  hasReservation: boolean;
  /**
   * Probability that the deed has a reservation under the chosen policy (0..1), derived from the evidence.
   * `hasReservation === (confidence >= 0.5)`. The confidence that the decision is right is
   * `decisionConfidence = max(confidence, 1 - confidence)`.
   */
  confidence: number;
  decisionConfidence: number;
  policy: PolicyName;
  /** Evidence ordered by how much it supports the decision (deciding clause first). */
  evidence: Evidence[];
  reviewFlags: ReviewFlag[];
  /** Short human explanation of the decision. */
  reason: string;
}

/**
 * A page range [startPage, endPage] (1-based, inclusive) holding one instrument. An instrument that begins
 * halfway down a page shares that page with the one before: the earlier range ends on it at `endOffset`,
 * the later one starts on it at `startOffset` (the same offset in that page's text).
 */
export interface DeedRange {
  startPage: number;
  endPage: number;
  /** Offset in the text of startPage where the instrument begins; absent: the top of the page. */
  startOffset?: number;
  /** Offset in the text of endPage where the instrument ends (exclusive); absent: the end of the page. */
  endOffset?: number;
  /** Why the range starts here (the cue seen), or 'file_start'. */
  startCue: string;
}
