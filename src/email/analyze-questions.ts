/**
 * Questions and requests, sentence by sentence (wink's sentence boundaries, each also cut at blank
 * lines), over the text before the signature/footer.
 *
 * request: asks the reader to do something: "please ..." (not "please find attached", "please note",
 *   "please see below"), "could/can/would/will you ...", "I need you to ...", "I'd appreciate it if you",
 *   "let me know", or an imperative opening with a common action verb ("Send me ...", "Call Bob ...").
 *   A request phrased as a question ("Could you send it?") counts as a request.
 * direct: any other sentence ending in '?'.
 */
import type { NlpSentence, NlpToken } from './nlp.js';
import type { Question } from './types.js';
import { isSpaceCode } from './whitespace.js';

const REQUEST_PATTERNS = [
  /(?:^|[,;:]\s*|\b(?:and|so|also|but|then)\s+)(?:please|pls|plz|kindly)\s+(?!find\b|see (?:below|attached|the attached)|note\b|be advised\b|disregard\b|ignore\b|accept (?:my|our)\b|excuse\b|forgive\b)[a-z]/i,
  /\b(?:could|can|would|will) you(?: please| kindly| possibly)?\s+(?!be\b)[a-z]+/i,
  /\bI(?:'d| would)? (?:need|want|would like) (?:you|someone|somebody) to\b/i,
  /\b(?:I|we)(?:'d| would) (?:appreciate|be grateful)(?: it)? if you\b/i,
  /^(?:please )?(?:let me know|get back to me|keep me (?:posted|informed))\b/i,
  /,\s*please[.!]?$/i,
];

/**
 * A necessary condition for any REQUEST_PATTERNS match (each pattern needs one of these words), tested
 * once so most sentences skip the six patterns.
 */
const REQUEST_WORDS = /please|pls|plz|kindly|you|someone|somebody|appreciate|grateful|let me know|get back to me|keep me/i;

const ACTION_VERBS = new Set([
  'send', 'call', 'forward', 'review', 'sign', 'confirm', 'reply', 'respond', 'provide', 'give', 'check', 'update', 'fix',
  'approve', 'schedule', 'submit', 'complete', 'prepare', 'contact', 'email', 'fax', 'bring', 'return', 'tell', 'ask',
  'read', 'look', 'email', 'print', 'file', 'book', 'arrange', 'set', 'add', 'remove', 'change', 'verify', 'fill', 'mail',
  'ship', 'pay', 'invoice', 'draft', 'write', 'phone', 'ring', 'join', 'attend', 'RSVP', 'rsvp', 'register', 'remind',
]);

function trimmedSpan(text: string, start: number, end: number): [number, number] {
  while (start < end && isSpaceCode(text.charCodeAt(start))) start++;
  while (end > start && isSpaceCode(text.charCodeAt(end - 1))) end--;
  return [start, end];
}

/**
 * Splits a wink sentence further at blank lines (mail text often lacks final punctuation): at every
 * "\n", optional spaces/tabs, "\n" that starts before `end` (it may run past it), left to right and
 * not overlapping, which is what /\n[ \t]*\n/g finds. A plain scan, so a sentence without one costs
 * its own length and not a search through the rest of the text.
 */
function pieces(text: string, start: number, end: number): [number, number][] {
  const out: [number, number][] = [];
  let at = start;
  const length = text.length;
  for (let i = start; i < end; i++) {
    if (text.charCodeAt(i) !== 10) continue;
    let j = i + 1;
    while (j < length && (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 9)) j++;
    if (j < length && text.charCodeAt(j) === 10) {
      out.push([at, i]);
      at = j + 1;
      i = j;
    }
  }
  out.push([at, end]);
  return out;
}

/** /\S\?["')\]]*$/.test(s): a '?' after a non-space character, then only closing quotes/brackets. */
function endsWithQuestionMark(s: string): boolean {
  let k = s.length;
  for (;;) {
    const c = s.charCodeAt(k - 1);
    if (c === 34 || c === 39 || c === 41 || c === 93) k--;
    else break;
  }
  return k >= 2 && s.charCodeAt(k - 1) === 63 && !isSpaceCode(s.charCodeAt(k - 2));
}

function opensWithActionVerb(tokens: NlpToken[], sentence: NlpSentence, start: number): boolean {
  for (let i = sentence.firstToken; i <= sentence.lastToken; i++) {
    const token = tokens[i]!;
    if (token.start < start) continue;
    if (token.type !== 'word') return false;
    return token.pos === 'VERB' && ACTION_VERBS.has(token.normal) && /^\p{Lu}/u.test(token.value);
  }
  return false;
}

/** Questions and requests in text[from, end): `from` skips a subject that only echoes another message's. */
export function findQuestions(text: string, tokens: NlpToken[], sentences: NlpSentence[], from: number, end: number, max: number): Question[] {
  const out: Question[] = [];
  for (const sentence of sentences) {
    if (sentence.start >= end || out.length >= max) break;
    if (sentence.end <= from) continue;
    for (const [rawStart, rawEnd] of pieces(text, Math.max(sentence.start, from), Math.min(sentence.end, end))) {
      const [start, stop] = trimmedSpan(text, rawStart, rawEnd);
      if (stop - start < 4 || stop - start > 600) continue;
      const s = text.slice(start, stop);
      // A '?' that is part of a URL or glued to the next character is not a question mark.
      const next = text.charCodeAt(stop);
      const isQuestion =
        endsWithQuestionMark(s) &&
        (Number.isNaN(next) || next === 32 || next === 10 || next === 9 || next === 13) &&
        !/:\/\/|^\(?www\./i.test(s.slice(Math.max(s.lastIndexOf(' '), s.lastIndexOf('\n')) + 1));
      const isRequest = (REQUEST_WORDS.test(s) && REQUEST_PATTERNS.some((re) => re.test(s))) || opensWithActionVerb(tokens, sentence, start);
      if (!isQuestion && !isRequest) continue;
      out.push({ text: s, kind: isRequest ? 'request' : 'direct', start, end: stop });
      if (out.length >= max) break;
    }
  }
  return out;
}
