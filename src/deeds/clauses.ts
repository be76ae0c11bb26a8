/**
 * Mineral clause extraction over one text (a page, optionally with the tail of the previous page).
 *
 * Deed language is formulaic: a clause names its substances ("the oil, gas and other minerals") and its
 * relation to them is set by the nearest operative word before them ("excepting and reserving",
 * "together with", "subject to") or, less often, a passive after them ("... reserved by John Doe").
 * The rules below read that structure on the canonical word stream from tokens.ts, so OCR noise in
 * spelling does not matter; only the words and their order do. Nothing here knows any particular deed.
 */
import type { ClauseType, Substance } from './types.js';
import { tokenQuality } from './quality.js';
import { spanQuality, tokenize, type Token, type TokenStream } from './tokens.js';

export interface Clause {
  clauseType: ClauseType;
  substances: Substance[];
  /** Original-text offsets of the quote (trimmed to the clause). */
  start: number;
  end: number;
  /** Original-text offsets of the substance words the clause is about. */
  anchorStart: number;
  anchorEnd: number;
  /** 0..1: how strongly the wording supports `clauseType` (rule path only, not OCR quality). */
  strength: number;
  /** 0..1 reading quality of the words the decision rests on (cue .. substances). */
  textQuality: number;
  rules: string[];
  /** True when no closing punctuation was found before the end of the text: the clause may go on. */
  openEnded: boolean;
}

type Cls = 'reserve_verb' | 'reserve_noun' | 'convey' | 'including' | 'subject';

const CUE: Record<string, Cls> = {
  reserve: 'reserve_verb', reserves: 'reserve_verb', reserved: 'reserve_verb', reserving: 'reserve_verb',
  except: 'reserve_verb', excepts: 'reserve_verb', excepted: 'reserve_verb', excepting: 'reserve_verb',
  saving: 'reserve_verb', retain: 'reserve_verb', retains: 'reserve_verb', retained: 'reserve_verb',
  retaining: 'reserve_verb', excluding: 'reserve_verb',
  reservation: 'reserve_noun', reservations: 'reserve_noun', exception: 'reserve_noun', exceptions: 'reserve_noun',
  retention: 'reserve_noun',
  grant: 'convey', grants: 'convey', granting: 'convey', convey: 'convey', conveys: 'convey', conveying: 'convey',
  assign: 'convey', assigning: 'convey', transfer: 'convey', transfers: 'convey', transferring: 'convey',
  sell: 'convey', sells: 'convey', quitclaim: 'convey', remise: 'convey', release: 'convey', releases: 'convey',
  together: 'including', including: 'including', includes: 'including', include: 'including',
  subject: 'subject',
};

/** Words that end a substance group as a proper name or a thing, not the substance ("Gas Company", "gas line"). */
const ENTITY_AFTER = new Set([
  'company', 'co', 'corp', 'corporation', 'inc', 'supply', 'transmission', 'fixtures', 'fixture', 'line', 'lines',
  'main', 'mains', 'station', 'service', 'utilities', 'utility', 'heat', 'heater', 'furnace', 'stove', 'range',
  'meter', 'pipeline', 'pipelines', 'pipe', 'road', 'run', 'association', 'llc', 'lp', 'products', 'tank',
  'tanks', 'works', 'bank', 'contracts', 'contract', 'cloth', 'mill', 'house', 'shed', 'lamp', 'lamps', 'burner', 'engine', 'tax',
  // places named for the oil: Oil City, Oil Creek (Pennsylvania), Gas City
  'city', 'creek', 'township', 'borough', 'valley', 'springs',
]);
/** Words between the operative cue and the substances that show the substances are not what is reserved. */
const BLOCKERS = new Set([
  'pipe', 'pipeline', 'pipelines', 'lines', 'purpose', 'purposes', 'transportation', 'transporting', 'transport',
  'operations', 'drilling', 'storage', 'easement', 'easements', 'way', 'road', 'roads', 'wells',
  // activities: "the right to produce / explore for / lease and operate for oil and gas" is not the oil and gas
  'produce', 'producing', 'production', 'explore', 'exploring', 'exploration', 'develop', 'developing', 'drill',
  'operate', 'operating', 'remove', 'removing', 'removal', 'use', 'using', 'leasing', 'transporting', 'market',
  'marketing', 'store', 'storing',
]);
const GROUP_JOINERS = new Set(['and', 'ard', 'aud', 'amd', 'anc', 'snd', 'end', 'nd', 'a', 'or', 'other', 'all', 'the', 'of', 'natural', 'casinghead', 'its', 'their', 'any', 'to', 'in', 'rights', 'right']);
const PRIOR = new Set(['heretofore', 'previously', 'prior', 'formerly', 'predecessors', 'predecessor', 'earlier', 'former']);
const RECORD_REF = new Set(['book', 'volume', 'vol', 'page', 'pages', 'dated', 'recorded', 'instrument', 'deed', 'deeds', 'records']);
const GENERIC = new Set(['any', 'outstanding', 'existing', 'easements', 'restrictions', 'conditions', 'covenants', 'appear', 'apparent']);
const NOT_PASSED = new Set(['conveyed', 'included', 'granted', 'transferred', 'sold', 'intended']);
const NEGATORS = new Set(['not', 'no', 'nor', 'never']);
const COAL_WORDS = new Set(['coal', 'coals', 'seam', 'vein']);
const LEASE = new Set(['lease', 'leases', 'leasehold', 'leased']);
const DETERMINERS = new Set(['this', 'the', 'said', 'such', 'a', 'an', 'its', 'his', 'her', 'their', 'which']);
/** What a reservation may keep out of a lease: "reserving all rentals and royalties from any oil and gas lease". */
const LEASE_INCOME = new Set(['royalty', 'royalties', 'rental', 'rentals', 'rents', 'income', 'bonus', 'proceeds']);

