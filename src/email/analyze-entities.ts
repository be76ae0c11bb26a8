/**
 * Entities: wink's (DATE, TIME, DURATION, MONEY, PERCENT, EMAIL, URL, HASHTAG, MENTION, and numbers on
 * request; wink-entities.ts corrects them and adds the dates wink misses) plus rules wink lacks: PHONE
 * (regex), PERSON (token patterns: a title followed by capitalised words, runs of two or three
 * capitalised proper nouns with a known given name or an initial, the sender's and recipients' names,
 * a name line opening the signature), ORG (organisations.ts: shapes such as "Acme Inc." and "Bank of
 * America", a list of well-known names, the sender's mail domain), PLACE (places.ts: a gazetteer and the
 * "City, ST" address form).
 * When spans overlap the more specific type wins (EMAIL/URL > PHONE > wink types > ORG > PERSON > PLACE >
 * numbers): "University of Texas" is an organisation, not a place.
 */
import { isGivenName } from './first-names.js';
import { findOrganisations } from './organisations.js';
import { findPlaces, isPlainPlaceName } from './places.js';
import { bareLower, isCapWord, isInitial, startsUpper } from './text-case.js';
import type { NlpDoc, NlpToken } from './nlp.js';
import type { Entity, EntityType, Mailbox } from './types.js';
import { monthDayDates, winkEntitySpans, type TypedSpan } from './wink-entities.js';

export interface EntityContext {
  from: Mailbox | null;
  /** Recipients (To/Cc): their display names are found in the text as PERSON. */
  recipients: Mailbox[];
  /** Headers that may carry the sender's display name when From does not (Enron's X-From). */
  extraSenderNames: string[];
  tailStart: number;
  includeNumbers: boolean;
  maxEntities: number;
}

const RANK: Record<EntityType, number> = {
  EMAIL: 0, URL: 0, PHONE: 1, MONEY: 2, PERCENT: 2, TIME: 2, DATE: 2, DURATION: 2, HASHTAG: 2, MENTION: 2, ORG: 3, PERSON: 4,
  PLACE: 5, CARDINAL: 6, ORDINAL: 6,
};

const TITLES = new Set(['mr', 'mrs', 'ms', 'miss', 'mx', 'dr', 'prof', 'professor', 'sir', 'dame', 'madam', 'rev', 'hon', 'sen', 'senator', 'rep', 'gov', 'governor', 'judge', 'capt', 'col', 'gen', 'lt', 'sgt']);


/**
 * Words of NOT_NAME that are also surnames, taken as one after a known given name: "George Washington",
 * "Sam Houston", "Jack London", "Vincent Price".
 */
const SURNAMES_ALSO_WORDS = new Set(['washington', 'houston', 'london', 'price', 'west']);

/** Capitalised words that are almost never part of a person's name in mail. */
const NOT_NAME = new Set(
  (
    'i a an the this that these those there here it its we our you your he she they them his her my me us ' +
    'monday tuesday wednesday thursday friday saturday sunday january february march april may june july august ' +
    'september october november december jan feb mar apr jun jul aug sep sept oct nov dec today tomorrow yesterday ' +
    'dear hi hello hey thanks thank please regards best cheers sincerely subject re fw fwd from to cc bcc sent date ' +
    'attached attachment note click free order now new just call visit mail email e-mail internet web site website ' +
    'online home page news report meeting conference board president vice chairman ceo cfo coo cto director manager ' +
    'officer executive senior chief head team staff office department services service energy power gas oil market ' +
    'markets business management international national global north south east west central america american ' +
    'united states street avenue road suite building center centre room floor city county houston london new york ' +
    'texas california washington europe european asia internet microsoft windows linux red hat apple google yahoo ' +
    'money cash credit card account accounts bank price prices sale sales special offer offers limited time only ' +
    'million billion dollars percent agreement contract project program programme plan policy group company ' +
    'corporation inc corp llc ltd co university college school institute association and or of for with on in at by ' +
    'about after before all any as be but do if is no not so up what when where who why how yes ok okay fyi asp ' +
    'message original forwarded reply re: please. enron ect hou corp na ees ena ambassador minister secretary ' +
    'parkway boulevard blvd highway freeway cafe band tech engineering hub administrator coordinator assistant ' +
    'analyst support webmaster postmaster'
  ).split(/\s+/),
);

