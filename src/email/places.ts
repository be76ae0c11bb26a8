/**
 * PLACE entities: wink's lite model has no places, so Keel finds them with a gazetteer of countries, US
 * states, Canadian provinces, regions and large cities (written for Keel), and with the address form
 * "City, ST" / "City, State" ("Houston, TX 77002", "Springfield, Illinois"), which names a place whether
 * or not the city is listed.
 *
 * Names that are also given names or common words (Jordan, Georgia, Virginia, Austin, Turkey, Mobile...)
 * count only after a locative word ("in Georgia", "visiting Jordan") or in the address form, so "Thanks,
 * Virginia" and "Jordan said" are not places. Names are matched as written (Title Case) or in capitals.
 */
import { NameList, names, oneLine, type NameSpan } from './name-list.js';
import type { NlpToken } from './nlp.js';
import { startsUpper } from './text-case.js';

const COUNTRIES = `
Afghanistan|Albania|Algeria|Andorra|Angola|Antigua and Barbuda|Argentina|Armenia|Australia|Austria|Azerbaijan|Bahamas|
Bahrain|Bangladesh|Barbados|Belarus|Belgium|Belize|Benin|Bhutan|Bolivia|Bosnia and Herzegovina|Bosnia|Botswana|Brazil|
Brunei|Bulgaria|Burkina Faso|Burundi|Cambodia|Cameroon|Canada|Cape Verde|Central African Republic|Chile|China|Colombia|
Comoros|Congo|Costa Rica|Croatia|Cuba|Cyprus|Czech Republic|Czechia|Denmark|Djibouti|Dominican Republic|East Timor|
Ecuador|Egypt|El Salvador|Equatorial Guinea|Eritrea|Estonia|Eswatini|Ethiopia|Fiji|Finland|France|Gabon|Gambia|Germany|
Ghana|Greece|Grenada|Guatemala|Guinea|Guinea-Bissau|Guyana|Haiti|Honduras|Hungary|Iceland|India|Indonesia|Iran|Iraq|
Ireland|Israel|Italy|Ivory Coast|Jamaica|Japan|Kazakhstan|Kenya|Kiribati|Kosovo|Kuwait|Kyrgyzstan|Laos|Latvia|Lebanon|
Lesotho|Liberia|Libya|Liechtenstein|Lithuania|Luxembourg|Madagascar|Malawi|Malaysia|Maldives|Mali|Malta|Marshall Islands|
Mauritania|Mauritius|Mexico|Micronesia|Moldova|Monaco|Mongolia|Montenegro|Morocco|Mozambique|Myanmar|Burma|Namibia|Nauru|
Nepal|Netherlands|Holland|New Zealand|Nicaragua|Niger|Nigeria|North Korea|South Korea|Korea|North Macedonia|Macedonia|
Norway|Oman|Pakistan|Palau|Palestine|Panama|Papua New Guinea|Paraguay|Peru|Philippines|Poland|Portugal|Qatar|Romania|
Russia|Rwanda|Saint Lucia|Samoa|San Marino|Saudi Arabia|Senegal|Serbia|Seychelles|Sierra Leone|Singapore|Slovakia|
Slovenia|Solomon Islands|Somalia|South Africa|South Sudan|Spain|Sri Lanka|Sudan|Suriname|Sweden|Switzerland|Syria|Taiwan|
Tajikistan|Tanzania|Thailand|Togo|Tonga|Trinidad and Tobago|Trinidad|Tunisia|Turkmenistan|Tuvalu|Uganda|Ukraine|
United Arab Emirates|UAE|United Kingdom|UK|U.K.|Great Britain|Britain|England|Scotland|Wales|Northern Ireland|
United States|United States of America|USA|U.S.A.|U.S.|America|Uruguay|Uzbekistan|Vanuatu|Vatican City|Venezuela|
Vietnam|Viet Nam|Yemen|Zambia|Zimbabwe|Hong Kong|Puerto Rico|Greenland|Bermuda|Cayman Islands|Soviet Union|USSR|
Yugoslavia|Czechoslovakia|Tibet|Siberia`;

