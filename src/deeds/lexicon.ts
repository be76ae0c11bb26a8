/**
 * The small vocabulary the clause rules are written in, plus the OCR-tolerant lookup that maps a noisy
 * token ("reserv1ng", "0il", "gss", "exceptlng") onto it. Rules never see raw OCR spellings.
 */

/** Words the rules look at. Inflections are listed rather than stemmed so a lookup is one Map hit. */
const CONTENT_WORDS = [
  // substances
  'oil', 'oils', 'gas', 'gases', 'natural', 'petroleum', 'hydrocarbon', 'hydrocarbons', 'coal', 'coals',
  'mineral', 'minerals', 'mining', 'mines', 'casinghead', 'gasoline', 'seam', 'seams', 'vein', 'veins',
  'methane', 'coalbed', 'substances', 'royalty', 'royalties', 'rental', 'rentals',
  // reservation / exception verbs
  'reserve', 'reserves', 'reserved', 'reserving', 'reservation', 'reservations',
  'except', 'excepts', 'excepted', 'excepting', 'exception', 'exceptions', 'saving', 'retain', 'retains',
  'retained', 'retaining', 'retention',
  // time / prior instruments
  'heretofore', 'hereinbefore', 'previously', 'prior', 'formerly', 'predecessors', 'predecessor',
  'aforesaid', 'hereinafter', 'earlier',
  // leases and records
  'lease', 'leases', 'leased', 'leasehold', 'lessee', 'lessees', 'lessor', 'lessors', 'recorded', 'record',
  'records', 'recorder', 'recording', 'book', 'page', 'pages', 'volume', 'instrument', 'dated', 'deed', 'deeds',
  'outstanding', 'existing', 'easements', 'easement', 'restrictions', 'conditions', 'covenants', 'agreements',
  // parties and grant language
  'grantor', 'grantors', 'grantee', 'grantees', 'party', 'parties', 'together', 'including', 'included',
  'appurtenances', 'convey', 'conveys', 'conveyed', 'conveying', 'grant', 'grants', 'granted', 'granting',
  'subject', 'include', 'includes', 'successors', 'heirs', 'assigns', 'underlying', 'thereunder', 'thereof', 'therein', 'therefrom',
  'hereby', 'herein', 'hereof', 'rights', 'right', 'interest', 'interests', 'surface', 'excluding', 'exclusive',
  'undivided', 'title', 'whatsoever', 'whatever', 'described', 'premises', 'property', 'tract', 'land', 'lands',
  'company', 'corporation', 'reference', 'mentioned', 'referred', 'contained', 'same', 'first', 'second',
  'said', 'unto', 'under', 'other', 'also', 'well', 'wells', 'pipe', 'pipeline', 'pipelines', 'storage',
] as const;

/** Function words used only to split run-together tokens ("oilandgas") and to read phrases. */
const FUNCTION_WORDS = [
  'a', 'an', 'and', 'the', 'of', 'in', 'on', 'to', 'by', 'or', 'all', 'any', 'as', 'is', 'be', 'for', 'from',
  'with', 'its', 'his', 'her', 'their', 'which', 'that', 'this', 'there', 'these', 'those', 'are', 'was',
  'were', 'has', 'have', 'been', 'such', 'one', 'half', 'third', 'fourth', 'no', 'not', 'nor', 'at', 'it',
] as const;

const content = new Set<string>(CONTENT_WORDS);
const functionWords = new Set<string>(FUNCTION_WORDS);
const all = new Set<string>([...CONTENT_WORDS, ...FUNCTION_WORDS]);

/** Ordinary words that sit one edit away from a lexicon word and must never be "repaired" into it. */
const PROTECTED = new Set([
  'least', 'leave', 'leaves', 'lesser', 'goal', 'coat', 'cost', 'boil', 'soil', 'toil', 'foil', 'coil',
  'has', 'was', 'gap', 'gal', 'pas', 'gay', 'gag', 'rage', 'page', 'pave', 'sage', 'wage', 'cage', 'made',
  'reverse', 'reversed', 'reversing', 'revered', 'served', 'serving', 'severed', 'preserve', 'preserved',
  'accept', 'accepts', 'accepted', 'accepting', 'acceptance', 'accepts', 'expect', 'expects', 'expected', 'excerpt', 'savings', 'raving', 'paving',
  'having', 'moving', 'leaser', 'lessen', 'lesson', 'lessens', 'lasses', 'losses', 'leaded', 'leader',
  'release', 'released', 'releases', 'please', 'pleased', 'record', 'second', 'secured', 'bound', 'round',
  'mine', 'miners', 'mined', 'minor', 'minors', 'tinting', 'mixing', 'lining', 'miming', 'wining', 'grand',
  'grants', 'giant', 'gravel', 'recorder', 'recorded', 'retail', 'details', 'detail', 'certain', 'contain',
  'retainer', 'natura', 'nature', 'matured', 'mature', 'underlay', 'under', 'other', 'otter', 'order',
  'herein', 'hereon', 'hereto', 'hereof', 'thereto', 'thereon', 'thereby', 'whereof', 'wherein',
  'convoy', 'survey', 'surveys', 'surveyed', 'surveyor', 'subjects', 'object', 'objects', 'deeds',
  'leases', 'lesses', 'lessor', 'lessee', 'sessions', 'interests', 'interest', 'title', 'tittle', 'tile',
  'intention', 'intentions', 'attention', 'intended', 'retaliation', 'reservoir', 'reservoirs', 'exemption',
  'exemptions', 'exempting', 'excerpts', 'deception', 'reception', 'receptions', 'conception', 'perception',
  'royal', 'rents', 'rental', 'dental', 'mental', 'seem', 'seen', 'sean', 'team', 'seal', 'sea', 'beam',
  'vain', 'vine', 'vein', 'rein', 'same', 'some', 'lame', 'land', 'lands', 'band', 'hand', 'sand', 'lend',
  'wells', 'welts', 'bells', 'hells', 'sells', 'cells', 'tells', 'yells', 'fells', 'pipe', 'wipe', 'ripe',
]);

