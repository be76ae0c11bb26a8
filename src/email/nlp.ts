/**
 * wink-nlp with the English lite model, loaded once per process (~60-110 ms, ~100 MB RSS) on first use,
 * and a flat, offset-annotated view of one document so the analysers never call back into wink.
 *
 * Offsets: wink keeps every character, as each token's preceding whitespace plus its value, so token
 * start offsets are a running sum (checked equal to the input over the whole corpus).
 */
import winkNLP from 'wink-nlp';
import type { WinkMethods } from 'wink-nlp';
import model from 'wink-eng-lite-web-model';

let instance: WinkMethods | null = null;

export function getNlp(): WinkMethods {
  if (!instance) instance = winkNLP(model);
  return instance;
}

/** True once the model has been loaded in this process. */
export function nlpLoaded(): boolean {
  return instance !== null;
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

export function readText(text: string): NlpDoc {
  const nlp = getNlp();
  const its = nlp.its;
  const doc = nlp.readDoc(text);
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
    if (!occursAt(text, value, start)) {
      const found = text.indexOf(value, start);
      if (found !== -1) start = found;
    }
    list[i] = { value, normal: normals[i]!, pos: pos[i]!, type: types[i]!, start, end: start + value.length, stop: stops[i]! };
    offset = start + value.length;
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