/** Words that may stand between the substances and a verb whose subject they are ("the oil and gas rights are hereby conveyed"). */
const LINKING = new Set([
  'are', 'is', 'being', 'be', 'hereby', 'herein', 'also', 'which', 'that', 'rights', 'right', 'interest', 'interests',
  'shall', 'will', 'expressly', 'to', 'hereunder', 'thereby', 'specifically', 'all', 'of', 'said',
]);
/** The substances pass with the land: "are hereby conveyed", "being included in this conveyance". */
const PASSING = new Set(['conveyed', 'granted', 'included', 'transferred']);
/** "which pass to the grantee", "goes with the land". */
const PASS_VERBS = new Set(['pass', 'passes', 'passing', 'go', 'goes']);
const RESERVED_WORDS = new Set(['reserved', 'excepted', 'retained']);
/** "not only the coal but also", "including but not limited to", "not less than one-half": the negator does not exclude. */
const NOT_A_CARVE_OUT = new Set(['only', 'limited', 'less', 'more', 'exceeding', 'to']);

const MAX_BACK = 40;
const MAX_FORWARD = 40;
const MAX_QUOTE_CHARS = 600;
/** Cue-to-substance distance (words) within which the cue plainly governs the substances. */
const NEAR = 20;

/** Words that name a substance for sure, used to read an ambiguous "oll" (oil or all) by its neighbours. */
const SURE_SUBSTANCE = new Set(['gas', 'gases', 'coal', 'minerals', 'mineral', 'petroleum']);

function substanceOf(tokens: readonly Token[], i: number): Substance | undefined {
  const w = tokens[i]!.w;
  if (w === 'oll') {
    // "oll and gas", "oll, gas and coal" -> oil; "subject to oll legal highways" -> all.
    const near = [tokens[i + 1]?.w, tokens[i + 2]?.w, tokens[i - 1]?.w, tokens[i - 2]?.w];
    // "the oll" is never "the all".
    return tokens[i - 1]?.w === 'the' || near.some((x) => x !== undefined && SURE_SUBSTANCE.has(x)) ? 'oil' : undefined;
  }
  switch (w) {
    case 'oil':
    case 'oils':
      return 'oil';
    case 'gas':
    case 'gases':
    case 'methane':
      return 'gas';
    case 'petroleum':
      return 'petroleum';
    case 'hydrocarbon':
    case 'hydrocarbons':
      return 'hydrocarbons';
    case 'coal':
    case 'coals':
    case 'coalbed':
      return 'coal';
    case 'mineral':
    case 'minerals':
      return 'minerals';
    case 'mining': {
      const next = tokens[i + 1]?.w;
      return next === 'rights' || next === 'right' ? 'mining_rights' : undefined;
    }
    default:
      return undefined;
  }
}

interface Group {
  from: number; // first substance token
  to: number; // last substance token (inclusive)
  substances: Set<Substance>;
}

