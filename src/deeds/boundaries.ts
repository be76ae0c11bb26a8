/**
 * Deed boundary detection for files that hold several instruments.
 *
 * A page opens an instrument when its head carries an opening cue (a title such as "WARRANTY DEED", or the
 * formal openings "KNOW ALL MEN BY THESE PRESENTS", "THIS DEED, made", "THIS INDENTURE"); an instrument
 * closes with the recorder's certificate ("Received for record", "Recorder of Deeds", "recorded in Deed
 * Book ... this day") or a blank page. A split needs an opening that is either strong by itself or follows
 * a close, so the "Deed Book 12 page 34" running header of every recorded page does not split a deed.
 *
 * Titles and formal openings are often lost on real scans (stamps over them, decorative type, a cover sheet
 * first), so the body of the page counts too: every deed has one operative granting clause ("does hereby
 * grant and convey", "by these presents do grant, bargain, sell") and one "Witnesseth". A granting clause
 * is an opening by itself after any close, and a second granting clause or "Witnesseth" in what is taken
 * to be one instrument starts the next one. Modern recordings carry an e-recording stamp, "Page 1 of n", at
 * the top of each page; deed books also hold instruments that are not deeds (certificates of transfer,
 * affidavits of survivorship), found by their titles. A deed book records instruments one after another, so
 * one often begins halfway down a page, below the acknowledgment or recorder's certificate of the one before:
 * that page is shared, the earlier range ending on it and the later one starting on it at the same offset.
 * (On a book made of the 41 dev deeds back to back, `npm run eval:deeds`: page ranges found exactly 5 and
 * starts found 14 from titles and openings alone; 19 and 31 with the granting clause and "Witnesseth"; 26 and
 * 35 with stamps and the other instruments' titles; 28 and 35 once pages were drawn in bands, which changed
 * the OCR of a few pages; 29 and 35 with shared pages and grants "for the consideration aforesaid"; 32 and 37
 * with the garbled openings below ("RAIS DEED, Made this", "do hereby gra ntl arg in sell and convey"), and 3
 * more whose range runs on to the top of the next file's first page, which opens with the end of an
 * instrument not in the book. The rest have no cue a page-level reader can see.)
 *
 * Each page is looked at once, through a bounded head and tail window: time is linear in the number of
 * pages and the loop always ends (the original splitter did not). `DeedBoundaryTracker` does the same page
 * by page for streaming callers.
 */
import { tokenize, type TokenStream } from './tokens.js';
import type { DeedRange } from './types.js';

/** Characters of a page's head / tail that are searched for cues. */
const HEAD_CHARS = 1200;
const TAIL_CHARS = 1500;

interface Cue {
  name: string;
  weight: number;
  pattern: RegExp;
}

// Opening cues are matched per line of the page head, on the canonical word stream of that line (lower case,
// OCR-repaired, single spaces): a title must be the whole line, a formal opening must start the line. Phrases
// met mid-sentence ("... this deed is made under ...", "Exhibit A to that certain warranty deed") do not count.
const DEED_KIND =
  '(?:general |special |limited )?(?:warranty|quit ?claim|quitclaim|fiduciary|executor s|executors|executrix s|executrix|administrator s|administrators|administratrix s|administratrix|trustee s|trustees|sheriff s|sheriffs|guardian s|survivorship|correction|corrective|gift|bargain and sale|mineral|tax|deed of)';
