/**
 * A cheap language guess: the dominant script for non-Latin text (Han -> zh, or ja when kana appear;
 * Hangul -> ko; Cyrillic -> ru; Arabic, Hebrew, Greek, Thai), otherwise the share of common function
 * words of English, Spanish, French, German, Portuguese, Italian and Dutch among the first 400 words
 * (of the first 2,000 characters).
 * null when there are fewer than 5 words or 2 function words, or when no language reaches 12% of them
 * and none has at least 10 function words and twice as many as any other.
 */
import { isSpaceCode } from './whitespace.js';

const STOP_WORDS: Record<string, string[]> = {
  en: ['the', 'and', 'to', 'of', 'a', 'in', 'is', 'you', 'that', 'for', 'it', 'on', 'with', 'this', 'be', 'are', 'we', 'i', 'have', 'will', 'your', 'not', 'at', 'as', 'or', 'if', 'can', 'from', 'my', 'me'],
  es: ['de', 'la', 'que', 'el', 'en', 'y', 'los', 'se', 'del', 'las', 'un', 'por', 'con', 'no', 'una', 'su', 'para', 'es', 'al', 'lo', 'como', 'más', 'pero', 'sus', 'le'],
  fr: ['de', 'la', 'le', 'et', 'les', 'des', 'en', 'un', 'du', 'une', 'que', 'est', 'pour', 'qui', 'dans', 'par', 'pas', 'au', 'sur', 'vous', 'nous', 'avec', 'ce', 'il', 'je'],
  de: ['der', 'die', 'und', 'in', 'den', 'von', 'zu', 'das', 'mit', 'sich', 'des', 'auf', 'für', 'ist', 'im', 'dem', 'nicht', 'ein', 'eine', 'als', 'auch', 'es', 'an', 'sie', 'ich', 'wir', 'sind'],
  pt: ['de', 'a', 'o', 'que', 'e', 'do', 'da', 'em', 'um', 'para', 'com', 'não', 'uma', 'os', 'no', 'se', 'na', 'por', 'mais', 'as', 'dos', 'como', 'mas', 'ao', 'você'],
  it: ['di', 'e', 'il', 'la', 'che', 'in', 'a', 'per', 'un', 'è', 'del', 'non', 'sono', 'una', 'della', 'le', 'con', 'si', 'gli', 'da', 'al', 'ma', 'lo', 'ci', 'mi'],
  nl: ['de', 'en', 'van', 'het', 'een', 'in', 'is', 'dat', 'op', 'te', 'zijn', 'voor', 'met', 'niet', 'aan', 'er', 'ook', 'als', 'maar', 'om', 'ik', 'je', 'u', 'wij', 'naar'],
};

const LANGUAGES = Object.keys(STOP_WORDS);
/** Each stop word with a bit per language that lists it (bit i = LANGUAGES[i]): one lookup per word. */
const WORD_LANGUAGES = new Map<string, number>();
LANGUAGES.forEach((lang, i) => {
  for (const word of STOP_WORDS[lang]!) WORD_LANGUAGES.set(word, (WORD_LANGUAGES.get(word) ?? 0) | (1 << i));
});

export function guessLanguage(text: string): string | null {
  const sample = text.length > 2000 ? text.slice(0, 2000) : text;
  let latin = 0;
  let han = 0;
  let kana = 0;
  let hangul = 0;
  let cyrillic = 0;
  let arabic = 0;
  let hebrew = 0;
  let greek = 0;
  let thai = 0;
  for (let i = 0; i < sample.length; i++) {
    const c = sample.charCodeAt(i);
    if (c < 0x80) {
      if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) latin++;
    } else if (c <= 0x24f) latin++;
    else if (c >= 0x0400 && c <= 0x04ff) cyrillic++;
    else if (c >= 0x0370 && c <= 0x03ff) greek++;
    else if (c >= 0x0590 && c <= 0x05ff) hebrew++;
    else if (c >= 0x0600 && c <= 0x06ff) arabic++;
    else if (c >= 0x0e00 && c <= 0x0e7f) thai++;
    else if (c >= 0x3040 && c <= 0x30ff) kana++;
    else if ((c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3400 && c <= 0x4dbf)) han++;
    else if (c >= 0xac00 && c <= 0xd7af) hangul++;
  }
  const scripts: [string, number][] = [
    ['ja', kana > 0 && kana + han > 0 ? kana + han : 0],
    ['zh', kana === 0 ? han : 0],
    ['ko', hangul],
    ['ru', cyrillic],
    ['ar', arabic],
    ['he', hebrew],
    ['el', greek],
    ['th', thai],
  ];
  const [topScript, topCount] = scripts.reduce((a, b) => (b[1] > a[1] ? b : a));
  // CJK characters carry a word each, so a smaller count of them outweighs Latin letters.
  if (topCount > 0 && topCount * (topScript === 'zh' || topScript === 'ja' || topScript === 'ko' ? 3 : 1) > latin) return topScript;

  // Links are no words: "Click?q=6a-z_30IeWiUJ" would give "a", "z", "e", "o", Portuguese stop words.
  const words = withoutLinks(sample).toLowerCase().match(/[a-zà-ÿ]+/g);
  if (!words || words.length < 5) return null;
  const considered = Math.min(words.length, 400);
  const hits = new Array<number>(LANGUAGES.length).fill(0);
  for (let w = 0; w < considered; w++) {
    let bits = WORD_LANGUAGES.get(words[w]!);
    if (bits === undefined) continue;
    for (let i = 0; bits !== 0; i++, bits >>>= 1) if (bits & 1) hits[i]!++;
  }
  let best = -1;
  let second = 0;
  for (let i = 0; i < LANGUAGES.length; i++) {
    if (best === -1 || hits[i]! > hits[best]!) {
      if (best !== -1) second = Math.max(second, hits[best]!);
      best = i;
    } else second = Math.max(second, hits[i]!);
  }
  const top = hits[best]!;
  if (top < 2) return null; // one function word ("au" in "abc.net.au") decides nothing
  // Prose reaches the share; a few sentences above a long list of names or figures ("Ken Lay - Chairman
  // and CEO, ...") do not, but still hold many more function words of one language than of any other.
  return top / considered >= 0.12 || (top >= MIN_HITS_IN_LISTS && top >= 2 * second) ? LANGUAGES[best]! : null;
}

const MIN_HITS_IN_LISTS = 10;
/**
 * Links: a scheme or "www." and everything up to the next space. Linear: each match runs to a space and
 * a failed start costs one step (a pattern that searched a whole piece for its mark backtracked on long
 * runs).
 */
const LINKS = /\b(?:[a-z]{2,6}:\/\/|www\.)\S*/gi;

/** The text without its links and addresses, whose letters are no words. */
function withoutLinks(sample: string): string {
  const text = sample.includes('://') || sample.includes('www.') ? sample.replace(LINKS, ' ') : sample;
  let at = text.indexOf('@');
  if (at === -1) return text;
  // An address is the piece around its "@", out to the spaces on either side: each character is
  // looked at once or twice, however long the piece.
  const kept: string[] = [];
  let copied = 0;
  while (at !== -1) {
    let start = at;
    while (start > copied && !isSpaceCode(text.charCodeAt(start - 1))) start--;
    let end = at + 1;
    while (end < text.length && !isSpaceCode(text.charCodeAt(end))) end++;
    kept.push(text.slice(copied, start), ' ');
    copied = end;
    at = text.indexOf('@', end);
  }
  kept.push(text.slice(copied));
  return kept.join('');
}