const PHONE_NANP = /(?<![\w.+/-])(?:\+?1[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[\s./-])\d{3}[\s.-]\d{4}(?:\s*(?:x|ext\.?|extension)\s*\d{1,6})?(?![\w-])/gi;
const PHONE_INTL = /(?<![\w+])\+\d{1,3}(?:[\s.-]?(?:\(0\)|\(\d{1,4}\)))?(?:[\s.-]?\d{2,5}){2,5}(?![\w-])/g;
/**
 * A number dialled abroad without "+": the exit code 011 (from North America) or 00 (most elsewhere), a
 * country code, then the number: "011 44 20 7946 0958", "00 33 1 42 68 53 00". Without an exit code a run
 * of digit groups is as likely a reference number as a telephone, so it is left alone.
 */
const PHONE_DIALLED = /(?<![\w+.,/-])(?:011|00)[\s.-]?[1-9]\d{0,2}(?:[\s.-]?\d{1,5}){2,6}(?![\w-])/g;

/** "Skilling, Jeff" -> "Jeff Skilling"; null unless it looks like a personal name (2-4 capitalised words). */
function personalName(raw: string): string | null {
  let name = raw.replace(/["']/g, '').replace(/\s*<[^>]*>\s*/g, ' ').replace(/\s*\([^)]*\)\s*/g, ' ').replace(/\s+/g, ' ').trim();
  const comma = /^([^,]+),\s*([^,]+)$/.exec(name);
  if (comma) name = `${comma[2]} ${comma[1]}`;
  const words = name.split(' ');
  if (words.length < 2 || words.length > 4 || name.includes('@')) return null;
  if (!words.every((w) => isCapWord(w) || isInitial(w))) return null;
  if (!isCapWord(words[0]!) && !isInitial(words[0]!)) return null;
  if (words.some((w) => NOT_NAME.has(w.toLowerCase()))) return null;
  return name;
}

/**
 * Display names of the sender and recipients that look personal: the first word is a known given name,
 * or the address echoes one of the words ("Jane Smith" <jsmith@...>). "Widget Weekly" <news@...> is not.
 * Without a display name, the sender's address spells one ("jane.smith@" is Jane Smith): `spelled` is
 * that name when it came from the address alone.
 */
function contactNames(context: EntityContext): { names: string[]; spelled: string | null } {
  const names = new Set<string>();
  const add = (raw: string | undefined, address: string) => {
    const name = raw ? personalName(raw) : null;
    if (!name) return;
    const words = name.toLowerCase().split(' ');
    const local = address.split('@')[0]!.toLowerCase();
    if (isGivenName(words[0]!) || words.some((w) => w.length >= 3 && local.includes(w.replace(/\.$/, '')))) names.add(name);
  };
  const fromAddress = context.from?.address ?? '';
  add(context.from?.name, fromAddress);
  for (const extra of context.extraSenderNames) add(extra, fromAddress);
  for (const r of context.recipients.slice(0, 50)) add(r.name, r.address);
  const parts = /^([a-z]{2,})[._]([a-z]{2,})$/i.exec(fromAddress.split('@')[0] ?? '');
  let spelled: string | null = null;
  if (parts) {
    const name = `${parts[1]![0]!.toUpperCase()}${parts[1]!.slice(1).toLowerCase()} ${parts[2]![0]!.toUpperCase()}${parts[2]!.slice(1).toLowerCase()}`;
    if (!names.has(name)) {
      add(name, fromAddress);
      if (names.has(name)) spelled = name;
    }
  }
  return { names: [...names], spelled };
}

/**
 * An address keeps a surname only up to its first space: Simone La Rose writes from "simone.la@". So a
 * name spelled from the address and followed in the text by one more capitalised word takes it, unless
 * a run of capitalised words goes on (a title: "Kenny Kurtzman Contact Information").
 */
function surnameRest(text: string, end: number): number {
  const m = /^ (\p{Lu}\p{Ll}+)(?![\p{L}\d]| \p{Lu})/u.exec(text.slice(end, end + 40));
  return m && !NOT_NAME.has(m[1]!.toLowerCase()) ? m[0].length : 0;
}

const WEBMAIL = new Set(['gmail', 'yahoo', 'hotmail', 'aol', 'msn', 'outlook', 'live', 'mail', 'earthlink', 'comcast', 'excite', 'netscape', 'juno', 'compuserve', 'email', 'lycos']);

/**
 * Domains named after a language or a system rather than the body that runs them: "Perl" in a perl.org
 * newsletter (389 on the corpus) and "Linux" on linux.ie's list (57) are the things themselves.
 */
const NOT_ORG_DOMAINS = new Set(['perl', 'python', 'linux', 'unix', 'java', 'php', 'ruby', 'tcl']);

function senderOrg(from: Mailbox | null): string | null {
  const domain = from?.address.split('@')[1]?.toLowerCase();
  if (!domain) return null;
  const labels = domain.split('.').filter(Boolean);
  if (labels.length < 2) return null;
  const sld = labels.length >= 3 && /^(?:co|com|ac|org|net|gov)$/.test(labels[labels.length - 2]!) ? labels[labels.length - 3]! : labels[labels.length - 2]!;
  if (sld.length < 3 || WEBMAIL.has(sld) || NOT_ORG_DOMAINS.has(sld)) return null;
  return sld;
}

export function extractEntities(doc: NlpDoc, context: EntityContext): Entity[] {
  const { text, tokens } = doc;
  const spans: TypedSpan[] = winkEntitySpans(doc, context.includeNumbers);
  spans.push(...monthDayDates(text));

  // [pattern, fewest digits, most digits]. A dialled number counts its exit code too, and is written in
  // groups: "00110100059665" is more likely an account than a call to Nicaragua.
  for (const [re, fewest, most] of [[PHONE_NANP, 7, 16], [PHONE_INTL, 7, 16], [PHONE_DIALLED, 11, 18]] as const) {
    re.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(text)) !== null) {
      const digits = m[0].replace(/\D/g, '').length;
      if (digits < fewest || digits > most) continue;
      if (re === PHONE_DIALLED && !/\d[\s.-]\d/.test(m[0])) continue;
      spans.push({ type: 'PHONE', start: m.index, end: m.index + m[0].length });
    }
  }

  for (const org of findOrganisations(text, tokens)) spans.push({ type: 'ORG', start: org.start, end: org.end });
  findPeople(text, tokens, spans);
  for (const place of findPlaces(text, tokens)) spans.push({ type: 'PLACE', start: place.start, end: place.end });

  // The sender's and recipients' names, and the sender's organisation, wherever they occur.
  const contacts = contactNames(context);
  for (const name of contacts.names) {
    let at = text.indexOf(name);
    while (at !== -1) {
      let end = at + name.length;
      // Whole words only: "Jane Smith" is not found inside "Jane Smithson".
      if (!/\w/.test(text[at - 1] ?? '') && !/\w/.test(text[end] ?? '')) {
        if (name === contacts.spelled) end += surnameRest(text, end);
        spans.push({ type: 'PERSON', start: at, end });
      }
      at = text.indexOf(name, end);
    }
  }
  const org = senderOrg(context.from);
  if (org) {
    for (const token of tokens) {
      if (token.normal === org && startsUpper(token.value)) spans.push({ type: 'ORG', start: token.start, end: token.end });
    }
  }

  // A signature that opens with a name line ("Jane Smith" / "Jane Q. Smith"), after any "--" rule.
  if (context.tailStart < text.length) {
    const head = text.slice(context.tailStart, context.tailStart + 300);
    let offset = 0;
    for (const line of head.split('\n')) {
      if (/^[\s\-_=*~/]*$/.test(line)) {
        offset += line.length + 1;
        continue;
      }
      const m = /^\s*(\p{Lu}[\p{Ll}'-]+(?:\s+\p{Lu}\.?)?(?:\s+\p{Lu}[\p{Ll}'-]+){1,2})\s*$/u.exec(line);
      if (m && !m[1]!.split(/\s+/).some((w) => NOT_NAME.has(w.toLowerCase()))) {
        const start = context.tailStart + offset + line.indexOf(m[1]!);
        spans.push({ type: 'PERSON', start, end: start + m[1]!.length });
      }
      break;
    }
  }

  // Resolve overlaps: most specific type first, then longer spans, then earlier. Kept spans mark the
  // characters they cover, so checking a span costs its length, not the number kept so far (a message of
  // 6,000 dates took 150 ms when each span was compared with every kept one).
  spans.sort((a, b) => RANK[a.type] - RANK[b.type] || b.end - b.start - (a.end - a.start) || a.start - b.start);
  const kept: TypedSpan[] = [];
  const covered = new Uint8Array(text.length);
  for (const span of spans) {
    if (span.end <= span.start) continue;
    if (covered.subarray(span.start, span.end).includes(1)) continue;
    covered.fill(1, span.start, span.end);
    kept.push(span);
  }
  kept.sort((a, b) => a.start - b.start);
  return kept.slice(0, context.maxEntities).map((s) => ({ type: s.type, text: text.slice(s.start, s.end), start: s.start, end: s.end }));
}


