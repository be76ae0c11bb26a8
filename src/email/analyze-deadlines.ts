/**
 * Deadlines: "by Friday", "no later than June 3", "due 6/15", "by 5pm tomorrow", "by EOD", "within 48
 * hours", a standalone "tomorrow" or "EOD", resolved against the message's own Date header in the
 * sender's time zone (never the clock of the machine running the analysis).
 *
 * Resolution rules (documented because several are conventions, not facts):
 * - "Friday" / "this Friday": the next Friday on or after the sending day (sent on a Friday -> that day).
 * - "next Friday": the Friday of the following Monday-to-Sunday week.
 * - "June 3" without a year: this year, or next year if that date is more than 30 days before sending.
 * - "6/3": US month/day order unless the first number is over 12.
 * - today / tonight / EOD / COB / end of day: the sending day; tomorrow: the next day. An end of day
 *   followed by a day ("close of business on Monday, August 13") is that day.
 * - end of week: the Friday of the sending week (the next one if sent at the weekend); end of month:
 *   its last day; next week: the Monday of the following week; weekend: the next Saturday.
 * - "by 5pm" alone: the sending day, or the next day if 5pm had already passed when it was sent.
 * - within N hours: sending time + N hours (a date-time); N (business) days: a date.
 * A time of day makes the result a date-time in the sender's offset; otherwise it is a date.
 */
import { addDays, addMinutes, atLocal, dateParts, formatDate, formatDateTime, monthNumber, startOfDay, weekday, type WallTime } from './dates.js';
import type { Deadline } from './types.js';

// Abbreviations may carry a dot; full names may not (so "by Friday." does not swallow the full stop).
const WD = '(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|(?:mon|tues?|wed|thu(?:rs?)?|fri|sat|sun)\\.?)';
const MON = '(?:january|february|march|april|may|june|july|august|september|october|november|december|(?:jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)\\.?)';
const ORD = '(?:st|nd|rd|th)?';
const MONTHDAY = `(?:${MON}\\s+\\d{1,2}${ORD}(?:,?\\s*\\d{4})?|\\d{1,2}${ORD}\\s+(?:of\\s+)?${MON}(?:,?\\s*\\d{4})?)`;
const NUMDATE = '(?:\\d{1,2}/\\d{1,2}(?:/(?:\\d{4}|\\d{2}))?)';
const TIME = '(?:\\d{1,2}(?::\\d{2})?\\s*(?:am|pm|a\\.m\\.|p\\.m\\.)|\\d{1,2}:\\d{2}|noon|midnight)(?:\\s*(?:[ecmp][sd]t|gmt|utc|cet|bst)\\b)?';
const RELDAY =
  '(?:today|tonight|tomorrow(?:\\s+(?:morning|afternoon|evening|night))?|(?:the\\s+)?end\\s+of\\s+(?:the\\s+|this\\s+|next\\s+)?(?:business\\s+|work(?:ing)?\\s+)?(?:day|week|month)|eod|cob|eob|eow|eom|close\\s+of\\s+business|end\\s+of\\s+business|this\\s+(?:morning|afternoon|evening|week|weekend)|next\\s+week|the\\s+weekend)';
const WEEKDAY_DATE = `(?:(?:(?:this|next|coming|the)\\s+)?${WD}(?:,?\\s+(?:${MONTHDAY}|${NUMDATE}))?|${MONTHDAY}|${NUMDATE})`;
/** The end of a day that is then named: "close of business on Monday, August 13", "end of the day Friday, July 27". */
const END_OF_NAMED_DAY = `(?:eod|cob|eob|close\\s+of\\s+business|end\\s+of\\s+business|(?:the\\s+)?end\\s+of\\s+(?:the\\s+)?(?:business\\s+|work(?:ing)?\\s+)?day),?\\s+(?:on\\s+)?${WEEKDAY_DATE}`;
const DAYREF = `(?:${WEEKDAY_DATE}|${END_OF_NAMED_DAY}|${RELDAY})`;
const WHEN = `(?:(?:${TIME})\\s+(?:on\\s+|this\\s+)?${DAYREF}|${DAYREF}(?:,?\\s+(?:at\\s+|by\\s+|before\\s+)?${TIME})?|${TIME}(?:\\s+(?:today|tonight|tomorrow))?)`;
const TRIGGER =
  '(?:by|before|no\\s+later\\s+than|not\\s+later\\s+than|on\\s+or\\s+before|due(?:\\s+(?:on|by|before))?|deadline(?:\\s+(?:is|of))?\\s*:?|needed\\s+(?:by|on)|required\\s+by|expires?(?:\\s+on)?)';

