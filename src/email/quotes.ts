/**
 * Splits a plain-text body into new text, quoted replies, forwarded mail, signature and list footer,
 * line by line, so analysis can look at what the sender wrote in this message.
 *
 * What starts a quoted (or forwarded) region that runs to the end of the body:
 *   "-----Original Message-----", "---- Forwarded by ...", "Begin forwarded message:",
 *   an Outlook/Lotus header block (2+ of From:/Sent:/To:/Cc:/Subject:/Date: within a few lines, with
 *   a preceding "Name / 05/14/2001 01:02 PM" attribution pulled in), "On <date>, <name> wrote:".
 * Lines starting with ">" are quoted wherever they are (inline replies keep the new lines between), and
 * so are lines starting with the same initials and ">" ("BM> ", Supercite's style) when two or more do.
 * Signature: "-- " (or "--") line, lines after a closing sign-off ("Thanks,", "Regards,") near the end of
 * a new block, "Sent from my ..." lines. Footer: a confidentiality disclaimer paragraph near the end, a
 * separator line (____ / ---- / ====) followed by "unsubscribe"/"mailing list" lines, or the final
 * paragraph when it talks about unsubscribing.
 */
import type { Section, SectionKind } from './types.js';

interface Line {
  start: number; // offset of the first character
  end: number; // offset just past the line end ('\n' included)
  text: string; // without the line end
}

function splitLines(body: string): Line[] {
  const lines: Line[] = [];
  let start = 0;
  while (start < body.length) {
    const nl = body.indexOf('\n', start);
    const end = nl === -1 ? body.length : nl + 1;
    lines.push({ start, end, text: body.slice(start, nl === -1 ? end : nl) });
    start = end;
  }
  return lines;
}

