/**
 * Organisations in a message: by their shape ("Acme Widgets Inc.", "Bank of America Corp", "University of
 * Houston", "Insurance Company of America") and by name, from a list of well-known ones the shapes cannot
 * see: names without a suffix ("Merrill Lynch", "Dow Jones", "Reuters") and firms named after people, which
 * would otherwise be read as a person ("Morgan Stanley", "Charles Schwab", "Arthur Andersen"). The list is
 * written for Keel: finance, energy, technology, news and public bodies that business mail names often.
 * Names that are also ordinary words or places (Shell, Apple, Sprint, Fortune, El Paso) are left out.
 */
import { isGivenName } from './first-names.js';
import { NameList, names, oneLine, type NameSpan } from './name-list.js';
import { isModelWord, type NlpToken } from './nlp.js';
import { bareLower, capOrAcronym, isCamelWord, startsUpper } from './text-case.js';

const ORG_SUFFIXES = new Set([
  'inc', 'incorporated', 'corp', 'corporation', 'llc', 'l.l.c', 'ltd', 'limited', 'co', 'company', 'bank', 'university',
  'college', 'institute', 'group', 'association', 'foundation', 'partners', 'lp', 'l.p', 'llp', 'plc', 'gmbh', 'ag', 'sa',
  's.a', 'nv', 'bv', 'holdings', 'technologies', 'systems', 'enterprises', 'industries', 'solutions', 'agency',
  'commission', 'council', 'authority', 'trust', 'capital', 'ventures', 'labs', 'laboratories', 'networks',
  'communications', 'media', 'software', 'airlines', 'motors', 'services', 'securities', 'bancorp',
  'society', 'federation', 'union', 'exchange', 'fund', 'consulting', 'associates', 'studios', 'press', 'club', 'brothers',
]);
const ORG_PREFIXES = new Set(['university', 'bank', 'department', 'institute', 'ministry', 'bureau', 'college', 'school', 'office', 'board', 'federal', 'state']);
const ORG_JOINERS = new Set(['of', '&', 'and', 'for', 'the']);
/** Suffixes that end a name for good: "Acme Inc. of Houston" is Acme Inc., where "Company of America" goes on. */
const ORG_CLOSING_SUFFIXES = new Set(['inc', 'incorporated', 'corp', 'llc', 'l.l.c', 'ltd', 'limited', 'co', 'lp', 'l.p', 'llp', 'plc', 'gmbh', 'ag', 'sa', 's.a', 'nv', 'bv']);
/**
 * Suffixes after which "and" starts another organisation ("Portland State University and Howard University").
 * Not the plural nouns that also run on inside one name: "Securities and Futures Authority", "Venture Capital
 * and Seed Capital Partners", "Software and Internet Services".
 */
const NAME_ENDING_SUFFIXES = new Set([
  ...ORG_CLOSING_SUFFIXES, 'corporation', 'company', 'bank', 'university', 'college', 'institute', 'group', 'association',
  'foundation', 'networks', 'systems', 'council', 'commission', 'agency', 'club', 'society',
]);
/** Capitalised words that start sentences or greetings rather than names of organisations. */
const ORG_STOP = new Set(['the', 'a', 'an', 'this', 'that', 'our', 'your', 'their', 'my', 'his', 'her', 'its', 'dear', 'hi', 'hello', 'thanks', 'from', 'to', 'at', 're', 'with', 'and', 'or', 'if', 'i', 'we', 'you', 'please', 'for', 'by', 'in', 'on', 'of', 'as', 'all', 'any', 'every', 'each', 'new']);

/** Capitalised parts joined by hyphens, which wink keeps as one token after a single letter: "A-Lehman". */
const HYPHENED_CAPITALS = /^\p{Lu}\p{L}*(?:-\p{Lu}\p{L}*)+$/u;

/** A word that can stand in an organisation's name: capitalised, an acronym, camel case, or hyphened capitals. */
function orgWord(token: NlpToken): boolean {
  return capOrAcronym(token) || isCamelWord(token.value) || HYPHENED_CAPITALS.test(token.value);
}

/**
 * "&" and "and" join any two names ("Procter & Gamble Co"); "of", "for" and "the" only follow an
 * organisation word ("Bank of America Corp", "Society for ..."), so "Dr. Alan Turing of Acme Inc." is
 * not read as one organisation.
 */
function joinerFits(joiner: string, before: NlpToken): boolean {
  if (joiner === '&' || joiner === 'and') return true;
  const word = bareLower(before.value);
  return ORG_PREFIXES.has(word) || ORG_SUFFIXES.has(word);
}

