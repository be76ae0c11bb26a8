/**
 * OCR-tolerant tokenisation with a map back to the original text.
 *
 * The rules in clauses.ts read a canonical word stream ("excepting and reserving the oil and gas") while
 * every canonical word keeps the [start, end) of the characters it came from, so quotes are cut from the
 * original OCR text verbatim. Repairs, in order: confusable digits/symbols inside words ("0il", "reserv1ng"),
 * words split by OCR or line breaks ("reserv ing", "o il", "reser-\nving"), run-together words
 * ("oilandgas"), then edit-distance lookup of the remaining noisy words ("gss", "exceptlng").
 */
import { isContentWord, isFunctionWord, isLexiconWord, lookupContent, segmentRunTogether } from './lexicon.js';

export interface Token {
  /** Canonical lower-case word (a lexicon word when it was recognised as one). */
  w: string;
  /** Original text offsets [start, end). */
  start: number;
  end: number;
  /** 0 read as written; 1 mechanical repair (digits, joins, splits, listed variants); 2 edit-distance repair. */
  repair: 0 | 1 | 2;
  /** Strength of the punctuation break before this token: 0 none, 1 ';' ':' or blank line, 2 end of sentence. */
  brk: 0 | 1 | 2;
  /** True when the raw token looks like a real word (letters only, has a vowel, sane casing). */
  wordlike: boolean;
}

export interface TokenStream {
  tokens: Token[];
  /** Canonical words joined by single spaces. */
  canon: string;
  /** Offset of each token's first character in `canon`. */
  canonStart: number[];
}

// Symbols that OCR puts for letters ("$" for s, "|" for l) count only inside a word: "of|" is "of" and a rule line.
const RAW_TOKEN = /[A-Za-z0-9\u00C0-\u024F]+(?:[$|@]+[A-Za-z0-9\u00C0-\u024F]+)*/g;
const DIGIT_FIXES: Record<string, string> = { '0': 'o', '1': 'l', '5': 's', '9': 'g', $: 's', '|': 'l', '@': 'a' };
const ABBREVIATIONS = new Set(['no', 'co', 'vol', 'pg', 'inc', 'mr', 'mrs', 'st', 'jr', 'sr', 'dr', 'twp', 'ft', 'ave', 'corp', 'bk', 'pa', 'va', 'nos', 'ux', 'al', 'etc', 'esq', 'rd', 'hwy', 'sec']);
/** Characters allowed between two fragments of one word (line-break hyphens, OCR spaces). */
const JOINABLE_GAP = /^[ \t\r\n\-\u2010-\u2014\u00AC~_]{1,8}$/;
/** Between the letters of a letter-spaced word ("E X C E P T I N G"): spaces on one line. */
const LETTER_SPACING_GAP = /^[ \t]{1,3}$/;
/** Fewest capitals in a row read as letter-spaced words: "A B C" is a list, "W I T N E S S E T H" a word. */
const MIN_LETTER_SPACED = 4;

interface Raw {
  text: string;
  clean: string;
  start: number;
  end: number;
  digitFixed: boolean;
}

function cleanRaw(text: string): { clean: string; digitFixed: boolean } {
  // Strip accents char by char so the cleaned token keeps one character per original character.
  let lower = '';
  for (const ch of text.toLowerCase()) {
    const base = ch.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
    lower += base.length === 1 ? base : ch;
  }
  const hasLetter = /[a-z]/.test(lower);
  if (!hasLetter) return { clean: lower, digitFixed: false };
  let digitFixed = false;
  let out = '';
  for (const ch of lower) {
    const fix = DIGIT_FIXES[ch];
    if (fix !== undefined) {
      out += fix;
      digitFixed = true;
    } else out += ch;
  }
  return { clean: out, digitFixed };
}

function isWordlike(raw: string): boolean {
  if (!/^[A-Za-z]+$/.test(raw)) return /^[0-9]+$/.test(raw);
  if (raw.length === 1) return /^[aAI&]$/.test(raw);
  if (!/[aeiouyAEIOUY]/.test(raw)) return false;
  // Mixed case other than Capitalised / UPPER / lower is an OCR tell ("BUGKAti", "wOrd").
  return /^[A-Z]?[a-z]+$/.test(raw) || /^[A-Z]+$/.test(raw);
}