const OPENING: Cue[] = [
  { name: 'know_all_men', weight: 3, pattern: /^(?:[a-z]{1,2} )?know all (?:men|persons|people)\b/ },
  {
    name: 'this_deed_made',
    weight: 3,
    // "THIS DEED, made", "THIS GENERAL WARRANTY DEED is made", "THIS DEED OF CONVEYANCE, made"
    pattern: new RegExp(`^(?:[a-z]{1,2} )?this (?:${DEED_KIND} ?)?deed(?: of [a-z]+)? (?:is )?(?:made|dated|entered)(?: into)? (?:this|the|on|as|at|effective|[0-9]+)\\b`),
  },
  { name: 'this_indenture', weight: 3, pattern: /^(?:[a-z]{1,2} )?this indenture\b/ },
  // The same opening with "THIS" misread ("RAIS DEED, Made this"): weaker, it opens after a close or a grant.
  // A recital that happens to start a line ("said deed made the 5th day of May") is not one.
  {
    name: 'this_deed_made',
    weight: 2,
    pattern: /^(?:[a-z]{1,2} )?(?!(?:said|such|that|same|each|which|whose|the|his|her|their|our|any|one|every|prior|above|last|first|new|old)\b)[a-z]{3,5} deed(?: [a-z]{1,2})? (?:is )?(?:made|dated|entered)(?: into)? (?:this|the|on)\b/,
  },
  { name: 'deed_title', weight: 2, pattern: new RegExp(`^(?:[a-z0-9]{1,3} )?${DEED_KIND} ?deed(?: [a-z]{1,2})?$`) },
  { name: 'deed_title', weight: 2, pattern: /^(?:[a-z0-9]{1,3} )?deed of (?:gift|conveyance|correction|confirmation|release|partition|distribution|trust)(?: [a-z]{1,2})?$/ },
  // Other instruments a deed book records between deeds: each starts an instrument of its own.
  {
    name: 'instrument_title',
    weight: 2,
    pattern: /^(?:[a-z0-9]{1,3} )?(?:mortgage|open end mortgage|easement|right of way(?: agreements?| grant)?|pipe ?line right of way|assignment of (?:oil and gas )?leases?|memorandum of (?:oil and gas )?lease|release of mortgage|satisfaction of mortgage|power of attorney)(?: [a-z]{1,2})?$/,
  },
  // A bare "DEED" line is also a running header in some deed books: it opens only after a clear close.
  { name: 'deed_title', weight: 1, pattern: /^(?:[a-z0-9]{1,3} )?deed(?: [a-z]{1,2})?$/ },
  { name: 'lease_title', weight: 2, pattern: /^(?:[a-z0-9]{1,3} )?(?:paid up )?(?:oil and gas|oil gas|gas and oil|oil) lease(?: [a-z]{1,2})?$/ },
  { name: 'this_agreement', weight: 2, pattern: /^(?:[a-z]{1,2} )?this (?:agreement|assignment|conveyance|instrument|mortgage|lease|easement)(?: is)? (?:made|entered)\b/ },
  { name: 'made_this_day', weight: 1, pattern: /^(?:[a-z]{1,2} )?(?:made|dated) (?:and entered into )?(?:this|the) [a-z0-9]+ (?:day )?(?:of )?[a-z]+/ },
  { name: 'witnesseth', weight: 1, pattern: /\bwitnesseth\b/ },
  // Other instruments recorded in deed books: a probate court's certificate of transfer, an affidavit of
  // survivorship. In a body they are recitals ("conveyed by Certificate of Transfer recorded in ..."), so only
  // a line that is the title, after at most a few stamp fragments ("#8501"), counts.
  { name: 'certificate_of_transfer', weight: 2, pattern: /^(?:[a-z0-9]{1,5} ){0,3}(?:amended )?certificate (?:for|of) transfer(?: of real estate)?$/ },
  { name: 'affidavit_title', weight: 2, pattern: /^(?:[a-z0-9]{1,5} ){0,3}affidavit (?:as to |of )?(?:succession|survivorship|heirship|death)\b/ },
];
/** Instruments opened by these cues convey nothing, so they have no granting clause of their own. */
const NOT_CONVEYANCES = new Set(['certificate_of_transfer', 'affidavit_title']);
/**
 * The page counter an e-recording system stamps at the top of every page of an instrument ("Inst. # 2019
 * 12952 - Page 1 of 6"): page 1 opens an instrument, and a later page continues one. (The count itself is
 * not trusted to say where the instrument ends: a file may hold only some of its pages.)
 */
const PAGE_STAMP = /\bpage ([0-9]{1,3}) of ([0-9]{1,3})\b/;
/** Lines at the top of a page searched for the page stamp. */
const STAMP_LINES = 3;
/** Lines of the page head searched for opening cues. */
const HEAD_LINES = 40;

const CLOSING: Cue[] = [
  { name: 'received_for_record', weight: 2, pattern: /\b(?:received|filed|entered|left|presented) for record\b/ },
  { name: 'admitted_to_record', weight: 2, pattern: /\badmitted to record\b/ },
  { name: 'recorder_certificate', weight: 2, pattern: /\brecorder of deeds\b|\brecorder s office\b.*\b(?:recorded|book)\b/ },
  // Also the "Being the same premises ... recorded in Deed Book" recital: a weak close on its own.
  { name: 'recorded_in_book', weight: 1, pattern: /\brecorded (?:in|on|this)\b.{0,80}\b(?:book|volume|instrument|page)\b/ },
  { name: 'instrument_number', weight: 1, pattern: /\binstrument (?:number|no|num)\b/ },
  { name: 'commission_expires', weight: 1, pattern: /\bcommission expires\b|\bnotary public\b/ },
];