const REGIONS = `
Europe|Asia|Africa|North America|South America|Latin America|Central America|Middle East|Far East|Scandinavia|Caribbean|
Antarctica|Oceania|Australasia|Asia Pacific|Balkans|Pacific Northwest|Midwest|New England|Gulf Coast|West Coast|
East Coast|Silicon Valley|Gulf of Mexico|North Sea|Persian Gulf|Eastern Europe|Western Europe|Southeast Asia`;

const US_STATES = `
Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|Delaware|Florida|Hawaii|Idaho|Illinois|Indiana|Iowa|
Kansas|Kentucky|Louisiana|Maine|Maryland|Massachusetts|Michigan|Minnesota|Mississippi|Missouri|Montana|Nebraska|Nevada|
New Hampshire|New Jersey|New Mexico|New York|North Carolina|North Dakota|Ohio|Oklahoma|Oregon|Pennsylvania|Rhode Island|
South Carolina|South Dakota|Tennessee|Texas|Utah|Vermont|West Virginia|Wisconsin|Wyoming|District of Columbia|
Washington D.C.|Washington, D.C.|Washington DC|Washington, DC`;

/** States whose names are also given names or other places: listed here so the address form knows them. */
const AMBIGUOUS_STATES = 'Georgia|Virginia|Washington';

const PROVINCES = `
Alberta|British Columbia|Manitoba|New Brunswick|Newfoundland|Nova Scotia|Ontario|Quebec|Saskatchewan|
Prince Edward Island|Yukon`;

const CITIES = `
London|Paris|Berlin|Madrid|Rome|Milan|Moscow|Tokyo|Beijing|Shanghai|Mumbai|Bombay|Delhi|New Delhi|Bangalore|Calcutta|
Kolkata|Chennai|Karachi|Lahore|Dhaka|Bangkok|Jakarta|Manila|Seoul|Taipei|Osaka|Kyoto|Kuala Lumpur|Hanoi|Melbourne|
Brisbane|Auckland|Toronto|Montreal|Vancouver|Calgary|Ottawa|Edmonton|Winnipeg|Mexico City|Guadalajara|Monterrey|
Buenos Aires|Sao Paulo|São Paulo|Rio de Janeiro|Lima|Bogota|Bogotá|Santiago|Caracas|Havana|Cairo|Lagos|Nairobi|
Johannesburg|Cape Town|Casablanca|Istanbul|Ankara|Tehran|Baghdad|Riyadh|Dubai|Abu Dhabi|Doha|Tel Aviv|Jerusalem|Beirut|
Amman|Athens|Lisbon|Barcelona|Vienna|Prague|Budapest|Warsaw|Stockholm|Oslo|Copenhagen|Helsinki|Amsterdam|Rotterdam|
Brussels|Geneva|Zurich|Zürich|Frankfurt|Munich|Hamburg|Dublin|Edinburgh|Glasgow|Manchester|Liverpool|Birmingham|Leeds|
Kiev|Kyiv|St. Petersburg|Saint Petersburg|Shenzhen|Guangzhou|New York City|NYC|Manhattan|Brooklyn|Los Angeles|
Chicago|Houston|Philadelphia|San Antonio|San Diego|Dallas|San Jose|Jacksonville|Fort Worth|San Francisco|Indianapolis|
Seattle|Denver|Boston|El Paso|Nashville|Detroit|Oklahoma City|Portland|Las Vegas|Memphis|Louisville|Baltimore|
Milwaukee|Albuquerque|Tucson|Fresno|Sacramento|Kansas City|Atlanta|Omaha|Colorado Springs|Raleigh|Miami|Long Beach|
Virginia Beach|Oakland|Minneapolis|Tulsa|Tampa|New Orleans|Wichita|Bakersfield|Honolulu|Anaheim|Pittsburgh|Cincinnati|
St. Louis|Saint Louis|Newark|Anchorage|Salt Lake City|Boise|Des Moines|Spokane|Rochester|Hartford|Albany|Harrisburg|
Pasadena|Palo Alto|Berkeley|Stamford|Greenwich|Scottsdale|Galveston|Corpus Christi|Beaumont|Lubbock|Amarillo|
Baton Rouge|Shreveport|Little Rock|Knoxville|Chattanooga|Charleston|Tallahassee|Annapolis|Lansing|Springfield|Syracuse|
Toledo|Akron|Dayton|Fort Lauderdale|Palm Beach|Santa Fe|Santa Barbara|Santa Monica|Reno|Juneau|Tacoma|Cambridge|Oxford`;

