/**
 * Key phrases: noun phrases from wink's part-of-speech tags. Runs of ADJ/NOUN/PROPN words within one
 * line are chunks; every sub-phrase of up to 4 words that ends on a NOUN/PROPN and has no stop or
 * generic word (dates, "thing", "email", ...) at either edge is counted. Score = count x (1 + 0.5 per
 * extra word), +0.5 when seen in the subject; a phrase that mostly occurs inside a better one is dropped.
 * Only text before `end` (the signature/footer) is used. Phrases are grouped by their lower-cased
 * form; `text` is the first spelling seen.
 */
import type { NlpToken } from './nlp.js';
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

function usableWord(token: NlpToken): boolean {
  return token.type === 'word' && PHRASE_POS.has(token.pos) && token.value.length >= 2 && /[a-z]/i.test(token.value) && !/^[-']|[-']$/.test(token.value);
}

export function extractKeyPhrases(text: string, tokens: NlpToken[], bodyStart: number, end: number, max: number): KeyPhrase[] {
  if (max <= 0) return [];
  const groups = new Map<string, { text: string; count: number; inSubject: boolean; first: number; words: number }>();
  const usableEdge = (t: NlpToken) => !t.stop && !GENERIC.has(t.normal);
  const count = (words: NlpToken[]) => {
    if (words.length === 1 && words[0]!.value.length < 4) return;
    const key = words.map((w) => w.normal).join(' ');
    const first = words[0]!;
    const last = words[words.length - 1]!;
    const inSubject = first.start < bodyStart;
    const group = groups.get(key);
    if (group) {
      group.count++;
      group.inSubject ||= inSubject;
    } else {
      groups.set(key, { text: text.slice(first.start, last.end).replace(/\s+/g, ' '), count: 1, inSubject, first: first.start, words: words.length });
    }
  };
  // Every sub-phrase of a chunk that starts and ends on a usable word and ends on a noun counts, so
  // "compressor station" is credited inside "compressor station permit" too.
  const flush = (run: NlpToken[]) => {
    for (let b = run.length - 1; b >= 0; b--) {
      const head = run[b]!;
      if (!HEAD_POS.has(head.pos) || !usableEdge(head)) continue;
      for (let a = b; a >= 0 && b - a < 4; a--) {
        if (usableEdge(run[a]!)) count(run.slice(a, b + 1));
      }
    }
  };
  let run: NlpToken[] = [];
  for (const token of tokens) {
    if (token.start >= end) break;
    const prev = run[run.length - 1];
    const sameLine = !prev || token.start === prev.end || (token.start - prev.end === 1 && text.charCodeAt(prev.end) !== 10);
    if (usableWord(token) && sameLine) {
      run.push(token);
      continue;
    }
    if (run.length > 0) flush(run);
    run = usableWord(token) ? [token] : [];
  }
  if (run.length > 0) flush(run);

  const ranked = [...groups.entries()]
    .map(([key, g]) => ({ key, text: g.text, count: g.count, score: Math.round((g.count * (1 + 0.5 * (g.words - 1)) + (g.inSubject ? 0.5 : 0)) * 100) / 100, first: g.first }))
    .sort((a, b) => b.score - a.score || a.first - b.first);
  // A phrase inside an already chosen one is dropped when it mostly occurs there ("station" inside
  // "compressor station"); a longer phrase that contains a chosen one is kept, being more specific.
  const chosen: typeof ranked = [];
  for (const candidate of ranked) {
    if (chosen.length >= max) break;
    const padded = ` ${candidate.key} `;
    if (chosen.some((c) => ` ${c.key} `.includes(padded) && candidate.count <= c.count * 1.5)) continue;
    chosen.push(candidate);
  }
  return chosen.map(({ text: t, count: n, score }) => ({ text: t, count: n, score }));
}
