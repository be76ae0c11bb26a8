/**
 * Well-known organisations whose names the ORG patterns cannot see: names without a suffix ("Merrill
 * Lynch", "Dow Jones", "Reuters") and firms named after people, which would otherwise be read as a person
 * ("Morgan Stanley", "Charles Schwab", "Arthur Andersen"). Written for Keel: finance, energy, technology,
 * news and public bodies that business mail names often. Matched as written, whole tokens, on one line.
 * Names that are also ordinary words or places (Shell, Apple, Sprint, Fortune, El Paso) are left out.
 */
import { isGivenName } from './first-names.js';
import { NameList, names, oneLine } from './name-list.js';
import type { NlpToken } from './nlp.js';

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
Xerox|Adobe|Novell|Siemens|Sony|Toshiba|Samsung|Napster|Mozilla|Symantec|McAfee|Yahoo!|`;

const NEWS = `
CNN|BBC|Reuters|Associated Press|Bloomberg|New York Times|Wall Street Journal|Washington Post|Financial Times|
Los Angeles Times|Houston Chronicle|San Francisco Chronicle|CNBC|NBC|CBS|Fox News|Forbes|BusinessWeek|Business Week|
The Economist|Time Warner|AOL Time Warner|Disney|Viacom|`;

const PUBLIC_BODIES = `
FBI|CIA|NASA|IRS|FCC|EPA|FEMA|Pentagon|White House|Congress|Senate|House of Representatives|Supreme Court|United Nations|
NATO|IMF|World Trade Organization|European Union|Red Cross|Salvation Army|United Way|Harvard|Stanford|MIT|Yale|Princeton|`;

const ORGANISATIONS = new NameList<true>(5);
for (const name of names([FINANCE, ADVISERS, ENERGY, TECHNOLOGY, NEWS, PUBLIC_BODIES].join('|'))) ORGANISATIONS.set(name, true);

export interface OrganisationSpan {
  start: number;
  end: number;
}

/** Listed organisations in the text, in order, not overlapping. */
export function findListedOrganisations(text: string, tokens: readonly NlpToken[]): OrganisationSpan[] {
  const found: OrganisationSpan[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const match = ORGANISATIONS.match(text, tokens, i);
    if (match === undefined) continue;
    const last = match[0];
    // A one-word firm after a given name is the person it is named after: "Michael Dell", "Walt Disney".
    const before = tokens[i - 1];
    if (last === i && before !== undefined && isGivenName(before.normal) && oneLine(text, tokens, i - 1, i)) continue;
    // A longer name the ORG patterns find ("Lehman Brothers Inc.") wins over this one when overlaps are resolved.
    found.push({ start: tokens[i]!.start, end: tokens[last]!.end });
    i = last;
  }
  return found;
}