/** Places whose names are also given names, surnames or words: they count only after a locative word. */
const AMBIGUOUS = `
Chad|Jordan|Turkey|Dominica|Sydney|Wellington|Perth|Phoenix|Austin|Columbus|Charlotte|Arlington|Cleveland|Orlando|
Buffalo|Richmond|Providence|Princeton|Midland|Mobile|Lexington|Savannah|Jackson|Madison|Eugene|Salem|Olympia|Reading|
Victoria|Nice|Florence|Lincoln|Troy|Aurora|Chester|Georgia|Virginia|Washington`;

/** Words after which an ambiguous name is a place: "in Georgia", "visiting Jordan", "flights to Phoenix". */
const LOCATIVE = new Set(['in', 'near', 'into', 'across', 'throughout', 'outside', 'visiting', 'via', 'around', 'toward', 'towards']);

/** US state abbreviations of the address form. Those that are also words or titles (MD, MS) need a ZIP code after them. */
const STATE_CODES = new Set(
  'AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC'.split(' '),
);
const CODES_THAT_ARE_WORDS = new Set(['HI', 'IN', 'ME', 'OH', 'OK', 'OR', 'MD', 'MS', 'NE', 'CO', 'DE']);

/** name as written (and in capitals) -> whether it needs a locative word before it. */
const GAZETTEER = new NameList<boolean>(6);
for (const name of [...names(COUNTRIES), ...names(REGIONS), ...names(US_STATES), ...names(PROVINCES), ...names(CITIES)]) {
  GAZETTEER.set(name, false);
  if (name.length >= 4) GAZETTEER.set(name.toUpperCase(), false);
}
for (const name of names(AMBIGUOUS)) {
  GAZETTEER.set(name, true);
  GAZETTEER.set(name.toUpperCase(), true);
}
/** Whether `word`, as written, is a place whatever stands before it ("Caracas", "Texas"; not "Jordan"). */
export function isPlainPlaceName(word: string): boolean {
  return GAZETTEER.get(word) === false;
}

const STATE_NAMES = new Set([...names(US_STATES), ...names(AMBIGUOUS_STATES)]);


