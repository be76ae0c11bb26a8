/**
 * wink-nlp with the English lite model, loaded on first use (~60-110 ms, ~100 MB RSS) and reloaded now
 * and then (see forgetUnknownTokens), and a flat, offset-annotated view of one document so the
 * analysers never call back into wink.
 *
 * Offsets: wink keeps every character, as each token's preceding whitespace plus its value, so token
 * start offsets are a running sum (checked equal to the input over the whole corpus).
 */
import winkNLP from 'wink-nlp';
import type { WinkMethods } from 'wink-nlp';
import model from 'wink-eng-lite-web-model';

let instance: WinkMethods | null = null;

/** The lexeme table of the loaded model: wink looks tokens up in `hash` and appends unknown ones to `list`. */
interface LexemeTable {
  hash: Record<string, number>;
  list: string[];
}
let lexemes: LexemeTable | null = null;

/**
 * wink-eng-lite-web-model's metaCER() replaces its own module-level model with `JSON.stringify` of it, so
 * every later call stringifies the string again and its length doubles: 20 MB after 16 loads, 330 MB
 * after 20, then a RangeError. Keel reloads wink every ~6,000 messages, so a process analysing inline
 * grew without bound and failed every message after ~120,000. The first result is kept and handed out
 * on every load instead (it is a string and the transformers: nothing a load changes).
 */
type MetaCer = { machines: unknown; transformers: unknown };
let metaCer: MetaCer | undefined;

/**
 * wink's tokenizer consults its lexeme table before it splits a token, and it adds every unknown token
 * to that table for good. So what a process has read changes how it tokenizes later text: once it has
 * met `tomorrow's,` it stops splitting `tomorrow's` and misses a date. Each document's unknown tokens
 * are therefore taken out of the lookup again when the document is done (`forgetUnknownTokens`), and
 * a result depends on its own text only, whichever process reads it after whatever else.
 * The model is wrapped to keep a handle on the table that `core()` builds for this instance, and to load
 * its custom-entity model once per process (see metaCer).
 */
function loadWink(): WinkMethods {
  const withHandle = {
    ...model,
    core() {
      const core = (model as unknown as { core(): { features: { lexeme: LexemeTable } } }).core();
      lexemes = core.features.lexeme;
      return core;
    },
    metaCER() {
      metaCer ??= (model as unknown as { metaCER(): MetaCer }).metaCER();
      return { ...metaCer };
    },
  } as unknown as typeof model;
  const nlp = winkNLP(withHandle);
  if (!lexemes) throw new Error('wink-nlp did not load its lexeme table through model.core()');
  return nlp;
}

/**
 * Forgotten entries stay in the table's list (wink keeps their features in a parallel array that
 * only grows), so the instance is replaced after this many additions: about once per 6,000 messages
 * of the corpus, at ~60 ms a load.
 */
const ADDED_ENTRIES_BEFORE_RELOAD = 100_000;
let intrinsicSize = 0;
let everLoaded = false;

export function getNlp(): WinkMethods {
  if (!instance) {
    instance = loadWink();
    intrinsicSize = lexemes!.list.length;
    everLoaded = true;
  }
  return instance;
}

/**
 * A token of letters only is never split, so whether it is found in the table or added afresh it
 * becomes the same token; keeping such tokens saves re-adding every name and typo. Anything with
 * punctuation, digits or symbols is forgotten: those are the tokens whose splitting the table decides.
 * (Checked on the corpus: analysed forwards and backwards, all 8,629 results are identical, and
 * identical to forgetting every added token.)
 */
const NEVER_SPLIT = /^\p{L}+$/u;

/** Takes the tokens added since the table held `sizeBefore` entries out of the lookup again. */
function forgetUnknownTokens(sizeBefore: number): void {
  const { hash, list } = lexemes!;
  for (let i = sizeBefore; i < list.length; i++) {
    const value = list[i]!;
    if (hash[value] === i && !NEVER_SPLIT.test(value)) delete hash[value];
  }
  if (list.length - intrinsicSize > ADDED_ENTRIES_BEFORE_RELOAD) {
    instance = null;
    lexemes = null;
  }
}

/**
 * Whether wink's model knows `lower` as a word of its own vocabulary (not one met in mail since it loaded):
 * "field", "security", "credit" are; "enron", "kpmg", "ziff" are not.
 */
