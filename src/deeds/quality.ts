/**
 * OCR reading quality without a dictionary dependency: the share of words that are among the few hundred
 * words every deed is made of. Clean deed text scores ~0.5-0.7, garbled OCR well under 0.35.
 */
import { isLexiconWord } from './lexicon.js';
import type { Token } from './tokens.js';
import { tokenize } from './tokens.js';

const COMMON = new Set(
  `about above according acknowledged acre acres across after against along also am an annexed another appeared
  appurtenances are as assigns at bargain bargained be bearing been before beginning being belonging below
  beneath between both bounded but by certain certify city claim clerk commission commonwealth consideration
  containing corner county course courses court day days de dec degrees defend described description did do
  does dollars done during each east easterly estate et every except expires feet fee first following follows
  forever formerly from full further generally given good hand hands has have having he hereby herein hereinafter
  hereto heretofore him his hundred if in into is it its july june known lands late law line lines made make
  march may me more my name names near north northerly notary now of on one or other our out over paid parcel
  part parts per perches place point post presents public purpose purposes real receipt recorded recorder
  register said same seal second see sell set seventy she side signed sixty so sold south southerly state
  stone street such sum tax ten than that the their them then thence there thereof these they third this those
  thousand thru to township tract two under until up upon us valuable virginia warrant was we west westerly
  what when where whereof which while who whom whose will wife with within witness witnesseth year years you
  husband widow wit ohio pennsylvania known presents grantor grantee party parties premises deed book page
  volume recorded office instrument lot road run creek river corner stake iron pin pipe chains poles rods
  lands land heirs executors administrators successors assigns covenant covenants agree agrees agreed
  company corporation duly sworn subscribed personally appeared before me foregoing official my commission
  records record registry date dated day february april august september october november december january`.split(/\s+/),
);

/** Token-level quality of tokens [from, to): share of alphabetic words (2+ letters) that are known words. */
export function tokenQuality(tokens: readonly Token[], from = 0, to = tokens.length): number {
  let known = 0;
  let n = 0;
  for (let i = Math.max(0, from); i < Math.min(tokens.length, to); i++) {
    const t = tokens[i]!;
    if (!/^[a-z]{2,}$/.test(t.w)) continue;
    n++;
    if (isLexiconWord(t.w) || COMMON.has(t.w)) known += t.repair === 0 ? 1 : 0.6;
  }
  return n === 0 ? 0 : known / n;
}

/**
 * 0..1 quality estimate of a page's OCR text, scaled so clean deed text reads ~1 (known-word share / 0.75,
 * capped). Pages with fewer than 20 words get their raw share: too little text to judge either way.
 */
export function estimateOcrQuality(text: string): number {
  const { tokens } = tokenize(text);
  const words = tokens.filter((t) => /^[a-z]{2,}$/.test(t.w)).length;
  if (words === 0) return 0;
  return Math.min(1, tokenQuality(tokens) / 0.75);
}