/** A word of a city's name as written in an address: "Fort", "Worth", "St.", "Winston" (not "TX", not "BANK"). */
function isCityWord(token: NlpToken): boolean {
  return /^\p{Lu}\p{Ll}[\p{L}'’.]*$/u.test(token.value) || token.value === 'St.';
}

/** Words that open a sign-off or a greeting, not a city: "Thanks, Virginia", "Regards, Austin". */
const NOT_CITY = new Set([
  'thanks', 'thank', 'regards', 'best', 'sincerely', 'cheers', 'hi', 'hello', 'hey', 'dear', 'yours', 'love', 'ok', 'yes',
  'no', 'well', 'sorry', 'congratulations', 'welcome', 'attention', 'attn', 're', 'fw', 'fwd', 'jr', 'jr.', 'sr', 'sr.',
  'phd', 'esq', 'inc', 'vice',
]);
/** Last words of titles and departments, not of cities: "Vice Chairman, District of Columbia", "Operations, Florida". */
const NOT_CITY_END = new Set([
  'chairman', 'president', 'director', 'manager', 'officer', 'counsel', 'relations', 'operations', 'protection',
  'services', 'department', 'office', 'affairs', 'division', 'group', 'team', 'street', 'avenue', 'road', 'drive',
]);
/** Names that are not cities: "Texas, Oklahoma" and "Turkmenistan, Georgia" are lists of places. */
const NOT_CITY_NAMES = new Set([...names(COUNTRIES), ...names(REGIONS), ...names(US_STATES), ...names(PROVINCES), ...names(AMBIGUOUS_STATES)]);

/**
 * The address form starting at token i: "City, ST" or "City, State" with a city of one to three
 * capitalised proper nouns (hyphens allowed: "Winston-Salem"). Returns the state's last token.
 */
function addressMatch(text: string, tokens: readonly NlpToken[], i: number): number | undefined {
  const first = tokens[i]!;
  // A proper noun ("Unfortunately, Washington" and "Instead, Texas" open with adverbs).
  if (first.pos !== 'PROPN') return undefined;
  // Most names are not followed by a comma soon enough to be a city: dismiss them before any regex.
  let commaNear = false;
  for (let j = i + 1; j <= i + 6 && j < tokens.length && !commaNear; j++) commaNear = tokens[j]!.value === ',';
  if (!commaNear || !isCityWord(first) || NOT_CITY.has(first.normal)) return undefined;
  // The city is a whole run of names: "Environmental Protection, Washington" is not a city named "Protection".
  const before = tokens[i - 1];
  if (before !== undefined && before.pos === 'PROPN' && isCityWord(before) && oneLine(text, tokens, i - 1, i)) return undefined;
  let k = i;
  let words = 1;
  while (words < 3 && k + 1 < tokens.length) {
    const next = tokens[k + 1]!;
    if (isCityWord(next) && oneLine(text, tokens, k, k + 1)) {
      k++;
      words++;
    } else if (next.value === '-' && tokens[k + 2] !== undefined && isCityWord(tokens[k + 2]!) && next.start === tokens[k]!.end && tokens[k + 2]!.start === next.end) {
      k += 2;
      words++;
    } else break;
  }
  if (NOT_CITY_NAMES.has(text.slice(first.start, tokens[k]!.end)) || NOT_CITY_END.has(tokens[k]!.normal)) return undefined;
  const comma = tokens[k + 1];
  const state = tokens[k + 2];
  if (comma?.value !== ',' || state === undefined || comma.start !== tokens[k]!.end || !oneLine(text, tokens, k + 1, k + 2)) return undefined;
  if (STATE_CODES.has(state.value)) {
    const zip = tokens[k + 3];
    const hasZip = zip !== undefined && /^\d{5}(?:-\d{4})?$/.test(zip.value) && oneLine(text, tokens, k + 2, k + 3);
    if (CODES_THAT_ARE_WORDS.has(state.value) && !hasZip) return undefined;
    return k + 2;
  }
  for (let s = Math.min(tokens.length - 1, k + 4); s >= k + 2; s--) {
    if (STATE_NAMES.has(text.slice(state.start, tokens[s]!.end)) && oneLine(text, tokens, k + 2, s)) return s;
  }
  return undefined;
}

/** Nothing joins the name to what follows: "in Mobile/Wireless" and "in Victoria Park" are other names. */
function standsAlone(text: string, tokens: readonly NlpToken[], last: number): boolean {
  const next = tokens[last + 1];
  if (next === undefined) return true;
  if (next.start === tokens[last]!.end) return next.value !== '/' && next.value !== '-';
  return !(/^\p{Lu}/u.test(next.value) && oneLine(text, tokens, last, last + 1));
}

/** Places in the text, in order, not overlapping. */
export function findPlaces(text: string, tokens: readonly NlpToken[]): NameSpan[] {
  const found: NameSpan[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (!startsUpper(token.value)) continue;
    const address = addressMatch(text, tokens, i);
    if (address !== undefined) {
      found.push({ start: token.start, end: tokens[address]!.end });
      i = address;
      continue;
    }
    const match = GAZETTEER.match(text, tokens, i);
    if (match === undefined) continue;
    const [last, ambiguous] = match;
    if (ambiguous && !(LOCATIVE.has(tokens[i - 1]?.normal ?? '') && standsAlone(text, tokens, last))) continue;
    found.push({ start: token.start, end: tokens[last]!.end });
    i = last;
  }
  return found;
}