export function isModelWord(lower: string): boolean {
  getNlp();
  const index = lexemes!.hash[lower];
  return index !== undefined && index < intrinsicSize;
}

/** True once the model has been loaded in this process. */
export function nlpLoaded(): boolean {
  return everLoaded;
}

export interface NlpToken {
  value: string;
  /** Lower-cased normal form from wink. */
  normal: string;
  pos: string;
  /** wink token type: word, number, punctuation, email, url, emoji, tabCRLF, symbol, ... */
  type: string;
  start: number;
  end: number;
  stop: boolean;
}

export interface NlpSentence {
  firstToken: number;
  lastToken: number;
  start: number;
  end: number;
  sentiment: number;
}

export interface NlpEntity {
  type: string;
  firstToken: number;
  lastToken: number;
}

export interface NlpDoc {
  text: string;
  tokens: NlpToken[];
  sentences: NlpSentence[];
  entities: NlpEntity[];
}

/** `text.startsWith(value, at)` for the short token values compared here, without the builtin's overhead. */
function occursAt(text: string, value: string, at: number): boolean {
  const n = value.length;
  if (at + n > text.length) return false;
  for (let k = 0; k < n; k++) if (text.charCodeAt(at + k) !== value.charCodeAt(k)) return false;
  return true;
}

/**
 * wink's tokenizer tests every run of characters between its spaces against regexes (email, URL,
 * abbreviation) whose cost grows with the square of the run's length: one 40,000-character line of
 * base64 took 8 s, a URL-like one 14 s. No run in the 8,629-message corpus is longer than 990
 * characters, and a longer one is not prose (an inline blob, a hex dump), so wink reads only the first
 * MAX_RUN_CHARS characters of a run: the rest becomes spaces in wink's copy of the text, which keeps
 * every offset. Keel's own analysers still read the whole text.
 */
const MAX_RUN_CHARS = 1024;
/**
 * The characters wink's tokenizer splits on (its model's splitter); a run is anything between them. Not
 * isSpaceCode (/\s/): wink does not split on some of those (\v, \u2028, \u3000, ...), so its runs can be longer.
 */
function isWinkSpace(code: number): boolean {
  return (
    code === 32 || code === 10 || code === 13 || code === 9 || code === 0xa0 ||
    (code >= 0x2002 && code <= 0x2005) || code === 0x2009 || code === 0x200a || code === 0x202f || code === 0x205f
  );
}

/** `text` with the part of every run beyond MAX_RUN_CHARS replaced by spaces (same length). */
export function blankLongRunTails(text: string): string {
  let pieces: string[] | undefined;
  let copiedTo = 0;
  let run = 0;
  let tailStart = -1;
  for (let i = 0; i <= text.length; i++) {
    if (i < text.length && !isWinkSpace(text.charCodeAt(i))) {
      run += 1;
      if (run === MAX_RUN_CHARS + 1) tailStart = i;
      continue;
    }
    if (tailStart !== -1) {
      (pieces ??= []).push(text.slice(copiedTo, tailStart), ' '.repeat(i - tailStart));
      copiedTo = i;
      tailStart = -1;
    }
    run = 0;
  }
  if (pieces === undefined) return text;
  pieces.push(text.slice(copiedTo));
  return pieces.join('');
}

/**
 * wink's tokenizer knows the Latin letters of Latin-1 only: a word with any other Latin letter is cut
 * at it ("Dvořák" -> "Dvo", "ř", "ák"; "Łódź", "Gdańsk", "BİLSAG", "Nguyễn" likewise), so names and
 * phrases in Polish, Czech, Turkish, Romanian, Vietnamese... came out in pieces. wink therefore reads
 * those letters folded to the ASCII letter they are built on (one character for one, so every offset
 * holds); tokens take their values from the original text.
 */
const LETTERS_WITHOUT_DECOMPOSITION: Record<string, string> = {
  Đ: 'D', đ: 'd', Ħ: 'H', ħ: 'h', ı: 'i', Ĳ: 'I', ĳ: 'i', ĸ: 'k', Ŀ: 'L', ŀ: 'l', Ł: 'L', ł: 'l', ŉ: 'n',
  Ŋ: 'N', ŋ: 'n', Œ: 'O', œ: 'o', Ŧ: 'T', ŧ: 't', ſ: 's', ƀ: 'b', Ɨ: 'I', ƚ: 'l', ƛ: 'l', Ƶ: 'Z', ƶ: 'z',
  ẞ: 'S',
};
const foldCache = new Map<number, string>();