/**
 * Whether the "and" or "&" at tokens[joiner] stands between two organisations rather than inside one name,
 * when the words after it (up to the suffix) make a name of their own, one not opening with a suffix word
 * ("First National Bank and Trust Company", "Securities and Exchange Commission" are one name each):
 * - a name-ending suffix ends the words before "and": "California State University and Enron Energy Services"
 *   (an "&" binds closer: "Enron Capital & Trade Resources Corp.", "IT Consulting & Computer Services");
 * - a listed organisation ends there, and no listed name runs on across the joiner: "Salvation Army and
 *   Neighborhood Centers Inc." (but "Deloitte & Touche LLP" is one);
 * - a listed organisation opens the words after it: "Finance and Enron Development Corp".
 */
function joinsTwoNames(text: string, tokens: readonly NlpToken[], joiner: number): boolean {
  const after = tokens[joiner + 1];
  const before = tokens[joiner - 1];
  if (after === undefined || before === undefined || ORG_SUFFIXES.has(bareLower(after.value))) return false;
  if (tokens[joiner]!.value === 'and' && NAME_ENDING_SUFFIXES.has(bareLower(before.value))) return true;
  for (let start = joiner - 1; start >= Math.max(0, joiner - LONGEST_LISTED_NAME); start--) {
    const listed = ORGANISATIONS.match(text, tokens, start);
    if (listed === undefined) continue;
    if (listed[0] === joiner - 1) return true;
    if (listed[0] >= joiner) return false;
  }
  return ORGANISATIONS.match(text, tokens, joiner + 1) !== undefined;
}

/**
 * Where a name found from tokens[first] starts. A single letter and a hyphen before a listed firm is a
 * footnote's mark ("Disclosure Legend: A-Lehman Brothers Inc. managed..."), not part of the name; before
 * anything else it may be ("E-Trade Group").
 */
function markedNameStart(text: string, tokens: readonly NlpToken[], first: number, last: number): number {
  const start = tokens[first]!.start;
  if (!/^\p{Lu}-\p{Lu}/u.test(tokens[first]!.value)) return start;
  for (let k = first; k <= last; k++) if (ORGANISATIONS.get(text.slice(start + 2, tokens[k]!.end))) return start + 2;
  return start;
}

/** Closing suffixes that are ordinary words too: "SPECIAL LIMITED TIME OFFER", "AL AK AZ AR CA CO". */
const CLOSING_SUFFIXES_THAT_ARE_WORDS = new Set(['limited', 'co']);

/**
 * Whether tokens[first..suffix] are capitals with nothing to show they name a firm. In capitals every word
 * looks like a name, so headings and shouted prose read as organisations: "FIELD SERVICES:", "FREE COLLEGE
 * MONEY", "A SECURITY COMPANY", "INCLUDING BUT NOT LIMITED TO". Such a run is kept when it ends with a
 * closing suffix ("KPMG LLP", "WORLDCOM INC"), has a word wink's model does not know ("ENRON", "ZIFF"), or
 * holds a listed organisation ("CREDIT SUISSE GROUP").
 */
function capitalsWithoutAName(text: string, tokens: readonly NlpToken[], first: number, suffix: number): boolean {
  if (/\p{Ll}/u.test(text.slice(tokens[first]!.start, tokens[suffix]!.end))) return false;
  const suffixWord = bareLower(tokens[suffix]!.value);
  if (ORG_CLOSING_SUFFIXES.has(suffixWord) && !CLOSING_SUFFIXES_THAT_ARE_WORDS.has(suffixWord)) return false;
  for (let k = first; k < suffix; k++) {
    const token = tokens[k]!;
    if (/\p{L}/u.test(token.value) && !ORG_JOINERS.has(token.normal) && !isModelWord(token.normal)) return false;
  }
  for (let a = first; a < suffix; a++) {
    for (let b = a; b < Math.min(suffix, a + LONGEST_LISTED_NAME); b++) {
      if (ORGANISATIONS.hasIgnoringCase(text.slice(tokens[a]!.start, tokens[b]!.end))) return false;
    }
  }
  return true;
}

