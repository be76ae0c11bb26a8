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
  while (start < end && /\s/.test(text[start]!)) start++;
  while (end > start && /\s/.test(text[end - 1]!)) end--;
  return [start, end];
}

/** Splits a wink sentence further at blank lines (mail text often lacks final punctuation). */
function pieces(text: string, start: number, end: number): [number, number][] {
  const out: [number, number][] = [];
  let at = start;
  const re = /\n[ \t]*\n/g;
  re.lastIndex = start;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null && m.index < end) {
    out.push([at, m.index]);
    at = m.index + m[0].length;
  }
  out.push([at, end]);
  return out;
}

function opensWithActionVerb(tokens: NlpToken[], sentence: NlpSentence, start: number): boolean {
  for (let i = sentence.firstToken; i <= sentence.lastToken; i++) {
    const token = tokens[i]!;
    if (token.start < start) continue;
    if (token.type !== 'word') return false;
    return token.pos === 'VERB' && ACTION_VERBS.has(token.normal) && /^[A-Z]/.test(token.value);
  }
  return false;
}

export function findQuestions(text: string, tokens: NlpToken[], sentences: NlpSentence[], end: number, max: number): Question[] {
  const out: Question[] = [];
  for (const sentence of sentences) {
    if (sentence.start >= end || out.length >= max) break;
    for (const [rawStart, rawEnd] of pieces(text, sentence.start, Math.min(sentence.end, end))) {
      const [start, stop] = trimmedSpan(text, rawStart, rawEnd);
      if (stop - start < 4 || stop - start > 600) continue;
      const s = text.slice(start, stop);
      // A '?' that is part of a URL or glued to the next character is not a question mark.
      const next = text.charCodeAt(stop);
      const isQuestion =
        /\S\?["')\]]*$/.test(s) &&
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