function isFoldedLatin(code: number): boolean {
  return (code >= 0x100 && code <= 0x24f) || (code >= 0x1e00 && code <= 0x1eff);
}

function foldLatinLetter(code: number): string {
  let folded = foldCache.get(code);
  if (folded === undefined) {
    const ch = String.fromCharCode(code);
    const base = ch.normalize('NFD').charAt(0);
    folded = /[A-Za-z]/.test(base) ? base : (LETTERS_WITHOUT_DECOMPOSITION[ch] ?? ch);
    foldCache.set(code, folded);
  }
  return folded;
}

/** `text` with Latin letters beyond Latin-1 folded to their ASCII base letter (same length). */
export function foldLatinForWink(text: string): string {
  let out: string[] | undefined;
  let copiedTo = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x100 || !isFoldedLatin(code)) continue;
    const folded = foldLatinLetter(code);
    if (folded.charCodeAt(0) === code) continue; // a letter with no ASCII base stays as it is
    (out ??= []).push(text.slice(copiedTo, i), folded);
    copiedTo = i + 1;
  }
  if (out === undefined) return text;
  out.push(text.slice(copiedTo));
  return out.join('');
}

export function readText(text: string): NlpDoc {
  const nlp = getNlp();
  const sizeBefore = lexemes!.list.length;
  try {
    return extract(nlp, text);
  } finally {
    forgetUnknownTokens(sizeBefore);
  }
}

function extract(nlp: WinkMethods, text: string): NlpDoc {
  const its = nlp.its;
  // Tokens are placed in wink's own copy: its blanked runs cannot be mistaken for a later token's text.
  // Both changes keep the length, so a token's place in the copy is its place in `text`.
  const input = foldLatinForWink(blankLongRunTails(text));
  const doc = nlp.readDoc(input);
  const tokens = doc.tokens();
  const values = tokens.out() as string[];
  const spaces = tokens.out(its.precedingSpaces) as string[];
  const pos = tokens.out(its.pos) as string[];
  const types = tokens.out(its.type) as string[];
  const normals = tokens.out(its.normal) as string[];
  const stops = tokens.out(its.stopWordFlag) as unknown as boolean[];
  const list: NlpToken[] = new Array<NlpToken>(values.length);
  let offset = 0;
  for (let i = 0; i < values.length; i++) {
    offset += spaces[i]!.length;
    const value = values[i]!;
    // Guard against any drift between wink's reconstruction and the input: re-find the token.
    let start = offset;
    if (!occursAt(input, value, start)) {
      const found = input.indexOf(value, start);
      if (found !== -1) start = found;
    }
    const end = start + value.length;
    list[i] = { value: text.slice(start, end), normal: normals[i]!, pos: pos[i]!, type: types[i]!, start, end, stop: stops[i]! };
    offset = end;
  }
  const sentenceSpans = doc.sentences().out(its.span) as unknown as [number, number][];
  const sentenceScores = doc.sentences().out(its.sentiment) as unknown as number[];
  const sentences: NlpSentence[] = [];
  for (let s = 0; s < sentenceSpans.length; s++) {
    const [first, last] = sentenceSpans[s]!;
    if (first === undefined || last === undefined || !list[first] || !list[last]) continue;
    sentences.push({ firstToken: first, lastToken: last, start: list[first].start, end: list[last].end, sentiment: sentenceScores[s] ?? 0 });
  }
  const entitySpans = doc.entities().out(its.span) as unknown as [number, number][];
  const entityTypes = doc.entities().out(its.type) as string[];
  const entities: NlpEntity[] = [];
  for (let e = 0; e < entitySpans.length; e++) {
    const [first, last] = entitySpans[e]!;
    if (first === undefined || last === undefined || !list[first] || !list[last]) continue;
    entities.push({ type: entityTypes[e]!, firstToken: first, lastToken: last });
  }
  return { text, tokens: list, sentences, entities };
}