function breakStrength(gap: string, prevClean: string | undefined, nextRaw: string): 0 | 1 | 2 {
  if (/\.\s/.test(gap) || /\.$/.test(gap)) {
    // Initials ("R. G. Smith", "O.R. Book") and common abbreviations do not end a sentence.
    const abbreviation = prevClean !== undefined && (prevClean.length === 1 || ABBREVIATIONS.has(prevClean));
    if (!abbreviation && /^[A-Z0-9]/.test(nextRaw)) return 2;
  }
  if (/[;:]/.test(gap) || /\n[ \t]*\n/.test(gap)) return 1;
  return 0;
}

/** Tokenise `text` and repair OCR damage as described in the module comment. Linear in the text length. */
export function tokenize(text: string): TokenStream {
  const raws: Raw[] = [];
  for (const m of text.matchAll(RAW_TOKEN)) {
    const start = m.index;
    let { clean, digitFixed } = cleanRaw(m[0]);
    // '1' reads as 'l' by default ("a1l"), but as 'i' when only that makes a lexicon word ("o1l", "reserv1ng").
    if (digitFixed && m[0].includes('1') && !isLexiconWord(clean)) {
      const alt = cleanRaw(m[0].replace(/1/g, 'i')).clean;
      if (isLexiconWord(alt) || (lookupContent(alt)?.distance ?? 9) < (lookupContent(clean)?.distance ?? 9)) clean = alt;
    }
    raws.push({ text: m[0], clean, start, end: start + m[0].length, digitFixed });
  }

  const tokens: Token[] = [];
  const push = (w: string, start: number, end: number, repair: 0 | 1 | 2, wordlike: boolean): void => {
    const prev = tokens[tokens.length - 1];
    const gap = text.slice(prev ? prev.end : 0, start);
    const brk = prev ? breakStrength(gap, prev.w, text.slice(start, end)) : 0;
    tokens.push({ w, start, end, repair, brk, wordlike });
  };

  for (let i = 0; i < raws.length; i++) {
    const r = raws[i]!;
    // 0. Typed emphasis: capitals spaced out ("E X C E P T I N G  A N D  R E S E R V I N G", "W I T N E S S E T H").
    const spaced = letterSpacedRun(raws, i, text);
    if (spaced > 0) {
      for (const word of readLetterSpaced(raws.slice(i, i + spaced))) push(word.w, word.start, word.end, 1, false);
      i += spaced - 1;
      continue;
    }
    // 1. Words broken by OCR spaces or line-break hyphens: try joining 3 then 2 fragments onto a content word.
    let joined = false;
    for (const span of [3, 2]) {
      if (i + span > raws.length) continue;
      const parts = raws.slice(i, i + span);
      if (parts.some((p, k) => k > 0 && !JOINABLE_GAP.test(text.slice(parts[k - 1]!.end, p.start)))) continue;
      // Never swallow a word that already reads as a content word ("except as" must not become "excepts").
      if (parts.some((p) => isContentWord(p.clean) && p.clean.length > 2)) continue;
      if (parts.some((p) => /^[0-9]+$/.test(p.clean))) continue;
      const glued = parts.map((p) => p.clean).join('');
      const hit = lookupContent(glued);
      if (hit === undefined) continue;
      // Fuzzy joins only for long words, where a chance match onto a lexicon word is unlikely.
      if (hit.distance > 0 && glued.length < 7) continue;
      // Two ordinary function words ("as is") are not fragments of one word.
      if (parts.every((p) => isFunctionWord(p.clean))) continue;
      push(hit.word, r.start, parts[span - 1]!.end, hit.distance > 0 ? 2 : 1, false);
      i += span - 1;
      joined = true;
      break;
    }
    if (joined) continue;

    const wordlike = isWordlike(r.text);
    // 2. A word read as written, or repaired only by digit/symbol fixes.
    if (isLexiconWord(r.clean)) {
      push(r.clean, r.start, r.end, r.digitFixed ? 1 : 0, wordlike);
      continue;
    }
    // "0il", "011", "017": oil read as digits (a three-digit number with a leading zero is not a deed number).
    if (/^[0oO][0-9il|]{2}$/.test(r.text) && /[0-9]/.test(r.text) && /^[0o][1il7|][1l7|]$/.test(r.text.toLowerCase())) {
      push('oil', r.start, r.end, 2, false);
      continue;
    }
    // 3. Run-together words.
    const pieces = segmentRunTogether(r.clean);
    if (pieces !== undefined) {
      let offset = r.start;
      for (const piece of pieces) {
        push(piece, offset, offset + piece.length, 1, false);
        offset += piece.length;
      }
      continue;
    }
    // 4. Edit-distance lookup for the remaining noisy words.
    const hit = r.clean.length >= 3 ? lookupContent(r.clean) : undefined;
    if (hit !== undefined) {
      push(hit.word, r.start, r.end, hit.distance === 0 ? (r.digitFixed ? 1 : 0) : hit.distance === 1 && r.clean.length <= 4 ? 1 : 2, wordlike);
      continue;
    }
    push(r.clean, r.start, r.end, r.digitFixed ? 1 : 0, wordlike);
  }

  const canonStart: number[] = [];
  let canon = '';
  for (const t of tokens) {
    if (canon.length > 0) canon += ' ';
    canonStart.push(canon.length);
    canon += t.w;
  }
  return { tokens, canon, canonStart };
}