/**
 * Whether a capitalised word just before a candidate name belongs to the same name ("Portland" in
 * "Portland General") and so rules the candidate out. Not a word that never names anyone ("Dear John
 * Smith") nor one that is not a proper noun: a sentence opened by a verb or a noun ("Meet John Adams",
 * "Thanks Mary Jones") still names the person after it. A capitalised "The" does rule it out.
 */
function continuesName(prev: NlpToken): boolean {
  if (/^\p{Lu}{2,}$/u.test(prev.value)) return true;
  if (prev.value === 'The') return true; // "The Norma Zenteno Band" names a thing
  return isCapWord(prev.value) && prev.pos === 'PROPN' && !NOT_NAME.has(prev.normal);
}

/**
 * wink splits a hyphened given name at its hyphen, so "Jean-Marie Messier" was found as "Marie Messier".
 * A known given name joined by a hyphen to the name's first word belongs to it ("Selection-Jeff
 * Skilling", a heading run on into a name, does not), unless a span found before claims it: "Jan" of
 * "Jan-Michael Gambill" is already a date, and the longer name would lose to it altogether.
 */
function hyphenedGivenNameStart(tokens: NlpToken[], first: number, found: TypedSpan[]): number {
  const hyphen = tokens[first - 1];
  const given = tokens[first - 2];
  const start = tokens[first]!.start;
  if (!hyphen || !given || hyphen.value !== '-' || hyphen.end !== start || given.end !== hyphen.start) return start;
  if (!isCapWord(given.value) || !isGivenName(given.normal)) return start;
  return found.some((s) => s.start < hyphen.end && given.start < s.end) ? start : given.start;
}

