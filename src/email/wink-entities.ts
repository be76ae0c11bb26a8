/**
 * wink's own entities (DATE, TIME, DURATION, MONEY, PERCENT, EMAIL, URL, HASHTAG, MENTION, and numbers on
 * request) as typed spans, trimmed of edge punctuation and corrected where wink is wrong the same way
 * again and again in mail:
 * - MONEY: in a table of figures wink joins a number to the currency sign of the amount after it: "EPS
 *   2002 $1.35E" gave "2002 $" (191 on the corpus, with "10/25 $49" and the like). The sign belongs to
 *   the amount it touches, so the span moves there ("$1.35").
 * - DURATION: wink marks a unit word on its own ("day" in "the first day", "twice a day", "DAY 1"; "year"
 *   in "10-year" or "30 -year", whose number it leaves out): 4,991 of the corpus's 9,159 durations. A
 *   unit joined to a number by a hyphen takes the number back ("10-year", "one-day"); a bare unit is not
 *   a duration and is dropped.
 * - MENTION: wink takes any "@word" for a social-media handle. In mail it is nearly always a piece of an
 *   address: Lotus Notes' "Jeff Skilling/HOU/ECT@ECT" (the corpus's 800 mentions were "@ENRON" 115,
 *   "@ECT" 82...), "nancyperez @cancham.com.ve", "@yahoo.com", a time "@15:03" or uuencoded text. A
 *   mention stands on its own after a space and names a handle that starts with a letter.
 * - DATE: wink does not know "Sept" ("Sept. 10th", "until Sept 28": 165 on the corpus) nor day ranges
 *   ("May 5-7, 2002", "March 3-6"). `monthDayDates` finds them; where wink found a part ("2002"), the
 *   longer span wins when overlaps are resolved.
 */
import type { NlpDoc } from './nlp.js';
import type { EntityType } from './types.js';

export interface TypedSpan {
  type: EntityType;
  start: number;
  end: number;
}

const WINK_TYPES: Record<string, EntityType> = {
  DATE: 'DATE', TIME: 'TIME', DURATION: 'DURATION', MONEY: 'MONEY', PERCENT: 'PERCENT', EMAIL: 'EMAIL', URL: 'URL',
  HASHTAG: 'HASHTAG', MENTION: 'MENTION', CARDINAL: 'CARDINAL', ORDINAL: 'ORDINAL',
};

function trimSpan(text: string, span: TypedSpan): TypedSpan {
  let { start, end } = span;
  while (end > start && /[.,;:!?'"\]]/.test(text[end - 1]!)) end--;
  if (span.type === 'URL' && text[end - 1] === ')' && !text.slice(start, end).includes('(')) end--;
  while (start < end && /[\s"'([]/.test(text[start]!)) start++;
  return { type: span.type, start, end };
}

/** A number, a date like 10/25, or a year before a currency sign: "2002 $", "10/25   $". */
const FIGURES_THEN_SIGN = /^[\d][\d.,/-]*\s*[$£€¥]$/;
/** The amount a sign touches: "1,234.50" in "$1,234.50E". */
const AMOUNT = /^\d[\d,]*(?:\.\d+)?/;

/** "2002 $" before "1.35E" -> "$1.35"; null when the span is not that mistake. */
function moneyAtItsSign(text: string, span: TypedSpan): TypedSpan | null {
  if (!FIGURES_THEN_SIGN.test(text.slice(span.start, span.end))) return null;
  const amount = AMOUNT.exec(text.slice(span.end, span.end + 40));
  if (!amount) return null;
  return { type: 'MONEY', start: span.end - 1, end: span.end + amount[0].length };
}

const UNIT = /^(?:seconds?|minutes?|hours?|days?|weeks?|fortnights?|months?|years?|decades?|century|centuries)$/i;
const NUMBER_WORD = /^(?:\d+(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|sixty|ninety|hundred)$/i;

/**
 * A duration that is a unit word alone: with the number a hyphen joins to it ("10-year", "30 -year",
 * "one-day"), or null (a bare unit is no duration). Other durations are returned as they are.
 */
function durationWithItsNumber(text: string, span: TypedSpan): TypedSpan | null {
  if (!UNIT.test(text.slice(span.start, span.end))) return span;
  const before = /(\S+?) ?-$/.exec(text.slice(Math.max(0, span.start - 24), span.start));
  if (before && NUMBER_WORD.test(before[1]!)) return { type: 'DURATION', start: span.start - before[0].length, end: span.end };
  return null;
}

/** "@handle" after a space or an opening bracket, not run on into a domain ("@yahoo.com") or more symbols. */
const MENTION = /^@[A-Za-z][A-Za-z0-9_]{0,30}$/;

function isMention(text: string, span: TypedSpan): boolean {
  const before = text[span.start - 1];
  if (before !== undefined && !/[\s(\[]/.test(before)) return false;
  return MENTION.test(text.slice(span.start, span.end)) && !/^[.@=/\w]\w/.test(text.slice(span.end, span.end + 2));
}

/** wink's entities as spans over `doc.text`, corrected as described above. */
export function winkEntitySpans(doc: NlpDoc, includeNumbers: boolean): TypedSpan[] {
  const { text, tokens } = doc;
  const spans: TypedSpan[] = [];
  for (const entity of doc.entities) {
    const type = WINK_TYPES[entity.type];
    if (!type) continue;
    if ((type === 'CARDINAL' || type === 'ORDINAL') && !includeNumbers) continue;
    let span: TypedSpan | null = trimSpan(text, { type, start: tokens[entity.firstToken]!.start, end: tokens[entity.lastToken]!.end });
    if (type === 'MONEY') span = moneyAtItsSign(text, span) ?? span;
    else if (type === 'DURATION') span = durationWithItsNumber(text, span);
    else if (type === 'MENTION' && !isMention(text, span)) span = null;
    if (span && span.end > span.start) spans.push(span);
  }
  return spans;
}

const MONTH = String.raw`(?:(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?|January|February|March|April|May|June|July|August|September|October|November|December)`;
const DAY = String.raw`(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?`;
const MONTH_DAY = new RegExp(String.raw`\b${MONTH}\s(${DAY})(?:\s?[-–]\s?${DAY})?(?:,?\s(?:19|20)\d\d)?(?![\w/:.-]\d|[\w:/])`, 'g');

/** "Sept 28", "Sept. 10th", "May 5-7, 2002": a month by name, a day or a range of days, a year. */
export function monthDayDates(text: string): TypedSpan[] {
  const spans: TypedSpan[] = [];
  MONTH_DAY.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = MONTH_DAY.exec(text)) !== null) spans.push({ type: 'DATE', start: m.index, end: m.index + m[0].length });
  return spans;
}
