/**
 * Key phrases: noun phrases from wink's part-of-speech tags. Runs of ADJ/NOUN/PROPN words within one
 * line are chunks; every sub-phrase of up to 4 words that ends on a NOUN/PROPN and has no stop or
 * generic word (dates, "thing", "email", ...) at either edge is counted. Score = count x (1 + 0.5 per
 * extra word), +0.5 when seen in the subject; a phrase that mostly occurs inside a better one is dropped.
 * Only text before `end` (the signature/footer) is used, and not the subject's "[list]" tags. Phrases
 * are grouped by their lower-cased form; `text` is the first spelling seen.
 */
import type { NlpToken } from './nlp.js';
import { leadingTagsLength } from './subject.js';
import type { KeyPhrase } from './types.js';

const PHRASE_POS = new Set(['ADJ', 'NOUN', 'PROPN']);
const HEAD_POS = new Set(['NOUN', 'PROPN']);
const GENERIC = new Set([
  'thing', 'things', 'time', 'times', 'way', 'lot', 'lots', 'today', 'tomorrow', 'yesterday', 'email', 'e-mail', 'mail',
  'message', 'messages', 'list', 're', 'fw', 'fwd', 'subject', 'thanks', 'day', 'days', 'week', 'weeks', 'year', 'years',
  'http', 'https', 'www', 'com', 'html', 'cc', 'bcc', 'hi', 'hello', 'dear', 'regards', 'pm', 'am', 'mr', 'ms', 'mrs',
  'dr', 'inc', 'info', 'click', 'here', 'link', 'note', 'please', 'people', 'someone', 'anyone', 'everyone', 'yes', 'ok',
  'question', 'questions', 'bit', 'kind', 'sort', 'part', 'number', 'other', 'others', 'same', 'such', 'sure', 'more',
  'much', 'many', 'few', 'new', 'good', 'great', 'best', 'last', 'next', 'first', 'able', 'free', 'original', 'forwarded',
  'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday', 'january', 'february', 'march', 'april',
  'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december', 'morning', 'afternoon', 'evening',
  'tonight', 'month', 'months', 'hour', 'hours', 'minute', 'minutes', 'eod', 'asap',
]);

/** True when the value holds an ASCII letter and does not start or end with '-' or "'". */
function wordShaped(value: string): boolean {
  const n = value.length;
  const first = value.charCodeAt(0);
  const last = value.charCodeAt(n - 1);
  if (first === 45 || first === 39 || last === 45 || last === 39) return false;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i) | 32;
    if (c >= 97 && c <= 122) return true;
  }
  return false;
}