export function isLexiconWord(word: string): boolean {
  return all.has(word);
}

export function isContentWord(word: string): boolean {
  return content.has(word);
}

export function isFunctionWord(word: string): boolean {
  return functionWords.has(word);
}

/** Lexicon words by length, for the edit-distance search. */
const byLength = new Map<number, string[]>();
for (const w of content) {
  const list = byLength.get(w.length) ?? [];
  list.push(w);
  byLength.set(w.length, list);
}
/** No token longer than this is within two edits of a content word. */
const LONGEST_MATCHABLE = Math.max(...byLength.keys()) + 2;

/** Short substance words whose OCR misreadings are listed explicitly: an edit distance of 1 is too loose at 3-4 letters. */
const SHORT_VARIANTS: Record<string, string> = {
  // "oll" is left out on purpose: it is as often "all" misread; clauses.ts reads it as oil only in a substance list.
  oii: 'oil', oili: 'oil', oiil: 'oil', qil: 'oil', oi: 'oil', '0il': 'oil', cil: 'oil', olil: 'oil', ofl: 'oil', otl: 'oil', oij: 'oil',
  gss: 'gas', gaa: 'gas', qas: 'gas', gae: 'gas', gos: 'gas', gsa: 'gas', gass: 'gas', ges: 'gas', gaz: 'gas',
  goas: 'gas',
  coai: 'coal', coa1: 'coal', ccal: 'coal', eoal: 'coal', conl: 'coal', coel: 'coal', ooal: 'coal', caal: 'coal',
  dced: 'deed',
  leasc: 'lease', lcase: 'lease', lense: 'lease', loase: 'lease', leaso: 'lease', iease: 'lease', '1ease': 'lease',
  gasee: 'gases', gaees: 'gases',
};

/** Restricted Damerau-Levenshtein distance with an early exit once `max` is exceeded. */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const n = b.length;
  let prevPrev = new Array<number>(n + 1).fill(0);
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  let cur = new Array<number>(n + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = cur[0];
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prevPrev[j - 2]! + 1);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    [prevPrev, prev, cur] = [prev, cur, prevPrev];
  }
  return prev[n]!;
}

export interface LexiconHit {
  word: string;
  /** 0 exact, 1 listed OCR variant or one edit, 2 two edits. */
  distance: number;
}

/**
 * Map a cleaned (lower-case, digit-repaired) token onto a content word, tolerating OCR errors that grow
 * with word length: exact for <= 4 letters (plus listed variants), one edit for 5-8, two for 9+.
 * Ordinary English words one edit away ("least", "accept", "soil") are protected.
 */
export function lookupContent(token: string): LexiconHit | undefined {
  if (content.has(token)) return { word: token, distance: 0 };
  // Not cached either: the cache is bounded by entries, and a page of run-together text (a 50,000-letter
  // token) would otherwise keep every such token alive, ~64 KB a page.
  if (token.length > LONGEST_MATCHABLE) return undefined;
  const cached = lookupCache.get(token);
  if (cached !== undefined) return cached === null ? undefined : cached;
  const hit = searchContent(token);
  // Bounded: OCR garbage is unbounded, so the cache is simply dropped when full.
  if (lookupCache.size >= 50_000) lookupCache.clear();
  lookupCache.set(token, hit ?? null);
  return hit;
}

const lookupCache = new Map<string, LexiconHit | null>();

function searchContent(token: string): LexiconHit | undefined {
  const variant = SHORT_VARIANTS[token];
  if (variant !== undefined) return { word: variant, distance: 1 };
  if (token.length < 5 || PROTECTED.has(token) || functionWords.has(token)) return undefined;
  const max = token.length >= 9 ? 2 : 1;
  let best: LexiconHit | undefined;
  for (let len = token.length - max; len <= token.length + max; len++) {
    for (const w of byLength.get(len) ?? []) {
      // Five-letter words ("gases", "lease") are one edit from too many ordinary words ("gates"): listed variants only.
      if (w.length < 6) continue;
      const d = editDistance(token, w, max);
      if (d <= max && (best === undefined || d < best.distance)) best = { word: w, distance: d };
    }
  }
  return best;
}

/**
 * Split a run-together token ("oilandgas", "reservingunto") into lexicon words, or return undefined.
 * Every piece must be an exact lexicon word and at least one must be a content word.
 */
export function segmentRunTogether(token: string): string[] | undefined {
  const n = token.length;
  if (n < 5 || n > 40) return undefined;
  // best[i]: fewest pieces covering token[0, i)
  const best = new Array<number>(n + 1).fill(Infinity);
  const back = new Array<number>(n + 1).fill(-1);
  best[0] = 0;
  for (let i = 1; i <= n; i++) {
    for (let j = Math.max(0, i - 16); j < i; j++) {
      if (best[j] === Infinity) continue;
      const piece = token.slice(j, i);
      if (!all.has(piece) || (piece.length === 1 && piece !== 'a')) continue;
      if (best[j]! + 1 < best[i]!) {
        best[i] = best[j]! + 1;
        back[i] = j;
      }
    }
  }
  if (best[n] === Infinity || best[n]! < 2) return undefined;
  const pieces: string[] = [];
  for (let i = n; i > 0; i = back[i]!) pieces.unshift(token.slice(back[i]!, i));
  return pieces.some((p) => content.has(p) && p.length >= 3) ? pieces : undefined;
}