/**
 * The operative words of a conveyance, present tense ("the said grantor does hereby grant", "do give, grant,
 * bargain", "by these presents do grant", "do hereby bargain, sell and convey", also when OCR has garbled the
 * words between: "do hereby gra ntl arg in sell and convey"), on the canonical word stream. Recitals
 * ("granted and conveyed unto", "good right to bargain and sell") do not match.
 */
const GRANTING_CLAUSE =
  /\b(?:do|does|doth|doe|dees|dose)(?: hereby| now| by these presents)?(?: give)? grant\b|\bby these presents do (?:give )?grant\b|\b(?:do|does|doth) hereby (?:[a-z]+ ){0,6}?(?:sell|convey)\b/g;
/**
 * A grant "for the consideration aforesaid" points back at the consideration of the instrument it is in:
 * a second grant (of other land, of chattels) inside one deed, not the start of the next.
 */
const CONSIDERATION_AFORESAID = /\b(?:consideration aforesaid|aforesaid consideration|consideration above (?:mentioned|named|recited))\b/;
/** Canonical characters before a granting clause searched for CONSIDERATION_AFORESAID: one sentence's head. */
const AFORESAID_WINDOW = 120;

/** The first granting clause on the page that is not a grant "for the consideration aforesaid". */
function firstGrantingClause(canon: string): RegExpExecArray | undefined {
  for (const m of canon.matchAll(GRANTING_CLAUSE)) {
    if (!CONSIDERATION_AFORESAID.test(canon.slice(Math.max(0, m.index - AFORESAID_WINDOW), m.index))) return m;
  }
  return undefined;
}
const WITNESSETH = /\bwitnesseth\b/;

/**
 * What ends an instrument when it stands above a new one on the same page. Deed books record instruments
 * one after the other, so a deed often begins halfway down a page, below the acknowledgment ("acknowledged
 * the foregoing Indenture", "Notary Public") or the recorder's certificate of the one before. Recitals
 * ("recorded in Deed Book 120") do not count: they sit inside a deed.
 */
const INSTRUMENT_END =
  /\b(?:received|filed|entered|left|presented) for record\b|\badmitted to record\b|\brecorder of deeds\b|\bcommission expires\b|\bnotary public\b|\backnowledged the (?:foregoing|within|above|annexed) (?:indenture|deed|instrument|conveyance|writing)\b/g;
/**
 * Letters above an opening needed before the page counts as shared: a recording stamp or a few header lines at
 * the top of a deed's own first page ("Received for record ... Deed Book 304 page 409") are not the end of
 * another instrument. About five typed lines.
 */
const MIN_LETTERS_ABOVE = 300;

export interface PageBoundaryFeatures {
  page: number;
  blank: boolean;
  opening: { weight: number; cue: string };
  closing: { weight: number; cue: string };
  /** Words an instrument has once: its granting clause, its "Witnesseth". */
  granting: boolean;
  witnesseth: boolean;
  /** "Page k of n" stamped at the top of the page. */
  stamp?: { k: number; n: number };
  /**
   * Where the previous instrument ends on this page, when the page opens a new one below the end of the
   * one before (its acknowledgment or recorder's certificate above the opening): the offset in the page
   * text from which the page belongs to the new instrument. Absent when the opening is at the top.
   */
  sharedFrom?: number;
}

function strongest(canon: string, cues: readonly Cue[]): { weight: number; cue: string } {
  let best = { weight: 0, cue: '' };
  for (const c of cues) if (c.weight > best.weight && c.pattern.test(canon)) best = { weight: c.weight, cue: c.name };
  return best;
}

function countLetters(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i) | 0x20;
    if (c >= 0x61 && c <= 0x7a) n++;
  }
  return n;
}

/** Text offset of the token that holds position `at` of the canonical stream. */
function textOffsetOf(tokens: readonly { start: number }[], canonStart: readonly number[], at: number): number {
  let lo = 0;
  let hi = canonStart.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (canonStart[mid]! <= at) lo = mid;
    else hi = mid - 1;
  }
  return tokens[lo]?.start ?? 0;
}

/**
 * Where a page stops belonging to the instrument above `openingAt`: the start of the line after the last
 * INSTRUMENT_END cue above it. Undefined when the text above is a page head, not an instrument's end.
 * Reads the page's own token stream (already built for the body cues), up to the opening.
 */
function instrumentEndAbove(text: string, stream: TokenStream, openingAt: number): number | undefined {
  if (openingAt <= 0 || countLetters(text.slice(0, openingAt)) < MIN_LETTERS_ABOVE) return undefined;
  const { tokens, canon, canonStart } = stream;
  let firstBelow = tokens.findIndex((t) => t.start >= openingAt);
  if (firstBelow === -1) firstBelow = tokens.length;
  const above = firstBelow < tokens.length ? canon.slice(0, canonStart[firstBelow]) : canon;
  let lastCue = -1;
  for (const m of above.matchAll(INSTRUMENT_END)) lastCue = m.index;
  if (lastCue === -1) return undefined;
  const lineEnd = text.indexOf('\n', textOffsetOf(tokens, canonStart, lastCue));
  return lineEnd === -1 || lineEnd + 1 > openingAt ? openingAt : lineEnd + 1;
}