function isSpacedCapital(raw: Raw): boolean {
  return raw.text.length === 1 && raw.text >= 'A' && raw.text <= 'Z';
}

/** Length of the run of single capitals separated by spaces that starts at raws[i], or 0 when it is too short. */
function letterSpacedRun(raws: readonly Raw[], i: number, text: string): number {
  let n = 0;
  while (i + n < raws.length && isSpacedCapital(raws[i + n]!) && (n === 0 || LETTER_SPACING_GAP.test(text.slice(raws[i + n - 1]!.end, raws[i + n]!.start)))) n++;
  return n >= MIN_LETTER_SPACED ? n : 0;
}

/**
 * The words of a letter-spaced run. Typists put wider gaps between words than between letters, so a run
 * is first cut at its widest gaps when they are wider than the rest; each group then reads as one word,
 * or as several lexicon words run together ("exceptingandreserving") when the gaps were lost.
 */
function readLetterSpaced(letters: readonly Raw[]): { w: string; start: number; end: number }[] {
  const gaps = letters.slice(1).map((r, k) => r.start - letters[k]!.end);
  const narrowest = Math.min(...gaps);
  const groups: Raw[][] = [[letters[0]!]];
  for (let k = 1; k < letters.length; k++) {
    if (gaps[k - 1]! > narrowest) groups.push([]);
    groups[groups.length - 1]!.push(letters[k]!);
  }
  const words: { w: string; start: number; end: number }[] = [];
  for (const group of groups) {
    const glued = group.map((r) => r.clean).join('');
    const pieces = isLexiconWord(glued) ? undefined : segmentRunTogether(glued);
    if (pieces === undefined) {
      words.push({ w: glued, start: group[0]!.start, end: group[group.length - 1]!.end });
      continue;
    }
    let at = 0;
    for (const piece of pieces) {
      words.push({ w: piece, start: group[at]!.start, end: group[at + piece.length - 1]!.end });
      at += piece.length;
    }
  }
  return words;
}

/**
 * 0..1 reading quality of tokens [from, to): share of tokens that were read as written and look like words.
 * Used to say how much a quote can be trusted.
 */
export function spanQuality(tokens: readonly Token[], from: number, to: number): number {
  let score = 0;
  let n = 0;
  for (let i = Math.max(0, from); i < Math.min(tokens.length, to); i++) {
    const t = tokens[i]!;
    n++;
    if (t.repair === 0 && (t.wordlike || isLexiconWord(t.w))) score += 1;
    else if (t.repair === 1) score += 0.7;
    else if (t.repair === 2) score += 0.5;
  }
  return n === 0 ? 0 : score / n;
}