/** "Date:", "Time:", "Place:" opening a line: a form's or a forwarded header's label, not a phrase. */
function isFieldLabel(text: string, token: NlpToken, next: NlpToken | undefined): boolean {
  if (next?.value !== ':' || next.start !== token.end) return false;
  let i = token.start - 1;
  while (i >= 0 && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i--;
  return i < 0 || text.charCodeAt(i) === 10;
}

function usableWord(token: NlpToken): boolean {
  return token.type === 'word' && PHRASE_POS.has(token.pos) && token.value.length >= 2 && wordShaped(token.value);
}

/** `s.replace(/\s+/g, ' ')`, skipping the regex in the usual case where it would change nothing. */
function collapseSpaces(s: string): string {
  return PLAIN_SPACING.test(s) ? s.replace(/\s+/g, ' ') : s;
}
/** Whitespace other than a single ' ': where collapsing changes something. */
const PLAIN_SPACING = /[^\S ]| {2}/;

interface Group {
  key: string;
  text: string;
  count: number;
  inSubject: boolean;
  first: number;
  words: number;
  score: number;
  /** Insertion order: the tie-break a stable sort keeps. */
  order: number;
}

/** a ranks before b: higher score, then earlier first occurrence, then first seen. */
function before(a: Group, b: Group): boolean {
  return a.score !== b.score ? a.score > b.score : a.first !== b.first ? a.first < b.first : a.order < b.order;
}

/** A binary heap over the groups, popping them in rank order (the order a full stable sort gives). */
function heapify(heap: Group[]): void {
  for (let i = (heap.length >> 1) - 1; i >= 0; i--) siftDown(heap, i, heap.length);
}

function siftDown(heap: Group[], i: number, n: number): void {
  const item = heap[i]!;
  for (;;) {
    let child = 2 * i + 1;
    if (child >= n) break;
    if (child + 1 < n && before(heap[child + 1]!, heap[child]!)) child++;
    if (!before(heap[child]!, item)) break;
    heap[i] = heap[child]!;
    i = child;
  }
  heap[i] = item;
}

function popBest(heap: Group[]): Group | undefined {
  const n = heap.length;
  if (n === 0) return undefined;
  const best = heap[0]!;
  const last = heap.pop()!;
  if (n > 1) {
    heap[0] = last;
    siftDown(heap, 0, n - 1);
  }
  return best;
}

export function extractKeyPhrases(text: string, tokens: NlpToken[], bodyStart: number, end: number, max: number): KeyPhrase[] {
  if (max <= 0) return [];
  const groups = new Map<string, Group>();
  const edge: boolean[] = [];
  // Every sub-phrase of a chunk that starts and ends on a usable word and ends on a noun counts, so
  // "compressor station" is credited inside "compressor station permit" too. Sub-phrases are visited
  // by head (last word) from the end of the run, then by first word going left, as before; the key is
  // built right to left so no word list is sliced and joined.
  const flush = (run: NlpToken[]) => {
    const n = run.length;
    for (let i = 0; i < n; i++) edge[i] = !run[i]!.stop && !GENERIC.has(run[i]!.normal);
    for (let b = n - 1; b >= 0; b--) {
      const head = run[b]!;
      if (!HEAD_POS.has(head.pos) || !edge[b]) continue;
      let key = head.normal;
      for (let a = b; a >= 0 && b - a < 4; a--) {
        if (a < b) key = `${run[a]!.normal} ${key}`;
        if (!edge[a]) continue;
        if (a === b && head.value.length < 4) continue;
        const first = run[a]!;
        const inSubject = first.start < bodyStart;
        const group = groups.get(key);
        if (group) {
          group.count++;
          group.inSubject ||= inSubject;
        } else {
          groups.set(key, { key, text: collapseSpaces(text.slice(first.start, head.end)), count: 1, inSubject, first: first.start, words: b - a + 1, score: 0, order: groups.size });
        }
      }
    }
  };
  // The subject's "[list]" tags name the list, not anything the message is about.
  const tagsEnd = leadingTagsLength(text.slice(0, bodyStart));
  let run: NlpToken[] = [];
  for (let t = 0; t < tokens.length; t++) {
    const token = tokens[t]!;
    if (token.start >= end) break;
    const prev = run[run.length - 1];
    const usable = token.start >= tagsEnd && usableWord(token) && !isFieldLabel(text, token, tokens[t + 1]);
    if (usable && (!prev || token.start === prev.end || (token.start - prev.end === 1 && text.charCodeAt(prev.end) !== 10))) {
      run.push(token);
      continue;
    }
    if (run.length > 0) flush(run);
    run = usable ? [token] : [];
  }
  if (run.length > 0) flush(run);

  const heap = [...groups.values()];
  for (const g of heap) g.score = Math.round((g.count * (1 + 0.5 * (g.words - 1)) + (g.inSubject ? 0.5 : 0)) * 100) / 100;
  heapify(heap);
  // A phrase inside an already chosen one is dropped when it mostly occurs there ("station" inside
  // "compressor station"); a longer phrase that contains a chosen one is kept, being more specific.
  const chosen: Group[] = [];
  const chosenPadded: string[] = [];
  for (let candidate = popBest(heap); candidate !== undefined && chosen.length < max; candidate = popBest(heap)) {
    const padded = ` ${candidate.key} `;
    let inside = false;
    for (let c = 0; c < chosen.length; c++) {
      if (chosenPadded[c]!.includes(padded) && candidate.count <= chosen[c]!.count * 1.5) {
        inside = true;
        break;
      }
    }
    if (inside) continue;
    chosen.push(candidate);
    chosenPadded.push(padded);
  }
  return chosen.map(({ text: t, count: n, score }) => ({ text: t, count: n, score }));
}