/** Bounded-cost features of one page. */
export function pageBoundaryFeatures(page: number, text: string): PageBoundaryFeatures {
  const letters = countLetters(text);
  if (letters < 40) {
    return { page, blank: true, opening: { weight: 0, cue: '' }, closing: { weight: 0, cue: '' }, granting: false, witnesseth: false };
  }
  let opening = { weight: 0, cue: '' };
  let openingAt = 0;
  let stamp: PageBoundaryFeatures['stamp'];
  // The head's lines with a letter, each with its offset in the page text.
  const head = text.slice(0, HEAD_CHARS);
  let seen = 0;
  for (let lineStart = 0; lineStart < head.length && seen < HEAD_LINES; ) {
    const newline = head.indexOf('\n', lineStart);
    const lineEnd = newline === -1 ? head.length : newline;
    const line = head.slice(lineStart, lineEnd);
    if (/[A-Za-z]/.test(line)) {
      const lineCanon = tokenize(line).canon;
      const hit = strongest(lineCanon, OPENING);
      if (hit.weight > opening.weight) {
        opening = hit;
        openingAt = lineStart;
      }
      const counter = seen < STAMP_LINES && stamp === undefined ? PAGE_STAMP.exec(lineCanon) : null;
      if (counter) {
        const k = Number(counter[1]);
        const n = Number(counter[2]);
        if (k >= 1 && k <= n) stamp = { k, n };
      }
      seen++;
    }
    lineStart = lineEnd + 1;
  }
  if (stamp?.k === 1) {
    opening = { weight: 3, cue: 'page_one_of_n' };
    openingAt = 0;
  }
  // One reading of the whole page serves the body cues and the tail (its words from TAIL_CHARS before the end).
  const stream = tokenize(text);
  const { tokens, canon, canonStart } = stream;
  const grantingMatch = firstGrantingClause(canon);
  const witnessethMatch = WITNESSETH.exec(canon);
  const granting = grantingMatch !== undefined;
  const witnesseth = witnessethMatch !== null;
  if (grantingMatch && opening.weight < 2) {
    opening = { weight: 2, cue: 'granting_clause' };
    openingAt = textOffsetOf(tokens, canonStart, grantingMatch.index);
  }
  // Where the new instrument shows itself first: its opening, or a "Witnesseth" above a granting clause.
  let firstSign = opening.weight > 0 ? openingAt : -1;
  if (witnessethMatch) {
    const witnessethAt = textOffsetOf(tokens, canonStart, witnessethMatch.index);
    if (firstSign === -1 || witnessethAt < firstSign) firstSign = witnessethAt;
  }
  const sharedFrom = firstSign > 0 ? instrumentEndAbove(text, stream, firstSign) : undefined;
  const tailFrom = tokens.findIndex((t) => t.start >= text.length - TAIL_CHARS);
  const tail = tailFrom === -1 ? '' : canon.slice(canonStart[tailFrom]);
  return {
    page, blank: false, opening, closing: strongest(tail, CLOSING), granting, witnesseth,
    ...(stamp ? { stamp } : {}), ...(sharedFrom !== undefined ? { sharedFrom } : {}),
  };
}

/**
 * Streaming boundary detector: `push` pages in order; it returns a finished range when a page opens a new
 * instrument. `finish` returns the last range. O(1) work and memory per page.
 */
export class DeedBoundaryTracker {
  private current: DeedRange | undefined;
  private prev: PageBoundaryFeatures | undefined;
  /** What the current instrument has already had once. */
  private seen = { granting: false, witnesseth: false };