function findPeople(text: string, tokens: NlpToken[], spans: TypedSpan[]): void {
  const n = tokens.length;
  for (let i = 0; i < n; i++) {
    const token = tokens[i]!;
    if (!startsUpper(token.value)) continue; // names and titles are capitalised
    // Title + capitalised words: "Dr. Jane Smith", "Mr Lay".
    const second = token.value.charCodeAt(1);
    if (second >= 97 && second <= 122 && TITLES.has(bareLower(token.value))) {
      let k = i + 1;
      if (tokens[k]?.value === '.') k++;
      let last = -1;
      while (k < n && k - i <= 4 && ((isCapWord(tokens[k]!.value) && !NOT_NAME.has(tokens[k]!.normal)) || (last !== -1 && isInitial(tokens[k]!.value)))) {
        last = k;
        k++;
      }
      if (last !== -1) {
        spans.push({ type: 'PERSON', start: token.start, end: tokens[last]!.end });
        i = last;
      }
      continue;
    }
    // Two or three capitalised proper nouns, optionally with a middle initial: "Jeff Skilling", "Kevin G Moore".
    if (token.pos !== 'PROPN' || !isCapWord(token.value) || NOT_NAME.has(token.normal)) continue;
    const prev = tokens[i - 1];
    if (prev && prev.end + 1 >= token.start && continuesName(prev)) continue; // inside a longer capitalised run
    const run = [i];
    let k = i + 1;
    let endsAtPlace = false;
    while (k < n && run.length < 4) {
      const t = tokens[k]!;
      if (t.start - tokens[k - 1]!.end > 1) break; // names do not span line breaks or gaps
      if (isInitial(t.value) && run.length === 1 && tokens[k + 1] && isCapWord(tokens[k + 1]!.value)) {
        run.push(k);
        k++;
        continue;
      }
      if (t.value === '.' && isInitial(tokens[k - 1]!.value)) {
        k++;
        continue;
      }
      if (t.pos === 'PROPN' && isCapWord(t.value) && !NOT_NAME.has(t.normal)) {
        // A place after the name ends it: a dateline ("President Hugo Chavez Caracas, May 23").
        if (run.length >= 2 && isPlainPlaceName(t.value)) {
          endsAtPlace = true;
          break;
        }
        run.push(k);
        k++;
        continue;
      }
      if (run.length === 1 && SURNAMES_ALSO_WORDS.has(t.normal) && isCapWord(t.value) && isGivenName(token.normal)) {
        run.push(k);
        k++;
      }
      break;
    }
    const words = run.filter((r) => !isInitial(tokens[r]!.value)).length;
    const hasInitial = run.some((r) => isInitial(tokens[r]!.value));
    const next = tokens[k];
    const followedByCap = !endsAtPlace && next && isCapWord(next.value) && next.start - tokens[k - 1]!.end <= 1;
    // A known given name or a middle initial is what separates "Jane Smith" from "Legal Notice".
    const end = tokens[run[run.length - 1]!]!.end;
    if (words >= 2 && words <= 3 && !followedByCap && (isGivenName(token.normal) || hasInitial) && !isPlainPlaceName(text.slice(token.start, end))) {
      spans.push({ type: 'PERSON', start: hyphenedGivenNameStart(tokens, i, spans), end });
      i = run[run.length - 1]!;
    }
  }
}
