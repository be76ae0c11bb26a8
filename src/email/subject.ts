/**
 * What a subject line says about the message: the "Re:"/"Fwd:" prefixes and "[list]" tags a reply, a
 * forward or a mailing list puts in front of it.
 */

/** Leading "Re:", "Fwd:", "AW:", "SV:" prefixes (with a count, "Re[2]:") and "[list]" tags, in any order. */
const LEADING_TAGS = /^(?:\s*(?:(?:re|fwd?|aw|sv)\s*(?:\[\d+\])?\s*:|\[[^\]\n]{1,40}\]))+/i;
const LIST_TAG = /\[[^\]\n]{1,40}\]/g;

/** How many characters of `subject` its leading prefixes and list tags take (0 when it has none). */
export function leadingTagsLength(subject: string): number {
  return LEADING_TAGS.exec(subject)?.[0].length ?? 0;
}

/** A reply's or forward's subject: taken over from the message it answers or passes on. */
export function echoesAnotherMessage(subject: string): boolean {
  const tags = LEADING_TAGS.exec(subject)?.[0];
  // What is left of the leading tags without the "[list]" ones is a "Re:" or "Fwd:" ("[list] Plans" has none).
  return tags !== undefined && tags.replace(LIST_TAG, '').trim().length > 0;
}