/** Substance words close together ("oil, gas and other minerals") form one group, the unit a clause is about. */
function findGroups(tokens: readonly Token[]): Group[] {
  const groups: Group[] = [];
  let cur: Group | undefined;
  let gap = 0;
  for (let i = 0; i < tokens.length; i++) {
    const s = substanceOf(tokens, i);
    if (s !== undefined && !(cur !== undefined && tokens[i]!.brk === 2)) {
      if (cur === undefined) cur = { from: i, to: i, substances: new Set([s]) };
      else {
        cur.to = i;
        cur.substances.add(s);
      }
      gap = 0;
      continue;
    }
    if (cur !== undefined) {
      if (GROUP_JOINERS.has(tokens[i]!.w) && gap < 3 && tokens[i]!.brk < 2) {
        gap++;
        continue;
      }
      groups.push(cur);
      cur = undefined;
      gap = 0;
      if (s !== undefined) cur = { from: i, to: i, substances: new Set([s]) };
    }
  }
  if (cur !== undefined) groups.push(cur);
  // A group immediately followed by "Company", "line", "fixtures" ... names a thing, not a substance.
  return groups.filter((g) => !ENTITY_AFTER.has(tokens[g.to + 1]?.w ?? ''));
}

interface Cue {
  index: number;
  cls: Cls;
}

function isNumber(w: string): boolean {
  return /^[0-9]{2,}$/.test(w);
}

/** Does tokens[from, to) identify one instrument (date, book/volume/page, instrument number, a named party)? */
function specificReference(tokens: readonly Token[], text: string, from: number, to: number): string[] {
  const found: string[] = [];
  for (let i = Math.max(0, from); i < Math.min(tokens.length, to); i++) {
    const w = tokens[i]!.w;
    if (w === 'dated' || w === 'executed') found.push('date');
    else if (w === 'book' || w === 'volume' || w === 'vol' || w === 'page' || w === 'instrument') found.push('record_ref');
    else if (w === 'lessee' || w === 'lessees' || w === 'company' || w === 'corporation' || w === 'inc' || w === 'llc') found.push('party');
    else if (isNumber(w)) found.push('number');
    else if ((w === 'to' || w === 'unto') && i + 1 < tokens.length) {
      const next = tokens[i + 1]!;
      const raw = text.slice(next.start, next.end);
      if (/^[A-Z]/.test(raw) && !['the', 'said', 'grantee', 'grantees', 'grantor', 'grantors', 'party', 'parties'].includes(next.w)) found.push('party');
    }
  }
  return found;
}

function hasGeneric(tokens: readonly Token[], from: number, to: number): string[] {
  const found: string[] = [];
  for (let i = Math.max(0, from); i < Math.min(tokens.length, to); i++) {
    const w = tokens[i]!.w;
    if (GENERIC.has(w)) found.push(w);
    else if (w === 'record' && tokens[i - 1]?.w === 'of') found.push('of_record');
    else if (w === 'if' && tokens[i + 1]?.w === 'any') found.push('if_any');
  }
  return found;
}

/** Does the sentence open with "Being" (a recital of what is conveyed) shortly before the substances? */
function isRecital(tokens: readonly Token[], text: string, clauseStart: number, groupFrom: number): boolean {
  for (let i = Math.max(clauseStart, groupFrom - 8); i < groupFrom; i++) {
    const t = tokens[i]!;
    // Sentence-initial: after a break, at the clause start, or written "Being"/"BEING" (OCR often loses the period).
    if (t.w === 'being' && (i === clauseStart || t.brk >= 1 || text[t.start] === 'B')) return true;
  }
  return false;
}

function hasBreak(tokens: readonly Token[], from: number, to: number): boolean {
  for (let i = Math.max(0, from); i < Math.min(tokens.length, to); i++) if (tokens[i]!.brk >= 1) return true;
  return false;
}

function hasAny(tokens: readonly Token[], from: number, to: number, set: ReadonlySet<string>): boolean {
  for (let i = Math.max(0, from); i < Math.min(tokens.length, to); i++) if (set.has(tokens[i]!.w)) return true;
  return false;
}

/** Extract the mineral clauses of `text`. Pure; linear in the text length (bounded windows per substance). */
export function extractClauses(text: string, stream: TokenStream = tokenize(text)): Clause[] {
  const { tokens } = stream;
  const clauses: Clause[] = [];
  for (const g of findGroups(tokens)) {
    const clause = classifyGroup(tokens, text, g);
    if (clause !== undefined) clauses.push(clause);
  }
  return clauses;
}

/**
 * A reservation can carve the substances out of itself: "reserving all the coal, but not the oil and gas",
 * "reserving all minerals except oil and gas", "reserving the coal, the oil and gas being included in this
 * conveyance", "the oil and gas are not reserved". Then the substances pass to the grantee. Returns what
 * carved them out, or undefined. Present tense only: "the oil and gas heretofore conveyed to X" is an
 * exception of an earlier severance, not a carve-out.
 */