  push(page: number, text: string): DeedRange | undefined {
    const f = pageBoundaryFeatures(page, text);
    let finished: DeedRange | undefined;
    if (this.current === undefined) {
      // A file that opens with the end of another instrument: its first deed starts below that end.
      this.current = { startPage: page, endPage: page, startCue: 'file_start', ...(f.sharedFrom !== undefined ? { startOffset: f.sharedFrom } : {}) };
      this.seen = { granting: f.granting, witnesseth: f.witnesseth };
    } else if (f.stamp !== undefined && f.stamp.k > 1) {
      // A page its recording stamp counts as page 2 or later of an instrument continues it, whatever titles
      // or exhibits it shows.
      this.current.endPage = page;
      this.seen = { granting: this.seen.granting || f.granting, witnesseth: this.seen.witnesseth || f.witnesseth };
    } else {
      const prev = this.prev!;
      const closedBefore = prev.blank || prev.closing.weight >= 2;
      const opensByCue =
        !f.blank &&
        (f.opening.weight >= 3 ||
          // A title or granting clause in an instrument that already has its granting clause (or is not a
          // conveyance, and so has none to wait for) starts the next one.
          (f.opening.weight >= 2 && (closedBefore || prev.closing.weight >= 1 || this.seen.granting || NOT_CONVEYANCES.has(this.current.startCue))) ||
          (f.opening.weight >= 1 && closedBefore && !prev.blank) ||
          (f.opening.weight >= 1 && prev.blank && this.current.endPage > this.current.startPage));
      // Counted apart from the granting clause: "Witnesseth" on page 1 and the granting clause after long
      // recitals on page 2 is one deed.
      const opensByRepeat = !opensByCue && !f.blank && f.witnesseth && this.seen.witnesseth;
      if (opensByCue || opensByRepeat) {
        const startCue = opensByCue ? f.opening.cue : 'second_witnesseth';
        if (f.sharedFrom === undefined) {
          finished = this.current;
          this.current = { startPage: page, endPage: page, startCue };
        } else {
          // The page ends one instrument and starts the next: both ranges hold it, cut at sharedFrom.
          finished = { ...this.current, endPage: page, endOffset: f.sharedFrom };
          this.current = { startPage: page, endPage: page, startCue, startOffset: f.sharedFrom };
        }
        this.seen = { granting: f.granting, witnesseth: f.witnesseth };
      } else {
        this.current.endPage = page;
        this.seen = { granting: this.seen.granting || f.granting, witnesseth: this.seen.witnesseth || f.witnesseth };
      }
    }
    this.prev = f;
    return finished;
  }

  /** The instrument being read (the range the last page pushed belongs to), or undefined before the first page. */
  openRange(): DeedRange | undefined {
    return this.current === undefined ? undefined : { ...this.current };
  }

  finish(): DeedRange | undefined {
    const last = this.current;
    this.current = undefined;
    this.prev = undefined;
    this.seen = { granting: false, witnesseth: false };
    return last;
  }
}

/**
 * `page` with only its characters in [from, to) kept: the text before `from` becomes spaces, so every
 * offset (an evidence quote's start and end) still points into the page as it was read.
 */
function keepPart<P extends { text: string }>(page: P, from: number, to: number): P {
  if (from <= 0 && to >= page.text.length) return page;
  return { ...page, text: ' '.repeat(from) + page.text.slice(from, to) };
}

/** `page` cut to the part that belongs to `range` (a shared first or last page holds two instruments' parts). */
export function cutToRange<P extends { page: number; text: string }>(page: P, range: DeedRange): P {
  const from = page.page === range.startPage ? (range.startOffset ?? 0) : 0;
  const to = page.page === range.endPage ? (range.endOffset ?? page.text.length) : page.text.length;
  return keepPart(page, from, to);
}

/**
 * `page` cut to the part that belongs to a single-deed file's own deed. A file cut from a deed book often
 * opens with the end of the instrument recorded before it (its acknowledgment, the recorder's certificate)
 * and may close with the start of the next one: neither is the deed the file is about, and a reservation
 * in them is not this deed's. So on the first page the text above an opening that follows such an end is
 * left out, and on the last page the text from a new instrument's opening (a title, a formal opening or a
 * granting clause below such an end) on. Other pages are whole.
 */
export function ownDeedPart<P extends { page: number; text: string }>(page: P, pagesTotal: number): P {
  const first = page.page === 1;
  const last = page.page === pagesTotal && !first;
  if (!first && !last) return page;
  const features = pageBoundaryFeatures(page.page, page.text);
  if (features.sharedFrom === undefined) return page;
  if (first) return keepPart(page, features.sharedFrom, page.text.length);
  return features.opening.weight >= 2 ? keepPart(page, 0, features.sharedFrom) : page;
}

/** Split a file's pages into instrument page ranges. Pages must be in order; linear time, always terminates. */
export function detectDeedStarts(pages: readonly { page: number; text: string }[]): DeedRange[] {
  const tracker = new DeedBoundaryTracker();
  const ranges: DeedRange[] = [];
  for (const p of pages) {
    const done = tracker.push(p.page, p.text);
    if (done !== undefined) ranges.push(done);
  }
  const last = tracker.finish();
  if (last !== undefined) ranges.push(last);
  return ranges;
}