/** Organisations by their shape: "Acme Widgets Inc.", "Bank of America Corp", "University of Houston". */
function findPatternOrganisations(text: string, tokens: readonly NlpToken[], spans: NameSpan[]): void {
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (!startsUpper(token.value)) continue; // organisation words are capitalised
    const lower = bareLower(token.value);
    // "Acme Widgets Inc." / "Acme, Inc." / "Bank of America"-style runs ending in a suffix.
    if (ORG_SUFFIXES.has(lower) && i > 0) {
      let k = i - 1;
      // "Acme, Inc.": only the common English suffixes after a comma; "CA, NV" and "Paris, SA" are not firms.
      if (tokens[k]!.value === ',' && /^(?:inc|llc|ltd|co|corp|plc|lp|llp|l\.l\.c|l\.p)$/.test(lower)) k--;
      let first = -1;
      let words = 0;
      while (k >= 0 && words < 5) {
        const t = tokens[k]!;
        // A closing suffix met on the way ended an earlier name: "KPMG LLP. ZIFF ENERGY GROUP" ("Co., Ltd." is one).
        if (words > 0 && ORG_CLOSING_SUFFIXES.has(bareLower(t.value))) break;
        if (orgWord(t) && !ORG_STOP.has(t.normal)) {
          first = k;
          words++;
          k--;
        } else if (ORG_JOINERS.has(t.value) && words > 0 && k > 0 && orgWord(tokens[k - 1]!) && joinerFits(t.value, tokens[k - 1]!) && !((t.value === 'and' || t.value === '&') && joinsTwoNames(text, tokens, k))) {
          k--;
        } else if (t.value === '-' && words > 0 && k > 0 && orgWord(tokens[k - 1]!) && tokens[k - 1]!.end === t.start && t.end === tokens[k + 1]!.start) {
          // wink splits "Coca-Cola" and "Hewlett-Packard" at the hyphen: the name goes on through it.
          k--;
        } else break;
        if (k >= 0 && tokens[k + 1]!.start - tokens[k]!.end > 2) break; // a line break or gap ends the name
      }
      if (first !== -1 && !capitalsWithoutAName(text, tokens, first, i)) {
        const last = ORG_CLOSING_SUFFIXES.has(lower) ? i : ofNameEnd(text, tokens, i);
        spans.push({ start: markedNameStart(text, tokens, first, last), end: tokens[last]!.end });
        i = last;
        continue;
      }
      // Nothing before it: "University", "Bank", "College" may still open a name ("University of Houston").
    }
    // "University of Houston", "Department of Energy"
    if (ORG_PREFIXES.has(lower)) {
      const last = ofNameEnd(text, tokens, i);
      if (last !== i) spans.push({ start: token.start, end: tokens[last]!.end });
    }
  }
}

/** Shortest line taken for a hard-wrapped one (mail is wrapped at 65-78 characters). */
const WRAPPED_LINE_CHARS = 50;

/** Words that open a place's name: "New" / "York", "North" / "Texas". */
const NAME_OPENERS = new Set(['new', 'north', 'south', 'east', 'west', 'san', 'santa', 'los', 'las', 'saint', 'st', 'fort', 'port', 'mount', 'united', 'great']);

function cannotEndName(token: NlpToken): boolean {
  return token.pos === 'ADJ' || NAME_OPENERS.has(bareLower(token.value));
}

function lineLengthBefore(text: string, newlineAt: number): number {
  return newlineAt - (text.lastIndexOf('\n', newlineAt - 1) + 1);
}

const TIME_NOUNS = new Set(['year', 'month', 'week', 'day', 'decade', 'century', 'quarter', 'season']);

/**
 * Where a name continued by "of" ends: tokens[at] is "University", "Company"...; "of", an optional "the"
 * and up to five capitalised words follow ("of the City of New York" stops at "City": lower-case "of").
 * Returns `at` when no such words follow.
 */
function ofNameEnd(text: string, tokens: readonly NlpToken[], at: number): number {
  if (tokens[at + 1]?.value !== 'of') return at;
  let k = at + 2;
  if (tokens[k]?.value === 'the') k++;
  if (tokens[k] && TIME_NOUNS.has(tokens[k]!.normal)) return at; // "Company of the Year" is an award
  let last = at;
  let words = 0;
  while (k < tokens.length && words < 5) {
    const t = tokens[k]!;
    // A name wraps at a line end in hard-wrapped prose ("... the Federal Reserve Bank of New" / "York") when
    // the line ends on a word that cannot end it. A short line is a signature or address block, one item
    // a line, and a line that ends on a noun ("State of Texas" / "Member") has ended the name.
    if (t.value === '\n' && words > 0 && tokens[k + 1] && orgWord(tokens[k + 1]!) && cannotEndName(tokens[k - 1]!) && lineLengthBefore(text, t.start) >= WRAPPED_LINE_CHARS) {
      k++;
      continue;
    }
    if (!orgWord(t)) break;
    if (t.start - tokens[k - 1]!.end > 2) break; // a gap ends the name, as it does before the suffix: a column
    last = k;
    words++;
    k++;
  }
  return last;
}

