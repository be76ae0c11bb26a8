/** Letter case checks shared by the entity finders. */

/** Whether a word starts with a capital letter (ASCII checked first: most words are). */
export function startsUpper(value: string): boolean {
  const c = value.charCodeAt(0);
  if (c < 128) return c >= 65 && c <= 90;
  return /^\p{Lu}/u.test(value);
}

// Letters are Unicode letters: "José García", "Łukasz Dvořák" and "Ørsted A/S" are capitalised words.
export function isCapWord(value: string): boolean {
  return /^(?:\p{Lu}\p{Ll}+(?:[-'’]\p{Lu}?\p{Ll}+)*|Mc\p{Lu}\p{Ll}+|O'\p{Lu}\p{Ll}+)$/u.test(value);
}

export function isInitial(value: string): boolean {
  return /^\p{Lu}\.?$/u.test(value);
}

export function isAcronym(value: string): boolean {
  return /^\p{Lu}[\p{Lu}0-9&]{1,9}\.?$/u.test(value);
}

export function capOrAcronym(token: { value: string }): boolean {
  return isCapWord(token.value) || isAcronym(token.value);
}

/** "TeleDynamics", "WorldCom", "SourceForge": capitals inside a word, as firms write their names. */
export function isCamelWord(value: string): boolean {
  return /^\p{Lu}\p{Ll}+(?:\p{Lu}\p{Ll}+)+$/u.test(value);
}

/** Lower-cased, without one trailing '.'. */
export function bareLower(value: string): string {
  const lower = value.toLowerCase();
  return lower.charCodeAt(lower.length - 1) === 46 ? lower.slice(0, -1) : lower;
}
