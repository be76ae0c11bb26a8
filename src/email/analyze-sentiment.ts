/**
 * Sentiment and conversational patterns over the analysed text before the signature/footer.
 *
 * score: wink's own document formula (the mean of its per-sentence scores, each the mean of the
 * sentiment words in the sentence with negation applied), restricted to sentences before `end`, so a
 * cheerful signature or list footer does not move it. Range -1..1, rounded to 3 decimals.
 * polarity: positive at >= 0.15, negative at <= -0.05, else neutral. The asymmetry is calibrated on the
 * real corpus: wink's lexicon scores everyday mail words ("please", "free", "good", "thanks") as
 * positive, so plain business mail centres near +0.09 (median over 8,629 messages; quartiles 0.00 and
 * +0.16), while clearly negative mail is rarer and sits below -0.05 (the lowest ~12%).
 * patterns: phrase lists for gratitude, agreement, dissatisfaction and demand; `phrases` holds the
 * distinct lower-cased matches, at most 10 each.
 */
import type { NlpSentence } from './nlp.js';
import type { PatternHits, Polarity } from './types.js';

export const POSITIVE_THRESHOLD = 0.15;
export const NEGATIVE_THRESHOLD = -0.05;

export function scoreSentiment(sentences: NlpSentence[], end: number): { score: number; polarity: Polarity } {
  let sum = 0;
  let count = 0;
  for (const sentence of sentences) {
    if (sentence.start >= end) break;
    sum += sentence.sentiment;
    count++;
  }
  const score = count === 0 ? 0 : Math.round((sum / count) * 1000) / 1000;
  const polarity: Polarity = score >= POSITIVE_THRESHOLD ? 'positive' : score <= NEGATIVE_THRESHOLD ? 'negative' : 'neutral';
  return { score, polarity };
}

const PATTERNS = {
  gratitude:
    /\b(?:thank(?:s| you)(?: (?:so|very) much| a lot| again| in advance| for)?|many thanks|thanx|thx|much appreciated|(?:i|we) (?:really |truly |greatly |do )?appreciate|appreciate (?:it|your|you)|grateful|thankful|kudos)\b/gi,
  agreement:
    /\b(?:i (?:totally |fully |completely )?agree|we agree|agreed|sounds (?:good|great|fine|right)|that works|works for me|fine (?:with|by) me|ok(?:ay)? (?:with|by) me|makes sense|you(?:'re| are) (?:right|correct)|good (?:idea|point)|great idea|approved|i approve|go ahead|let's do it|count me in|no objections?|will do|i concur|i'm in)\b/gi,
  dissatisfaction:
    /\b(?:disappoint(?:ed|ing|ment)|unacceptable|not (?:happy|satisfied|acceptable|pleased|impressed)|unhappy|dissatisfied|frustrat(?:ed|ing|ion)|annoy(?:ed|ing)|upset|complain(?:t|ts|ing|ed)?|still (?:waiting|not|haven't|have not|no)|poor (?:service|quality|performance|communication)|terrible|awful|ridiculous|fed up|outrageous|worst|this is the (?:second|third|fourth|last) time|never (?:received|got|heard back)|(?:has|have)n't been (?:resolved|fixed|addressed)|not (?:been )?resolved|waste of (?:time|money)|angry|furious)\b/gi,
  demand:
    /\b(?:i need you to|you need to|you must|we must|must be|have to be|has to be|needs? to be (?:done|completed|sent|fixed|resolved|finished)|i expect|we expect|immediately|at once|without delay|(?:are|is) required to|you are required|make sure|ensure that|no later than|i demand|we demand|i insist|it is (?:imperative|essential|mandatory|critical) that|mandatory|non-negotiable|failure to)\b/gi,
} as const;

export type PatternName = keyof typeof PATTERNS;

export function findPatterns(text: string, end: number): Record<PatternName, PatternHits> {
  const scope = text.slice(0, end);
  const out = {} as Record<PatternName, PatternHits>;
  for (const name of Object.keys(PATTERNS) as PatternName[]) {
    const re = PATTERNS[name];
    re.lastIndex = 0;
    const phrases = new Set<string>();
    let m: RegExpExecArray | null;
    while ((m = re.exec(scope)) !== null && phrases.size < 10) phrases.add(m[0].toLowerCase().replace(/\s+/g, ' '));
    out[name] = { matched: phrases.size > 0, phrases: [...phrases] };
  }
  return out;
}
