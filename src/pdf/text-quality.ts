import { LEXICON } from './lexicon.js';

/**
 * Is a page's text real, readable English? Used for two things:
 * - deciding whether a PDF's embedded text layer can be trusted instead of OCR (most scanned deeds
 *   have none, or only a recorder's stamp such as "Book: 253 Page Sequence: 223"; some carry an old,
 *   poor OCR layer);
 * - the word half of the OCR quality score (src/ocr/quality.ts).
 *
 * Three signals, each 0..1:
 * - lexicalShare: share of words (2+ letters) found in a deed/English word list (LEXICON). Readable real
 *   deed pages OCR'd by tesseract measured 0.47-0.83 (9 pages); a badly degraded one 0.37. Random
 *   letter strings are rarely real words.
 * - wordShapeShare: share of tokens that look like words at all (contain a vowel, sane capitalisation,
 *   no 5+ consonant runs or triple letters); catches garbage that the lexicon misses, e.g. names.
 *   Stray single letters other than "a"/"I" count as misshapen.
 * - printableShare: share of non-space characters that are letters, digits or ordinary punctuation
 *   (mojibake, U+FFFD, control and symbol characters count against).
 * score = printableShare * (0.65 * min(1, lexicalShare / 0.55) + 0.35 * wordShapeShare).
 */
export interface TextStats {
  /** Tokens of two or more letters. */
  words: number;
  lexicalShare: number;
  wordShapeShare: number;
  printableShare: number;
  /** Combined 0..1 score (formula above); 0 when there are no words. */
  score: number;
}

export interface TextLayerAssessment extends TextStats {
  /** True when the text layer is long enough and clean enough to use instead of OCR. */
  trusted: boolean;
  /** Why it was or was not trusted, for logs and reports. */
  reason: string;
}

export interface TextLayerThresholds {
  /** Fewer words than this is a stamp or header, not a page of text. Default 40. */
  minWords?: number;
  /** Minimum score to trust. Default 0.6. */
  minScore?: number;
  /** Minimum lexicalShare to trust: a text layer is used instead of OCR, so demand real words. Default 0.4. */
  minLexicalShare?: number;
}

/** lexicalShare at or above this counts as fully "real text". */
const LEXICAL_SATURATION = 0.55;
const TOKEN = /[\p{L}]+(?:['’][\p{L}]+)*/gu;
const ORDINARY_CHAR = /[\p{L}\p{N}.,;:'"’‘“”()\-–—/&$%#§°½¼¾*!?[\]@+=_]/u;

export function textStats(text: string): TextStats {
  let nonSpace = 0;
  let ordinary = 0;
  for (const ch of text) {
    if (/\s/u.test(ch)) continue;
    nonSpace += 1;
    if (ORDINARY_CHAR.test(ch)) ordinary += 1;
  }
  let words = 0;
  let lexical = 0;
  let shaped = 0;
  let strays = 0;
  for (const match of text.matchAll(TOKEN)) {
    const token = match[0];
    const letters = token.replace(/['’]/g, '');
    if (letters.length < 2) {
      if (!/^[aAI]$/.test(letters)) strays += 1;
      continue;
    }
    words += 1;
    const lower = letters.toLowerCase();
    if (LEXICON.has(lower) || (lower.endsWith('s') && LEXICON.has(lower.slice(0, -1)))) lexical += 1;
    if (looksLikeWord(letters)) shaped += 1;
  }
  const printableShare = nonSpace === 0 ? 0 : ordinary / nonSpace;
  const lexicalShare = words === 0 ? 0 : lexical / words;
  const wordShapeShare = words + strays === 0 ? 0 : shaped / (words + strays);
  const score = words === 0 ? 0 : printableShare * (0.65 * Math.min(1, lexicalShare / LEXICAL_SATURATION) + 0.35 * wordShapeShare);
  return { words, lexicalShare, wordShapeShare, printableShare, score: round3(score) };
}

/** Decides whether a page's embedded text layer is real text worth using instead of OCR. */
export function assessTextLayer(text: string, thresholds: TextLayerThresholds = {}): TextLayerAssessment {
  const minWords = thresholds.minWords ?? 40;
  const minScore = thresholds.minScore ?? 0.6;
  const minLexicalShare = thresholds.minLexicalShare ?? 0.4;
  const stats = textStats(text);
  let reason: string;
  let trusted = false;
  if (stats.words === 0) reason = 'no text layer';
  else if (stats.words < minWords) reason = `too short: ${stats.words} words (< ${minWords})`;
  else if (stats.score < minScore) reason = `looks like garbage: score ${stats.score.toFixed(2)} (< ${minScore})`;
  else if (stats.lexicalShare < minLexicalShare) reason = `too few dictionary words: ${pct(stats.lexicalShare)} (< ${pct(minLexicalShare)})`;
  else {
    trusted = true;
    reason = `real text: ${stats.words} words, score ${stats.score.toFixed(2)}`;
  }
  return { ...stats, trusted, reason };
}

function looksLikeWord(letters: string): boolean {
  if (letters.length > 24) return false;
  const lower = letters.toLowerCase();
  if (!/[aeiouy]/.test(lower)) return false;
  if (/[^aeiouy]{5,}/.test(lower)) return false;
  if (/(.)\1\1/.test(lower)) return false;
  // lower, UPPER or Capitalised; "mIxEd" case is an OCR artefact.
  return letters === lower || letters === letters.toUpperCase() || letters.slice(1) === lower.slice(1);
}

function pct(share: number): string {
  return `${Math.round(share * 100)}%`;
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}