function carvedOutOfReservation(tokens: readonly Token[], g: Group, cueIndex: number, clauseStart: number, clauseEnd: number): string | undefined {
  // "but not (including) the oil and gas", "no part of the oil", "other than the oil and gas" just before the substances.
  for (let i = Math.max(cueIndex + 1, g.from - 3); i < g.from; i++) {
    const w = tokens[i]!.w;
    const next = tokens[i + 1]?.w ?? '';
    // "No. 6A coal", "No. 8 seam": a number, not a negation.
    if (NEGATORS.has(w) && !NOT_A_CARVE_OUT.has(next) && !(w === 'no' && /^[0-9]/.test(next))) return 'negated_before';
    if (w === 'other' && next === 'than') return 'other_than';
  }
  // "reserving all the coal and other minerals except the oil and gas": a second, separate exception word
  // inside the same reservation excepts from what is reserved.
  const cue = tokens[cueIndex]!.w;
  const before = tokens[cueIndex - 1]?.w;
  const standsAlone = before === 'but' || (before !== 'and' && before !== 'or' && CUE[before ?? ''] === undefined);
  if ((cue === 'except' || cue === 'excluding' || (cue === 'excepting' && before === 'but')) && standsAlone) {
    for (let i = cueIndex - 2; i >= Math.max(clauseStart, cueIndex - 25); i--) {
      if (tokens[i + 1]!.brk >= 1) break;
      const c = CUE[tokens[i]!.w];
      if (c === 'reserve_verb' || c === 'reserve_noun') return 'excepted_from_reservation';
    }
  }
  // After the substances, with only linking words between: "are hereby conveyed", "which pass to the grantee",
  // "are not reserved".
  for (let i = g.to + 1; i < Math.min(clauseEnd, g.to + 7); i++) {
    const t = tokens[i]!;
    if (t.brk >= 1) break;
    const negatedHere = NEGATORS.has(tokens[i - 1]!.w) || NEGATORS.has(tokens[i - 2]?.w ?? '');
    if ((PASSING.has(t.w) || PASS_VERBS.has(t.w)) && !negatedHere && passesToGrantee(tokens, i)) return 'passes_to_grantee';
    if (RESERVED_WORDS.has(t.w) && negatedHere) return 'not_reserved';
    if (!LINKING.has(t.w) && !NEGATORS.has(t.w)) break;
  }
  return undefined;
}

const GRANTEE_WORDS = new Set(['grantee', 'grantees', 'purchaser', 'purchasers', 'vendee', 'vendees', 'second']);

/**
 * After "conveyed" / "pass" at `verbAt`: do the substances go to this deed's grantee? "to the Grantee",
 * "with the land", "by this deed", "herein" do; "by deed of 1920" or "to the Peoples Gas Company" (an
 * earlier severance) do not.
 */
function passesToGrantee(tokens: readonly Token[], verbAt: number): boolean {
  const next = tokens[verbAt + 1]?.w;
  if (next === 'to' || next === 'unto') return hasAny(tokens, verbAt + 2, verbAt + 7, GRANTEE_WORDS);
  if (next === 'by') return tokens[verbAt + 2]?.w === 'this';
  if (next === 'with' || next === 'under' || next === 'herein' || next === 'hereby' || next === 'hereunder') return true;
  // "being included in this conveyance", "granted in this deed"; or the sentence ends on the verb.
  if (next === 'in') return tokens[verbAt + 2]?.w === 'this' || tokens[verbAt + 2]?.w === 'the';
  return next === undefined || tokens[verbAt + 1]!.brk >= 1;
}

const INTENT = new Set(['intention', 'intent', 'intended', 'intends', 'purpose', 'meant']);

/** "does not include", "not intended to convey", "it is not the intention of the grantors to convey". */
function grantNegated(tokens: readonly Token[], cueIndex: number): boolean {
  if (hasAny(tokens, cueIndex - 3, cueIndex, NEGATORS)) return true;
  for (let i = cueIndex - 1; i >= Math.max(0, cueIndex - 8); i--) {
    if (tokens[i + 1]!.brk >= 1) return false;
    if (INTENT.has(tokens[i]!.w)) return hasAny(tokens, i - 3, i, NEGATORS);
  }
  return false;
}

