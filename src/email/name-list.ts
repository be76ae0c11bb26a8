/**
 * Lists of names (places, organisations) matched as written against wink's tokens: the longest listed
 * name that starts at a token and ends at one, on one line.
 */
import type { NlpToken } from './nlp.js';

/** Where a found name stands in the text: [start, end). */
export interface NameSpan {
  start: number;
  end: number;
}

/** Tokens i..k written on one line with at most one space between them. */
export function oneLine(text: string, tokens: readonly NlpToken[], i: number, k: number): boolean {
  for (let j = i + 1; j <= k; j++) {
    const gap = tokens[j]!.start - tokens[j - 1]!.end;
    if (gap > 1 || (gap === 1 && text.charCodeAt(tokens[j]!.start - 1) !== 32)) return false;
  }
  return true;
}

/** Splits a '|'-separated list written over several lines. */
export function names(list: string): string[] {
  return list.split('|').map((name) => name.trim()).filter((name) => name.length > 0);
}

export class NameList<V> {
  private readonly values = new Map<string, V>();
  /** First tokens of the names: most capitalised words start none, and are dismissed at once. */
  private readonly firstTokens = new Set<string>();
  /**
   * The first characters of those first tokens. Most tokens (lower-case words, punctuation) start with
   * none of them and are dismissed without hashing their text: this check runs for every token.
   */
  private readonly firstChars = new Set<number>();
  /** The names in lower case, made on first use. */
  private lowerCased: Set<string> | undefined;

  /** `maxTokens`: the most tokens a listed name spans ("Salomon Smith Barney" is 3, "Hewlett-Packard" 3). */
  constructor(private readonly maxTokens: number) {}

  set(name: string, value: V): void {
    this.values.set(name, value);
    this.lowerCased = undefined;
    // wink splits at spaces, commas, hyphens and a possessive "'s" ("Winston-Salem" is three tokens, the
    // first "Winston"; "Moody's" is "Moody" and "'s").
    const first = name.split(/[ ,-]/)[0]!.replace(/'s$/, '');
    this.firstTokens.add(first);
    this.firstChars.add(first.charCodeAt(0));
  }

  get(name: string): V | undefined {
    return this.values.get(name);
  }

  /** Whether `name` is listed, in any case ("CREDIT SUISSE" for "Credit Suisse"). */
  hasIgnoringCase(name: string): boolean {
    this.lowerCased ??= new Set([...this.values.keys()].map((key) => key.toLowerCase()));
    return this.lowerCased.has(name.toLowerCase());
  }

  /** The longest listed name starting at token i: [its last token, its value], or undefined. */
  match(text: string, tokens: readonly NlpToken[], i: number): [number, V] | undefined {
    const start = tokens[i]!.value;
    if (!this.firstChars.has(start.charCodeAt(0)) || !this.firstTokens.has(start)) return undefined;
    for (let k = Math.min(tokens.length - 1, i + this.maxTokens - 1); k >= i; k--) {
      const value = this.values.get(text.slice(tokens[i]!.start, tokens[k]!.end));
      if (value !== undefined && oneLine(text, tokens, i, k)) return [k, value];
    }
    return undefined;
  }
}
