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
 * affidavits of survivorship), found by their titles. (On a book made of the 41 dev deeds back to back, `npm
 * run eval:deeds`: page ranges found exactly 5 and starts found 14 from titles and openings alone; 19 and 31
 * with the granting clause and "Witnesseth"; 26 and 35 with stamps and the other instruments' titles; 28 and 35
 * once pages were drawn in bands, which changed the OCR of a few pages. The
 * rest have no cue a page-level reader can see, or a second granting sentence inside one deed, such as a
 * grant of chattels.)
 *
 * Each page is looked at once, through a bounded head and tail window: time is linear in the number of
 * pages and the loop always ends (the original splitter did not). `DeedBoundaryTracker` does the same page
 * by page for streaming callers.
 */
import { tokenize } from './tokens.js';
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
  { name: 'this_deed_made', weight: 3, pattern: /^(?:[a-z]{1,2} )?this deed (?:is )?(?:made|dated|entered)(?: into)? (?:this|the|on|as|at|effective|[0-9]+)\b/ },
  { name: 'this_indenture', weight: 3, pattern: /^(?:[a-z]{1,2} )?this indenture\b/ },
  { name: 'deed_title', weight: 2, pattern: new RegExp(`^(?:[a-z0-9]{1,3} )?${DEED_KIND} ?deed(?: [a-z]{1,2})?$`) },
  // A bare "DEED" line is also a running header in some deed books: it opens only after a clear close.
  { name: 'deed_title', weight: 1, pattern: /^(?:[a-z0-9]{1,3} )?deed(?: [a-z]{1,2})?$/ },
  { name: 'lease_title', weight: 2, pattern: /^(?:[a-z0-9]{1,3} )?(?:paid up )?(?:oil and gas|oil gas|gas and oil|oil) lease(?: [a-z]{1,2})?$/ },
  { name: 'this_agreement', weight: 2, pattern: /^(?:[a-z]{1,2} )?this (?:agreement|assignment|conveyance|instrument)(?: is)? (?:made|entered)\b/ },
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
 * bargain", "by these presents do grant"), on the canonical word stream. Recitals ("granted and conveyed
 * unto", "good right to bargain and sell") do not match.
 */
const GRANTING_CLAUSE = /\b(?:do|does|doth|doe|dees|dose)(?: hereby| now| by these presents)?(?: give)? grant\b|\bby these presents do (?:give )?grant\b/;
const WITNESSETH = /\bwitnesseth\b/;

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
}

function strongest(canon: string, cues: readonly Cue[]): { weight: number; cue: string } {
  let best = { weight: 0, cue: '' };
  for (const c of cues) if (c.weight > best.weight && c.pattern.test(canon)) best = { weight: c.weight, cue: c.name };
  return best;
}

/** Bounded-cost features of one page. */
export function pageBoundaryFeatures(page: number, text: string): PageBoundaryFeatures {
  const letters = text.replace(/[^A-Za-z]/g, '').length;
  if (letters < 40) {
    return { page, blank: true, opening: { weight: 0, cue: '' }, closing: { weight: 0, cue: '' }, granting: false, witnesseth: false };
  }
  let opening = { weight: 0, cue: '' };
  const lines = text.slice(0, HEAD_CHARS).split(/\r?\n/).filter((l) => /[A-Za-z]/.test(l)).slice(0, HEAD_LINES);
  let stamp: PageBoundaryFeatures['stamp'];
  for (const [i, line] of lines.entries()) {
    const lineCanon = tokenize(line).canon;
    const hit = strongest(lineCanon, OPENING);
    if (hit.weight > opening.weight) opening = hit;
    const counter = i < STAMP_LINES && stamp === undefined ? PAGE_STAMP.exec(lineCanon) : null;
    if (counter) {
      const k = Number(counter[1]);
      const n = Number(counter[2]);
      if (k >= 1 && k <= n) stamp = { k, n };
    }
  }
  if (stamp?.k === 1) opening = { weight: 3, cue: 'page_one_of_n' };
  // One reading of the whole page serves the body cues and the tail (its words from TAIL_CHARS before the end).
  const { tokens, canon, canonStart } = tokenize(text);
  const granting = GRANTING_CLAUSE.test(canon);
  const witnesseth = WITNESSETH.test(canon);
  if (granting && opening.weight < 2) opening = { weight: 2, cue: 'granting_clause' };
  const tailFrom = tokens.findIndex((t) => t.start >= text.length - TAIL_CHARS);
  const tail = tailFrom === -1 ? '' : canon.slice(canonStart[tailFrom]);
  return { page, blank: false, opening, closing: strongest(tail, CLOSING), granting, witnesseth, ...(stamp ? { stamp } : {}) };
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
      this.current = { startPage: page, endPage: page, startCue: 'file_start' };
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
        finished = this.current;
        this.current = { startPage: page, endPage: page, startCue: opensByCue ? f.opening.cue : 'second_witnesseth' };
        this.seen = { granting: f.granting, witnesseth: f.witnesseth };
      } else {
        this.current.endPage = page;
        this.seen = { granting: this.seen.granting || f.granting, witnesseth: this.seen.witnesseth || f.witnesseth };
      }
    }
    this.prev = f;
    return finished;
  }

  finish(): DeedRange | undefined {
    const last = this.current;
    this.current = undefined;
    this.prev = undefined;
    this.seen = { granting: false, witnesseth: false };
    return last;
  }
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