function classifyGroup(tokens: readonly Token[], text: string, g: Group): Clause | undefined {
  // Clause window: back to the start of the sentence, forward to its end, both bounded.
  let clauseStart = g.from;
  while (clauseStart > 0 && g.from - clauseStart < MAX_BACK && tokens[clauseStart]!.brk < 2) clauseStart--;
  let clauseEnd = g.to + 1; // exclusive
  while (clauseEnd < tokens.length && clauseEnd - g.to < MAX_FORWARD && tokens[clauseEnd]!.brk < 2) clauseEnd++;
  const openEnded = clauseEnd >= tokens.length;

  // Nearest operative cue before the substances, noting blockers met on the way.
  let nearest: Cue | undefined;
  let blocked = false;
  let subjectCue: number | undefined;
  let reserveBefore: number | undefined;
  for (let i = g.from - 1; i >= clauseStart; i--) {
    const w = tokens[i]!.w;
    let cls: Cls | undefined = w === 'exclusive' && tokens[i + 1]?.w === 'of' ? 'reserve_verb' : CUE[w];
    // "together" alone ("said parcels together 133 acres") is not "together with".
    if (w === 'together' && tokens[i + 1]?.w !== 'with') cls = undefined;
    // "excepted and reserved out of this grant": a noun after a determiner, not the act of granting.
    if (cls === 'convey' && DETERMINERS.has(tokens[i - 1]?.w ?? '')) cls = undefined;
    if (cls === 'subject' && subjectCue === undefined) subjectCue = i;
    if ((cls === 'reserve_verb' || cls === 'reserve_noun') && reserveBefore === undefined) reserveBefore = i;
    if (cls !== undefined && nearest === undefined) nearest = { index: i, cls };
    if (nearest === undefined && BLOCKERS.has(w)) blocked = true;
  }
  // "together with" / "including" inside a reservation ("reserving all minerals including oil and gas") follow it.
  if (nearest?.cls === 'including' && reserveBefore !== undefined && nearest.index - reserveBefore <= 25 && !hasBreak(tokens, reserveBefore + 1, nearest.index + 1)) {
    nearest = { index: reserveBefore, cls: CUE[tokens[reserveBefore]!.w]! };
  }

  const substances = [...g.substances];
  const oilGas = substances.some((s) => s === 'oil' || s === 'gas' || s === 'petroleum' || s === 'hydrocarbons');
  const mineralsOnly = !oilGas && substances.some((s) => s === 'minerals' || s === 'mining_rights');
  // "the coal ... together with mining rights": mining rights that go with coal are part of the coal clause.
  const coalMining =
    mineralsOnly &&
    substances.every((s) => s === 'mining_rights' || s === 'coal') &&
    (g.substances.has('coal') || hasAny(tokens, Math.max(clauseStart, g.from - 25), g.from, COAL_WORDS));
  const coalOnly = (!oilGas && !mineralsOnly) || coalMining;
  const rules: string[] = [];

  // The lease the substances name ("oil and gas lease", "lease for oil and gas"), if any.
  const leaseAfter = LEASE.has(tokens[g.to + 1]?.w ?? '') || LEASE.has(tokens[g.to + 2]?.w ?? '');
  const leaseBefore = [1, 2, 3].some((k) => LEASE.has(tokens[g.from - k]?.w ?? '') && tokens[g.from - k + 1]!.brk < 2);
  const aboutLease = leaseAfter || leaseBefore;
  const leasePlural = tokens[g.to + 1]?.w === 'leases' || tokens[g.to + 2]?.w === 'leases' || [1, 2, 3].some((k) => tokens[g.from - k]?.w === 'leases');

  // Passive after the substances: "... underlying said land is reserved by John Doe" / "are hereby excepted".
  let postCue: { index: number; prior: boolean; notPassed?: boolean } | undefined;
  for (let i = g.to + 1; i < Math.min(clauseEnd, g.to + 14); i++) {
    const w = tokens[i]!.w;
    if (CUE[w] === 'convey' || CUE[w] === 'subject') break;
    if (NOT_PASSED.has(w) && hasAny(tokens, i - 3, i, NEGATORS)) {
      // "the oil and gas rights are not conveyed herein": kept back by the grantor.
      postCue = { index: i, prior: false, notPassed: true };
      break;
    }
    if (w === 'reserved' || w === 'excepted' || w === 'retained' || w === 'reserve' || w === 'except' || w === 'severed') {
      const after = tokens[i + 1]?.w;
      const before = tokens[i - 1]?.w;
      const prior = (after === 'by' || after === 'in') || PRIOR.has(before ?? '') || hasAny(tokens, i - 3, i, PRIOR);
      postCue = { index: i, prior };
      break;
    }
  }

  // "shall not be construed to be an exception or reservation of": look before the whole run of cue words.
  const negated = (at: number): boolean => {
    let runStart = at;
    while (runStart > clauseStart) {
      const w = tokens[runStart - 1]!.w;
      const c = CUE[w];
      if (c === 'reserve_verb' || c === 'reserve_noun' || w === 'and' || w === 'or' || w === 'an' || w === 'a') runStart--;
      else break;
    }
    // "without (any) reservation of", "without excepting": the word right before the run negates it.
    const without = tokens[runStart - 1]?.w === 'without' || (tokens[runStart - 2]?.w === 'without' && tokens[runStart - 1]?.w === 'any');
    return without || hasAny(tokens, runStart - 5, runStart, NEGATORS);
  };
  // "no oil, gas or minerals are reserved", "the oil and gas are not excepted": a negator on the substances
  // themselves or between them and the passive cue.
  const passiveNegated = (cueAt: number): boolean => NEGATORS.has(tokens[g.from - 1]?.w ?? '') || hasAny(tokens, g.to + 1, cueAt, NEGATORS);
  // Prior markers count between the cue and the substances or just after them ("the oil and gas heretofore
  // reserved"), not anywhere in a long sentence.
  const priorFrom = nearest !== undefined ? nearest.index - 2 : g.from;
  const priorMarked = hasAny(tokens, priorFrom, Math.min(clauseEnd, g.to + 12), PRIOR) || (postCue?.prior ?? false);
  const recordRef = hasAny(tokens, g.to + 1, clauseEnd, RECORD_REF);

  let clauseType: ClauseType | undefined;
  let strength = 0;
  let cueIndex = nearest?.index ?? g.from;

  if (aboutLease) {
    const spec = specificReference(tokens, text, g.from - 3, Math.min(clauseEnd, g.to + 30));
    const generic = hasGeneric(tokens, Math.max(clauseStart, g.from - 8), Math.min(clauseEnd, g.to + 12));
    if (nearest?.cls === 'convey' || (nearest?.cls === 'including' && reserveBefore === undefined)) {
      clauseType = 'conveyance';
      strength = 0.8;
      rules.push('lease_conveyed');
    } else if (nearest?.cls === 'reserve_verb' && !negated(nearest.index) && hasAny(tokens, nearest.index + 1, g.from, LEASE_INCOME)) {
      // "excepting and reserving all rentals and royalties arising from any oil and gas lease": the grantor keeps
      // the oil and gas income, whichever lease pays it.
      clauseType = 'new_reservation';
      strength = g.from - nearest.index <= NEAR ? 0.9 : 0.75;
      rules.push('reserve_lease_income');
    } else if (nearest !== undefined || postCue !== undefined) {
      if (spec.length > 0 && !(generic.includes('any') && spec.length < 2)) {
        clauseType = 'subject_to_specific';
        // A lease named in a covenant or "subject to" clause is the policy's weakest positive: the grantor reserves nothing.
        strength = spec.length >= 2 ? 0.78 : 0.65;
        rules.push('lease_specific:' + [...new Set(spec)].join('+'));
      } else if (generic.length > 0 || leasePlural) {
        // "subject to any outstanding oil and gas leases", "subject to oil and gas leases ... of record": none named.
        clauseType = 'generic_of_record';
        strength = 0.8;
        rules.push('lease_generic:' + [...new Set(generic.length > 0 ? generic : ['plural'])].join('+'));
      } else {
        // "subject to an oil and gas lease" with no identification and no "any/all": one specific instrument.
        clauseType = 'subject_to_specific';
        strength = 0.6;
        rules.push('lease_singular');
      }
    } else {
      return undefined; // a lease merely mentioned (e.g. a title line), no operative word
    }
  } else if (nearest !== undefined && (nearest.cls === 'convey' || nearest.cls === 'including') && grantNegated(tokens, nearest.index)) {
    // "this conveyance does not include the oil and gas", "not intended to convey the oil and gas": kept back.
    clauseType = 'new_reservation';
    strength = 0.75;
    rules.push('negated_grant');
  } else if (nearest !== undefined && (nearest.cls === 'convey' || nearest.cls === 'including')) {
    if (blocked) return undefined; // "together with the right to drill for oil and gas": an easement, not the minerals
    if (postCue !== undefined && !postCue.prior && tokens[postCue.index + 1]?.w !== 'by') {
      // "grant ... all the land, the oil and gas being reserved unto the grantor"
      clauseType = 'new_reservation';
      strength = 0.7;
      cueIndex = postCue.index;
      rules.push('post_reserve_after_grant');
    } else {
      clauseType = 'conveyance';
      strength = nearest.cls === 'convey' ? 0.85 : 0.75;
      rules.push('conveyance:' + tokens[nearest.index]!.w);
    }
  } else if (nearest !== undefined && (nearest.cls === 'reserve_verb' || nearest.cls === 'reserve_noun')) {
    if (negated(nearest.index)) return undefined; // "shall not be construed to be an exception or reservation of"
    const carvedOut = carvedOutOfReservation(tokens, g, nearest.index, clauseStart, clauseEnd);
    if (carvedOut !== undefined) {
      if (coalOnly) return undefined;
      const verdict: Verdict = { clauseType: 'conveyance', substances, strength: 0.7, rules: ['carved_out:' + carvedOut], cueIndex: nearest.index };
      return buildClause(tokens, text, { g, clauseStart, clauseEnd, openEnded }, verdict);
    }
    const generic = hasGeneric(tokens, clauseStart, Math.min(clauseEnd, g.to + 12));
    const spec = specificReference(tokens, text, g.to + 1, clauseEnd);
    const genericStrong = generic.filter((x) => x !== 'easements' && x !== 'restrictions' && x !== 'conditions' && x !== 'covenants');
    // "subject to all (prior) reservations of oil and gas": plural and hedged, no one instrument named.
    const hedgedPlural =
      (tokens[nearest.index]!.w === 'reservations' || tokens[nearest.index]!.w === 'exceptions') &&
      hasAny(tokens, nearest.index - 4, nearest.index, new Set(['all', 'any', 'such']));
    if (hedgedPlural) genericStrong.push('all_reservations');
    if (subjectCue !== undefined && subjectCue < nearest.index && genericStrong.length > 0 && !spec.includes('record_ref') && !spec.includes('date')) {
      clauseType = 'generic_of_record';
      strength = 0.7;
      rules.push('subject_generic_reservations:' + [...new Set(genericStrong)].join('+'));
    } else if (priorMarked || (subjectCue !== undefined && subjectCue < nearest.index) || (recordRef && spec.length > 0)) {
      clauseType = 'prior_reservation';
      strength = g.from - nearest.index <= NEAR ? 0.9 : 0.75;
      rules.push(priorMarked ? 'reserve_prior_marker' : subjectCue !== undefined ? 'subject_to_reservation' : 'reserve_record_ref');
    } else {
      clauseType = 'new_reservation';
      const dist = g.from - nearest.index;
      strength = dist <= NEAR ? (nearest.cls === 'reserve_verb' ? 0.95 : 0.9) : 0.75;
      rules.push(`reserve_${nearest.cls === 'reserve_verb' ? 'verb' : 'noun'}:${dist <= NEAR ? 'near' : 'far'}`);
    }
    if (blocked) {
      // "reserving a right of way for a pipe line to carry oil and gas": the easement, not the oil and gas.
      strength *= 0.2;
      rules.push('blocker_between');
    }
  } else if (nearest !== undefined && nearest.cls === 'subject') {
    const spec = specificReference(tokens, text, g.to + 1, clauseEnd);
    const generic = hasGeneric(tokens, nearest.index, Math.min(clauseEnd, g.to + 12));
    if (priorMarked || spec.length > 0) {
      clauseType = 'subject_to_specific';
      strength = 0.75;
      rules.push(priorMarked ? 'subject_prior_marker' : 'subject_specific:' + [...new Set(spec)].join('+'));
    } else if (generic.length > 0) {
      clauseType = 'generic_of_record';
      strength = 0.7;
      rules.push('subject_generic:' + [...new Set(generic)].join('+'));
    } else {
      clauseType = 'subject_to_specific';
      strength = 0.55;
      rules.push('subject_named_substance');
    }
  } else if (nearest === undefined && isRecital(tokens, text, clauseStart, g.from)) {
    // "Being the oil and gas interest reserved by X in deed to Y": a recital naming what this deed conveys.
    clauseType = 'conveyance';
    strength = 0.6;
    rules.push('recital_being');
  } else if (postCue !== undefined) {
    if (!postCue.notPassed && (negated(postCue.index) || passiveNegated(postCue.index))) return undefined;
    clauseType = postCue.prior ? 'prior_reservation' : 'new_reservation';
    strength = 0.7; // no operative word before the substances: a notation more often than a reservation
    cueIndex = postCue.index;
    rules.push(postCue.notPassed ? 'post_not_conveyed' : postCue.prior ? 'post_reserved_by' : 'post_reserved');
  } else {
    return undefined; // substances mentioned with no operative word: boundary calls, company names, recitals
  }

  if (coalOnly) {
    if (clauseType === 'conveyance') return undefined; // coal granted: irrelevant to every policy
    clauseType = 'coal_only';
    rules.push('coal_only');
  }
  else if (mineralsOnly) rules.push('minerals_only');

  return buildClause(tokens, text, { g, clauseStart, clauseEnd, openEnded }, { clauseType, substances, strength, rules, cueIndex });
}