const TRIGGERED = new RegExp(`\\b${TRIGGER}\\s+(?:the\\s+)?(${WHEN})(?![\\w/])`, 'gi');
const WITHIN = /\b(?:within|in\s+the\s+next)\s+(\d{1,3}|an?|one|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|twenty|twenty-four|thirty|forty-eight|seventy-two)\s+(business\s+|working\s+)?(hours?|hrs?|days?|weeks?)\b/gi;
// "The end of the day's fasting" is no deadline ("tomorrow's meeting" still is one).
const STANDALONE = /\b(?:tomorrow(?:\s+(?:morning|afternoon|evening|night))?|eod|cob|(?:the\s+)?end\s+of\s+(?:the\s+)?(?:business\s+)?day(?!['’]s\b)|close\s+of\s+business)\b/gi;
/**
 * A time told as past events is no deadline: "Within 3 weeks she had received 50 responses", "By Friday,
 * I had a job", "all the money came within 22 weeks" (47 on the corpus, nearly all chain-letter
 * testimonials). The clause after the phrase opens with a subject and a past-tense verb, or the phrase
 * follows a verb of arrival in the past. "must be made by 7/21" stays: "made" there is not narrative.
 */
const PAST_AFTER = /^,?\s+(?:(?:the|my|our|his|her|their|i|we|he|she|they|it|all|most)\s+){1,3}(?:\w+\s+)?(?:was|were|had|did|came|started|began|went|got|received|arrived)\b/i;
const PAST_BEFORE = /\b(?:came|started|began|went|arrived)\s+(?:in\s+)?$/i;

function toldAsPast(text: string, start: number, end: number): boolean {
  return PAST_AFTER.test(text.slice(end, end + 60)) || PAST_BEFORE.test(text.slice(Math.max(0, start - 20), start));
}

/**
 * "Tomorrow" as the future rather than the next day: "the leaders of tomorrow", "like there's no tomorrow",
 * "turn today's challenges into tomorrow's profits". "As of tomorrow", "tomorrow's meeting" and "in Section A
 * of tomorrow's Chronicle" stay.
 */
const FIGURATIVE_BEFORE = /(?:\b(?<!\bas\s)of\s+(?:the\s+)?|\bno\s+)$/i;
const FIGURATIVE_AFTER = /^['’]s\s+(?:world|leaders?|profits?|technolog(?:y|ies)|economy|workforce|workplace|challenges|solutions|opportunities|generations?|industr(?:y|ies)|customers)\b/i;

function figurativeTomorrow(text: string, start: number, end: number): boolean {
  if (!/^tomorrow$/i.test(text.slice(start, end))) return false;
  const possessive = /^['’]s\b/.test(text.slice(end, end + 3));
  return (!possessive && FIGURATIVE_BEFORE.test(text.slice(Math.max(0, start - 16), start))) || FIGURATIVE_AFTER.test(text.slice(end, end + 20));
}

/** "sun" in lower case is the star ("before the sun comes up"); the day is written "Sun" or "SUN". */
const LOWERCASE_SUN = /\bsun\b/;

const NUMBER_WORDS: Record<string, number> = {
  a: 1, an: 1, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, twelve: 12,
  fifteen: 15, twenty: 20, 'twenty-four': 24, thirty: 30, 'forty-eight': 48, 'seventy-two': 72,
};
const WEEKDAYS: Record<string, number> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };

function parseTime(expr: string): { hour: number; minute: number } | null {
  const lower = expr.toLowerCase();
  if (/\bnoon\b/.test(lower)) return { hour: 12, minute: 0 };
  if (/\bmidnight\b/.test(lower)) return { hour: 23, minute: 59 };
  const m = /(?<![\d/:.])(\d{1,2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)(?![a-z])|(?<![\d/:.])(\d{1,2}):(\d{2})(?![\d/:])/.exec(lower);
  if (!m) return null;
  const hourText = m[1] ?? m[4]!;
  const minuteText = m[2] ?? m[5];
  let hour = parseInt(hourText, 10);
  const minute = minuteText ? parseInt(minuteText, 10) : 0;
  const meridiem = m[3]?.replace(/\./g, '');
  if (meridiem === 'pm' && hour < 12) hour += 12;
  if (meridiem === 'am' && hour === 12) hour = 0;
  if (hour > 23 || minute > 59) return null;
  return { hour, minute };
}

function fullYear(text: string): number {
  const n = parseInt(text, 10);
  return text.length <= 2 ? (n < 50 ? 2000 + n : 1900 + n) : n;
}

/** The day an expression names, as a local midnight, or null when it names none or cannot be resolved. */
function resolveDay(expr: string, ref: WallTime | null): { day: WallTime | null; named: boolean } {
  const lower = expr.toLowerCase().replace(/\s+/g, ' ');
  const offset = ref?.offset ?? 0;
  // Explicit month/day.
  let m = new RegExp(`(${MON})\\s+(\\d{1,2})(?:st|nd|rd|th)?(?:,?\\s*(\\d{4}))?`).exec(lower) ?? null;
  let month: number | undefined;
  let dayOfMonth: number | undefined;
  let year: number | undefined;
  if (m) {
    month = monthNumber(m[1]!);
    dayOfMonth = parseInt(m[2]!, 10);
    year = m[3] ? parseInt(m[3], 10) : undefined;
  } else if ((m = new RegExp(`(\\d{1,2})(?:st|nd|rd|th)?\\s+(?:of\\s+)?(${MON})(?:,?\\s*(\\d{4}))?`).exec(lower))) {
    month = monthNumber(m[2]!);
    dayOfMonth = parseInt(m[1]!, 10);
    year = m[3] ? parseInt(m[3], 10) : undefined;
  } else if ((m = /(\d{1,2})\/(\d{1,2})(?:\/(\d{4}|\d{2}))?/.exec(lower))) {
    let a = parseInt(m[1]!, 10);
    let b = parseInt(m[2]!, 10);
    if (a > 12 && b <= 12) [a, b] = [b, a];
    month = a;
    dayOfMonth = b;
    year = m[3] ? fullYear(m[3]) : undefined;
  }
  if (month !== undefined && dayOfMonth !== undefined) {
    if (year === undefined) {
      if (!ref) return { day: null, named: true };
      const refParts = dateParts(ref);
      year = refParts.year;
      const candidate = atLocal(year, month, dayOfMonth, 0, 0, offset);
      if (candidate && candidate.wall < startOfDay(ref).wall - 30 * 86_400_000) year++;
    }
    return { day: atLocal(year, month, dayOfMonth, 0, 0, offset), named: true };
  }

  const wd = new RegExp(`\\b(this |next |coming )?(${WD})\\b`).exec(lower);
  if (wd) {
    if (!ref) return { day: null, named: true };
    const target = WEEKDAYS[wd[2]!.slice(0, 3)]!;
    const today = startOfDay(ref);
    const current = weekday(ref);
    let delta = (target - current + 7) % 7;
    if (wd[1]?.trim() === 'next') {
      // The target weekday in the following Monday-to-Sunday week.
      const daysToNextMonday = ((8 - current) % 7) || 7;
      const targetFromMonday = (target + 6) % 7;
      delta = daysToNextMonday + targetFromMonday;
    }
    return { day: addDays(today, delta), named: true };
  }

  if (/\b(?:today|tonight|eod|cob|eob|close of business|end of business|end of (?:the )?(?:business |work(?:ing)? )?day|this (?:morning|afternoon|evening))\b/.test(lower)) {
    return { day: ref ? startOfDay(ref) : null, named: true };
  }
  if (/\btomorrow\b/.test(lower)) return { day: ref ? addDays(startOfDay(ref), 1) : null, named: true };
  if (/\b(?:eow|end of (?:the |this )?(?:business |work(?:ing)? )?week|this week)\b/.test(lower)) {
    if (!ref) return { day: null, named: true };
    const current = weekday(ref);
    const delta = current === 6 ? 6 : current === 0 ? 5 : 5 - current;
    return { day: addDays(startOfDay(ref), delta), named: true };
  }
  if (/\bend of next week\b/.test(lower)) {
    if (!ref) return { day: null, named: true };
    return { day: addDays(startOfDay(ref), (((8 - weekday(ref)) % 7) || 7) + 4), named: true };
  }
  if (/\bnext week\b/.test(lower)) {
    if (!ref) return { day: null, named: true };
    return { day: addDays(startOfDay(ref), ((8 - weekday(ref)) % 7) || 7), named: true };
  }
  if (/\bweekend\b/.test(lower)) {
    if (!ref) return { day: null, named: true };
    return { day: addDays(startOfDay(ref), (6 - weekday(ref) + 7) % 7), named: true };
  }
  if (/\b(?:eom|end of (?:the |this |next )?month)\b/.test(lower)) {
    if (!ref) return { day: null, named: true };
    const p = dateParts(ref);
    const add = /next month/.test(lower) ? 2 : 1;
    const last = new Date(Date.UTC(p.year, p.month - 1 + add, 0));
    return { day: atLocal(last.getUTCFullYear(), last.getUTCMonth() + 1, last.getUTCDate(), 0, 0, offset), named: true };
  }
  return { day: null, named: false };
}

function resolveWhen(expr: string, ref: WallTime | null): string | null {
  const time = parseTime(expr);
  const { day, named } = resolveDay(expr, ref);
  if (named) {
    if (!day) return null;
    if (!time) return formatDate(day);
    return formatDateTime(addMinutes(day, time.hour * 60 + time.minute));
  }
  if (time && ref) {
    let at = addMinutes(startOfDay(ref), time.hour * 60 + time.minute);
    if (at.wall < ref.wall) at = addDays(at, 1);
    return formatDateTime(at);
  }
  return null;
}

function addBusinessDays(start: WallTime, days: number): WallTime {
  let at = start;
  let left = days;
  while (left > 0) {
    at = addDays(at, 1);
    const d = weekday(at);
    if (d !== 0 && d !== 6) left--;
  }
  return at;
}

function resolveWithin(amountText: string, business: boolean, unit: string, ref: WallTime | null): string | null {
  if (!ref) return null;
  const amount = /^\d+$/.test(amountText) ? parseInt(amountText, 10) : NUMBER_WORDS[amountText.toLowerCase()] ?? 1;
  const u = unit.toLowerCase();
  if (u.startsWith('h')) return formatDateTime(addMinutes(ref, amount * 60));
  if (u.startsWith('w')) return formatDate(addDays(startOfDay(ref), amount * 7));
  return formatDate(business ? addBusinessDays(startOfDay(ref), amount) : addDays(startOfDay(ref), amount));
}

/** Deadlines found in text[0, end), resolved against `ref` (the sending time), in text order. */
export function findDeadlines(text: string, end: number, ref: WallTime | null, max: number): Deadline[] {
  const scope = text.slice(0, end);
  const found: Deadline[] = [];
  const covered = (start: number, stop: number) => found.some((d) => start < d.end && d.start < stop);

  TRIGGERED.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = TRIGGERED.exec(scope)) !== null) {
    if (LOWERCASE_SUN.test(m[1]!) || toldAsPast(scope, m.index, m.index + m[0].length)) continue;
    const phrase = m[0].replace(/\s+/g, ' ').trim();
    found.push({ phrase, date: resolveWhen(m[1]!, ref), start: m.index, end: m.index + m[0].length });
  }
  WITHIN.lastIndex = 0;
  while ((m = WITHIN.exec(scope)) !== null) {
    if (covered(m.index, m.index + m[0].length) || toldAsPast(scope, m.index, m.index + m[0].length)) continue;
    found.push({ phrase: m[0].replace(/\s+/g, ' '), date: resolveWithin(m[1]!, Boolean(m[2]), m[3]!, ref), start: m.index, end: m.index + m[0].length });
  }
  STANDALONE.lastIndex = 0;
  while ((m = STANDALONE.exec(scope)) !== null) {
    const end = m.index + m[0].length;
    if (covered(m.index, end) || toldAsPast(scope, m.index, end) || figurativeTomorrow(scope, m.index, end)) continue;
    found.push({ phrase: m[0].replace(/\s+/g, ' '), date: resolveWhen(m[0], ref), start: m.index, end });
  }
  found.sort((a, b) => a.start - b.start);
  return found.slice(0, max);
}