const ORIGINAL_MESSAGE = /^\s*-{2,}\s*(?:Original Message|Original|Reply Message|Urspr[üu]ngliche Nachricht|Message d'origine|Mensaje original)\s*-{2,}/i;
const FORWARD_MARKER = /^\s*(?:-{2,}\s*(?:Forwarded (?:message|by|mail)|Forward(?:ed)? by)\b|Begin forwarded message\s*:|-{3,}\s*Forwarded\b)/i;
const ON_START = /^\s*On\s+\S/;
const WROTE_END = /\b(?:wrote|writes)\s*:\s*$/i;
const HEADER_LINE = /^\s*\*?(From|Sent|Date|To|Cc|Bcc|Subject)\s*\*?\s*:/i;
const DATE_TIME_LINE = /\b\d{1,2}\/\d{1,2}\/\d{2,4}\s+\d{1,2}:\d{2}(?::\d{2})?\s*(?:AM|PM)?\b/i;
const QUOTE_PREFIX = /^\s{0,3}(?:>|\|\s)/;
/** Supercite's quoting: the quoted writer's initials before the ">" ("BM> ...", "    R> ...", "EL>> ..."). */
const INITIALS_PREFIX = /^\s{0,8}([A-Za-z]{1,4})>+(?:\s|$)/;
const SIG_DASHES = /^--\s?$/;
const SENT_FROM = /^\s*(?:Sent from my \w|Get Outlook for \w|Sent via \w+ (?:mobile|Wireless))/i;
const SIGN_OFF =
  /^\s*(?:thanks(?: (?:again|so much|a lot|in advance))?|thank you(?: (?:very much|again))?|many thanks|thx|tia|regards|best regards|kind regards|warm regards|warmest regards|best wishes|with regards|best|all the best|cheers|sincerely(?: yours)?|yours(?: sincerely| truly| faithfully)?|respectfully|take care|talk soon|love|ciao)\s*[,.!-]?\s*$/i;
const SEPARATOR = /^\s*(?:_{8,}|-{8,}|={8,}|\*{8,}|~{8,})\s*$/;
const DISCLAIMER_CONTEXT = /\b(?:confidential|privileged|proprietary)\b/i;
const DISCLAIMER_CLAIM = /\b(?:intended (?:solely |only )?(?:for|recipient)|named (?:person|addressee)|(?:received|receive) this (?:message|e-?mail|communication|transmission) in error|not the intended|addressee\(s\) only)/i;
const FOOTER_WORDS = /unsubscribe|mailing list|listinfo|opt[- ]?out|to be removed|remove yourself|remove me|manage (?:your )?subscription|email preferences/i;

function isBlank(line: Line): boolean {
  return line.text.trim().length === 0;
}

/**
 * Initials that prefix two or more lines ("BM> ..."): one such line alone may be a prompt or a menu
 * ("TV>"), two from the same writer are a quote. 127 messages of the corpus quote this way.
 */
function initialsQuotingTwice(lines: Line[], end: number): Set<string> {
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (let i = 0; i < end; i++) {
    const initials = INITIALS_PREFIX.exec(lines[i]!.text)?.[1];
    if (initials === undefined) continue;
    if (seen.has(initials)) twice.add(initials);
    seen.add(initials);
  }
  return twice;
}

/** Whether a header block starts at line i: 2+ distinct header names within 8 lines, one of To/Subject/Sent. */
function headerBlockAt(lines: Line[], i: number): boolean {
  const first = HEADER_LINE.exec(lines[i]!.text);
  if (!first) return false;
  const seen = new Set([first[1]!.toLowerCase()]);
  for (let k = i + 1; k < Math.min(lines.length, i + 8); k++) {
    const m = HEADER_LINE.exec(lines[k]!.text);
    if (m) seen.add(m[1]!.toLowerCase());
  }
  return seen.size >= 2 && (seen.has('to') || seen.has('subject') || seen.has('sent'));
}

/** Pull a Lotus Notes attribution ("Name" then "05/14/2001 01:02 PM", or "Name@X on 05/14/2001 ...") into the region. */
function backUpOverAttribution(lines: Line[], i: number, floor: number): number {
  let k = i;
  for (let steps = 0; steps < 3 && k - 1 >= floor; steps++) {
    const prev = lines[k - 1]!;
    if (isBlank(prev)) break;
    if (DATE_TIME_LINE.test(prev.text) || (steps > 0 && prev.text.trim().length < 80)) k--;
    else break;
  }
  return k;
}

/**
 * Drops a forwarded/quoted message's opening marker and header block ("-----Original Message-----",
 * From:/Sent:/To:/Subject: lines, a Lotus "Name / date" attribution) so its own text can be analysed.
 * Returns the text unchanged when it does not open with a header block.
 */
export function dropLeadingHeaderBlock(text: string): string {
  const lines = splitLines(text);
  let lastHeader = -1;
  for (let i = 0; i < lines.length && i < 25; i++) {
    const t = lines[i]!.text;
    if (t.trim().length === 0) {
      if (lastHeader >= 0) break;
      continue;
    }
    if (HEADER_LINE.test(t)) {
      lastHeader = i;
      continue;
    }
    if (ORIGINAL_MESSAGE.test(t) || FORWARD_MARKER.test(t) || DATE_TIME_LINE.test(t) || (lastHeader >= 0 && /^[ \t]/.test(t))) continue;
    if (lastHeader < 0 && i < 3) continue; // a Lotus attribution name line
    break;
  }
  if (lastHeader < 0) return text;
  const next = lines[lastHeader + 1];
  return next ? text.slice(next.start) : '';
}

export function segmentBody(body: string, options: { forwardedSubject?: boolean } = {}): Section[] {
  if (body.length === 0) return [];
  const lines = splitLines(body);
  const kinds: SectionKind[] = new Array<SectionKind>(lines.length).fill('new');

  // 1. The first marker of a quoted or forwarded tail.
  let tailAt = lines.length;
  let tailKind: SectionKind = 'quoted';
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i]!.text;
    if (text.length === 0) continue;
    if (FORWARD_MARKER.test(text)) {
      tailAt = i;
      tailKind = 'forwarded';
      break;
    }
    if (ORIGINAL_MESSAGE.test(text)) {
      tailAt = i;
      tailKind = options.forwardedSubject ? 'forwarded' : 'quoted';
      break;
    }
    if (headerBlockAt(lines, i) && i > 0) {
      tailAt = backUpOverAttribution(lines, i, 0);
      tailKind = options.forwardedSubject ? 'forwarded' : 'quoted';
      break;
    }
  }
  for (let i = tailAt; i < lines.length; i++) kinds[i] = tailKind;

  // 2. "> " lines before the tail, and the "On ..., Bob wrote:" attribution (one or two lines) above
  // them. Attributions do not end the new text: bottom-posted and inline replies continue below.
  const quotedInitials = initialsQuotingTwice(lines, tailAt);
  for (let i = 0; i < tailAt; i++) {
    const text = lines[i]!.text;
    if (QUOTE_PREFIX.test(text) || (quotedInitials.size > 0 && quotedInitials.has(INITIALS_PREFIX.exec(text)?.[1] ?? ''))) {
      kinds[i] = 'quoted';
      continue;
    }
    if (WROTE_END.test(text) && text.length < 250) {
      kinds[i] = 'quoted';
      const prev = lines[i - 1];
      if (prev && kinds[i - 1] === 'new' && ON_START.test(prev.text) && !ON_START.test(text) && prev.text.length < 200) kinds[i - 1] = 'quoted';
    }
  }

  // 3. Signature and footer inside the last run of new lines before the tail.
  let lastNew = -1;
  for (let i = tailAt - 1; i >= 0; i--) {
    if (kinds[i] === 'new' && !isBlank(lines[i]!)) {
      lastNew = i;
      break;
    }
  }
  if (lastNew >= 0) {
    let blockStart = lastNew;
    while (blockStart > 0 && kinds[blockStart - 1] === 'new') blockStart--;
    markFooter(lines, kinds, blockStart, lastNew);
    markSignature(lines, kinds, blockStart, lastNew);
  }

  // 4. Merge runs into sections.
  const sections: Section[] = [];
  for (let i = 0; i < lines.length; i++) {
    const kind = kinds[i]!;
    const last = sections[sections.length - 1];
    if (last && last.kind === kind) last.end = lines[i]!.end;
    else sections.push({ kind, start: lines[i]!.start, end: lines[i]!.end });
  }
  return sections;
}