/** Where a substance group's clause lies in the token stream. */
interface ClauseWindow {
  g: Group;
  clauseStart: number;
  /** Exclusive. */
  clauseEnd: number;
  openEnded: boolean;
}

/** What the rules made of the group. */
interface Verdict {
  clauseType: ClauseType;
  substances: Substance[];
  strength: number;
  rules: string[];
  /** The word the verdict rests on (the operative cue, or the substances). */
  cueIndex: number;
}

/** The clause with its quote: from the clause start (or a few words before the cue in a long sentence) to its end. */
function buildClause(tokens: readonly Token[], text: string, window: ClauseWindow, verdict: Verdict): Clause {
  const { g, clauseStart, clauseEnd, openEnded } = window;
  const { cueIndex } = verdict;
  const qFrom = Math.max(clauseStart, Math.min(cueIndex, g.from) - 6);
  let qTo = clauseEnd - 1;
  // End at the first ';' / ':' / paragraph break after the substances when there is one.
  for (let i = g.to + 1; i < clauseEnd; i++) {
    if (tokens[i]!.brk >= 1) {
      qTo = i - 1;
      break;
    }
  }
  let start = tokens[qFrom]!.start;
  let end = tokens[qTo]!.end;
  if (end - start > MAX_QUOTE_CHARS) {
    start = Math.max(start, tokens[Math.min(cueIndex, g.from)]!.start);
    end = Math.min(end, Math.max(tokens[g.to]!.end, start + MAX_QUOTE_CHARS));
  }
  // Keep a closing period that ends the sentence.
  if (text[end] === '.' || text[end] === ';') end++;
  const lo = Math.min(cueIndex, g.from);
  return {
    clauseType: verdict.clauseType,
    substances: verdict.substances,
    start,
    end,
    anchorStart: tokens[g.from]!.start,
    anchorEnd: tokens[g.to]!.end,
    strength: verdict.strength,
    textQuality: spanQuality(tokens, lo, g.to + 1),
    rules: verdict.rules,
    openEnded: openEnded && qTo === clauseEnd - 1,
  };
}

