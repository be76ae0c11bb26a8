/** Letter case checks shared by the entity finders. */

/** Whether a word starts with a capital letter (ASCII checked first: most words are). */
export function startsUpper(value: string): boolean {
  const c = value.charCodeAt(0);
  if (c < 128) return c >= 65 && c <= 90;
  return /^\p{Lu}/u.test(value);
}