const FINANCE = `
Morgan Stanley|Morgan Stanley Dean Witter|Dean Witter|Merrill Lynch|Goldman Sachs|Lehman Brothers|Salomon Smith Barney|
Salomon Brothers|Smith Barney|Bear Stearns|PaineWebber|Paine Webber|Charles Schwab|Credit Suisse|Credit Suisse First Boston|
J.P. Morgan|JP Morgan|JPMorgan|J.P. Morgan Chase|Chase Manhattan|Citigroup|Citibank|Wells Fargo|Bank One|Fidelity Investments|
Donaldson, Lufkin & Jenrette|UBS Warburg|Raymond James|Edward Jones|American Express|MasterCard|Dow Jones|Standard & Poor's|
Moody's|Nasdaq|NASDAQ|NYSE|NYMEX|Federal Reserve|Freddie Mac|Fannie Mae|Berkshire Hathaway|Prudential|`;

const ADVISERS = `
Arthur Andersen|Andersen Consulting|Accenture|PricewaterhouseCoopers|Price Waterhouse|Ernst & Young|KPMG|Deloitte & Touche|
Deloitte|McKinsey|Booz Allen|Booz Allen Hamilton|Bain & Company|Vinson & Elkins|Skadden Arps|`;

const ENERGY = `
Enron|Dynegy|Reliant Energy|Duke Energy|Calpine|Mirant|Exxon|ExxonMobil|Exxon Mobil|Chevron|Texaco|ConocoPhillips|Conoco|
Phillips Petroleum|Halliburton|Schlumberger|PG&E|Pacific Gas and Electric|Southern California Edison|Edison International|
Sempra|Sempra Energy|Portland General Electric|Transwestern|Northern Natural Gas|Williams Companies|Kinder Morgan|El Paso Corp|
FERC|CAISO|Cal ISO|ERCOT|OPEC|Petrobras|PDVSA|Pemex|Gazprom|`;

const TECHNOLOGY = `
Microsoft|IBM|Intel|Oracle|Sun Microsystems|Cisco|Cisco Systems|Dell|Compaq|Hewlett-Packard|AOL|America Online|Google|eBay|
Netscape|Red Hat|SourceForge|Slashdot|Motorola|Nokia|Ericsson|Lucent|Nortel|Qualcomm|AT&T|Verizon|WorldCom|MCI WorldCom|Qwest|
Xerox|Adobe|Novell|Siemens|Sony|Toshiba|Samsung|Napster|Mozilla|Symantec|McAfee|Yahoo|`;

const NEWS = `
CNN|BBC|Reuters|Associated Press|Bloomberg|New York Times|Wall Street Journal|Washington Post|Financial Times|
Los Angeles Times|Houston Chronicle|San Francisco Chronicle|CNBC|NBC|CBS|Fox News|Forbes|BusinessWeek|Business Week|
The Economist|Time Warner|AOL Time Warner|Disney|Viacom|`;

const PUBLIC_BODIES = `
FBI|CIA|NASA|IRS|FCC|EPA|FEMA|Pentagon|White House|Congress|Senate|House of Representatives|Supreme Court|United Nations|
NATO|IMF|World Trade Organization|European Union|Red Cross|Salvation Army|United Way|Harvard|Stanford|MIT|Yale|Princeton|`;

/** The most tokens a listed name spans. */
const LONGEST_LISTED_NAME = 5;
const ORGANISATIONS = new NameList<true>(LONGEST_LISTED_NAME);
for (const name of names([FINANCE, ADVISERS, ENERGY, TECHNOLOGY, NEWS, PUBLIC_BODIES].join('|'))) ORGANISATIONS.set(name, true);

/** Listed organisations in the text, in order, not overlapping. */
function findListedOrganisations(text: string, tokens: readonly NlpToken[], found: NameSpan[]): void {
  for (let i = 0; i < tokens.length; i++) {
    const match = ORGANISATIONS.match(text, tokens, i);
    if (match === undefined) continue;
    const last = match[0];
    // A one-word firm after a given name is the person it is named after: "Michael Dell", "Steve Forbes".
    const before = tokens[i - 1];
    if (last === i && before !== undefined && isGivenName(before.normal) && oneLine(text, tokens, i - 1, i)) continue;
    // A longer name the ORG patterns find ("Lehman Brothers Inc.") wins over this one when overlaps are resolved.
    found.push({ start: tokens[i]!.start, end: tokens[last]!.end });
    i = last;
  }
}

/** Organisations by shape and by name; they may overlap (the entity merge keeps the longer). */
export function findOrganisations(text: string, tokens: readonly NlpToken[]): NameSpan[] {
  const found: NameSpan[] = [];
  findPatternOrganisations(text, tokens, found);
  findListedOrganisations(text, tokens, found);
  return found;
}