function markFooter(lines: Line[], kinds: SectionKind[], from: number, to: number): void {
  // A legal disclaimer paragraph near the end ("This message is confidential ... intended recipient ...").
  let paraEnd = to;
  for (let scanned = 0; paraEnd >= from && scanned < 40; ) {
    let paraStart = paraEnd;
    while (paraStart > from && !isBlank(lines[paraStart - 1]!)) paraStart--;
    let paragraph = '';
    for (let k = paraStart; k <= paraEnd && k - paraStart < 30; k++) paragraph += lines[k]!.text + ' ';
    if (DISCLAIMER_CONTEXT.test(paragraph) && DISCLAIMER_CLAIM.test(paragraph)) {
      for (let m = paraStart; m <= to; m++) if (kinds[m] === 'new') kinds[m] = 'footer';
      to = paraStart - 1;
      break;
    }
    scanned += paraEnd - paraStart + 1;
    paraEnd = paraStart - 1;
    while (paraEnd >= from && isBlank(lines[paraEnd]!)) paraEnd--;
  }
  while (to >= from && isBlank(lines[to]!)) to--;
  if (to < from) return;
  // Separator followed (within 15 lines of the end) by footer words.
  for (let i = Math.max(from, to - 15); i <= to; i++) {
    if (SEPARATOR.test(lines[i]!.text)) {
      for (let k = i + 1; k <= to; k++) {
        if (FOOTER_WORDS.test(lines[k]!.text)) {
          for (let m = i; m <= to; m++) if (kinds[m] === 'new') kinds[m] = 'footer';
          return;
        }
      }
    }
  }
  // The last paragraph, when short and about unsubscribing.
  let paraStart = to;
  while (paraStart > from && !isBlank(lines[paraStart - 1]!)) paraStart--;
  if (to - paraStart <= 6 && paraStart > from) {
    for (let k = paraStart; k <= to; k++) {
      if (FOOTER_WORDS.test(lines[k]!.text)) {
        for (let m = paraStart; m <= to; m++) kinds[m] = 'footer';
        return;
      }
    }
  }
}

function markSignature(lines: Line[], kinds: SectionKind[], from: number, to: number): void {
  // Work on the new lines left after a footer.
  let end = to;
  while (end >= from && kinds[end] !== 'new') end--;
  if (end < from) return;
  for (let i = from; i <= end; i++) {
    if (SIG_DASHES.test(lines[i]!.text)) {
      for (let k = i; k <= end; k++) kinds[k] = 'signature';
      end = i - 1;
      break;
    }
  }
  for (let i = end; i >= from && i >= end - 2; i--) {
    if (SENT_FROM.test(lines[i]!.text)) {
      for (let k = i; k <= end; k++) kinds[k] = 'signature';
      end = i - 1;
      break;
    }
  }
  // A sign-off among the last few non-blank lines: what follows it is the signature.
  let nonBlank = 0;
  for (let i = end; i >= from && nonBlank <= 8; i--) {
    const line = lines[i]!;
    if (isBlank(line)) continue;
    nonBlank++;
    if (SIGN_OFF.test(line.text)) {
      if (i < end) for (let k = i + 1; k <= end; k++) kinds[k] = 'signature';
      return;
    }
  }
}