const OTHER_RESERVED_THINGS = new Set([
  'taxes', 'tax', 'right', 'way', 'road', 'roads', 'easement', 'easements', 'lot', 'lots', 'acre', 'acres', 'tract',
  'house', 'dwelling', 'building', 'buildings', 'cemetery', 'graveyard', 'burial', 'highway', 'highways', 'timber',
  'crops', 'spring', 'water', 'portion', 'part', 'parcel', 'school', 'church', 'railroad', 'life', 'estate',
]);
const RESERVING_WORDS = new Set(['excepting', 'reserving', 'reserved', 'excepted', 'reserve', 'reserves', 'except', 'excepts', 'reservation', 'exception']);

/**
 * Original offsets of reservation words ("excepting and reserving ...") whose next dozen words are unreadable:
 * the OCR may have destroyed what was reserved. Not evidence of a reservation, a reason to look.
 */
export function unreadableReservationCues(text: string, stream: TokenStream = tokenize(text)): { start: number; end: number }[] {
  const { tokens } = stream;
  const out: { start: number; end: number }[] = [];
  for (let i = 0; i < tokens.length; i++) {
    if (!RESERVING_WORDS.has(tokens[i]!.w)) continue;
    // "except taxes ...", "excepting a right of way ...": what is reserved was read, and it is not a mineral.
    if ([1, 2, 3].some((k) => OTHER_RESERVED_THINGS.has(tokens[i + k]?.w ?? ''))) continue;
    const to = Math.min(tokens.length, i + 13);
    if (to - i < 6) continue;
    if (tokenQuality(tokens, i + 1, to) < 0.35) out.push({ start: tokens[i]!.start, end: tokens[to - 1]!.end });
  }
  return out;
}
