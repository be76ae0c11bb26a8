/**
 * Raw RFC 822 bytes -> ParsedMessage. Never throws: what cannot be read becomes a warning, and only a
 * message with nothing usable in it becomes a coded failure:
 *   E_EMPTY_MESSAGE  no bytes, only whitespace, or headers and body both empty
 *   E_UNPARSEABLE    binary data with no header block, or a MIME structure nothing can be taken from
 *   E_TOO_LARGE      postal-mime refused the header block for its size (over 2 MiB of headers)
 * MIME work (multipart, quoted-printable/base64, charsets, encoded words) is postal-mime's; this module
 * adds charset fallbacks, raw 8-bit header repair, limits, HTML to text and quote marking.
 */
import PostalMime, { addressParser, decodeWords } from 'postal-mime';
import type { Address, Email } from 'postal-mime';
import { decodeUnknown, installCharsetFallback, isKnownCharset, repairC1, sniffCharset, takeCharsetNotes } from './charset.js';
import { formatDateTime, parseMailDate } from './dates.js';
import { htmlToText, isHtmlPage } from './html-to-text.js';
import { looksLikeEnvelope } from './mbox.js';
import { installDecoderSpeedup } from './postal-mime-speedup.js';
import { resolveEmailOptions, type EmailOptions } from './options.js';
import { segmentBody } from './quotes.js';
import type { AttachmentInfo, BodySource, EmailWarning, Failure, Mailbox, ParseResult, ParsedMessage } from './types.js';

export interface RawMessageInput {
  id: string;
  raw: Uint8Array;
  /** The source already cut the message at its byte cap. */
  truncated?: boolean;
  /** Size before any cap (defaults to raw.length). */
  size?: number;
  /** mbox envelope line, used for the date when the Date header is missing. */
  envelope?: string;
}

const UNSUBSCRIBE_WORDS = /unsubscribe|opt[- ]?out|to be removed from|remove yourself|manage (?:your )?subscription|email preferences/i;
const HEADER_NAME = /^[!-9;-~]+$/;

export function failure(id: string, code: string, message: string): Failure {
  return { id, ok: false, code, message };
}

function controlRatio(bytes: Uint8Array, limit = 65536): number {
  const n = Math.min(bytes.length, limit);
  if (n === 0) return 0;
  let control = 0;
  for (let i = 0; i < n; i++) {
    const b = bytes[i]!;
    if (b < 0x20 ? b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x1b && b !== 0x0c : b === 0x7f) control++;
  }
  return control / n;
}

/** C0 controls (but tab, LF, CR, FF, ESC), DEL and U+FFFD: what binary bytes become when decoded as text. */
function isJunkChar(c: number): boolean {
  // Not C1 (0x80-0x9F): Node's windows-1252 decoder produces those for ordinary smart quotes (see repairC1).
  return (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0c && c !== 0x1b) || c === 0x7f || c === 0xfffd;
}

/** Any character isJunkChar accepts (a regex scan is faster than a loop over the whole body). */
// eslint-disable-next-line no-control-regex
const JUNK_CHAR = /[\u0000-\u0008\u000b\u000e-\u001a\u001c-\u001f\u007f\ufffd]/;

function textControlRatio(text: string, limit = 65536): number {
  const n = Math.min(text.length, limit);
  if (n === 0) return 0;
  let junk = 0;
  for (let i = 0; i < n; i++) if (isJunkChar(text.charCodeAt(i))) junk++;
  return junk / n;
}

/**
 * Removes lines of binary noise (more than 5% junk characters of at least two kinds; random bytes give
 * ~11%, text ~0%), which spam often appends after real text. Returns the kept text and how many
 * characters were dropped.
 */
function dropBinaryLines(text: string): { text: string; dropped: number } {
  if (!JUNK_CHAR.test(text)) return { text, dropped: 0 };
  const kept: string[] = [];
  let dropped = 0;
  for (const line of text.split('\n')) {
    let junk = 0;
    let first = -1;
    let mixed = false;
    for (let i = 0; i < line.length; i++) {
      const c = line.charCodeAt(i);
      if (!isJunkChar(c)) continue;
      junk++;
      if (first === -1) first = c;
      else if (c !== first) mixed = true;
    }
    // Noise has several different junk characters; one stray control character, or a run of the same
    // one (backspaces used for strike-through jokes), is replaced by spaces and the line is kept.
    if (mixed && junk / line.length > 0.05) dropped += line.length + 1;
    else kept.push(line);
  }
  return { text: kept.join('\n'), dropped };
}

/** Skips a BOM, leading blank lines and an mbox envelope line; returns the new start and the envelope. */
function messageStart(raw: Uint8Array): { start: number; envelope: string } {
  let i = 0;
  if (raw[0] === 0xef && raw[1] === 0xbb && raw[2] === 0xbf) i = 3;
  while (i < raw.length && (raw[i] === 0x0a || raw[i] === 0x0d)) i++;
  let envelope = '';
  if (raw[i] === 0x46 && raw[i + 1] === 0x72 && raw[i + 2] === 0x6f && raw[i + 3] === 0x6d && raw[i + 4] === 0x20) {
    let nl = -1;
    for (let k = i; k < Math.min(raw.length, i + 1000); k++) {
      if (raw[k] === 0x0a) {
        nl = k;
        break;
      }
    }
    if (nl !== -1) {
      const line = Buffer.from(raw.buffer, raw.byteOffset + i, nl - i).toString('latin1').replace(/\r$/, '');
      if (!/^From [^\s:]*:/.test(line)) {
        envelope = line;
        i = nl + 1;
      }
    }
  }
  return { start: i, envelope };
}

/** The header block as latin1 text (one char per byte), for re-reading raw 8-bit header values. */
function headerBlock(raw: Uint8Array): string {
  const limit = Math.min(raw.length, 256 * 1024);
  const view = Buffer.from(raw.buffer, raw.byteOffset, limit);
  let end = view.indexOf('\n\n');
  const crlf = view.indexOf('\r\n\r\n');
  if (crlf !== -1 && (end === -1 || crlf < end)) end = crlf;
  return view.toString('latin1', 0, end === -1 ? limit : end);
}

/**
 * A header value re-decoded from the raw bytes, for headers sent as raw 8-bit text: UTF-8 when valid,
 * else the message's own charset (`hint`, from its Content-Type: raw headers are usually written in the
 * body's charset), else windows-1252; encoded words are decoded afterwards.
 */
function rawHeaderValue(block: string, name: string, hint: string | null): string | null {
  const re = new RegExp(`^${name}[ \\t]*:[ \\t]*(.*(?:\\r?\\n[ \\t].*)*)`, 'im');
  const m = re.exec(block);
  if (!m) return null;
  const unfolded = m[1]!.replace(/\r?\n[ \t]+/g, ' ').replace(/\r$/, '').trim();
  const bytes = Buffer.from(unfolded, 'latin1');
  let text: string;
  if (hint && sniffCharset(bytes) !== 'utf-8') {
    try {
      text = repairC1(new TextDecoder(hint).decode(bytes));
    } catch {
      text = decodeUnknown(bytes);
    }
  } else {
    text = decodeUnknown(bytes);
  }
  try {
    return decodeWords(text);
  } catch {
    return text;
  }
}

/** The charset a message declares first (top-level Content-Type, else the first charset= in the data). */
function declaredCharset(headers: Record<string, string[]>, raw: Uint8Array): string | null {
  const pattern = /charset\s*=\s*"?([A-Za-z0-9_.:-]+)/i;
  const fromHeader = pattern.exec(headers['content-type']?.[0] ?? '')?.[1];
  const candidate = fromHeader ?? pattern.exec(Buffer.from(raw.buffer, raw.byteOffset, Math.min(raw.length, 65536)).toString('latin1'))?.[1];
  if (!candidate) return null;
  const label = candidate.toLowerCase();
  if (/^(?:utf-?8|us-ascii|ascii|ansi_x3\.4-1968)$/.test(label) || !isKnownCharset(label)) return null;
  try {
    new TextDecoder(label);
    return label;
  } catch {
    return null;
  }
}

function mailbox(address: Address | undefined): Mailbox | null {
  if (!address) return null;
  const first = address.group ? address.group[0] : address;
  return first ? { name: repairC1(first.name ?? ''), address: first.address ?? '' } : null;
}

function mailboxes(list: Address[] | undefined, max = 200): Mailbox[] {
  const out: Mailbox[] = [];
  for (const address of list ?? []) {
    for (const member of address.group ?? [address]) out.push({ name: repairC1(member.name ?? ''), address: member.address ?? '' });
    if (out.length >= max) break;
  }
  return out.slice(0, max);
}

/**
 * LF line ends, no NULs or other C0 controls (they confuse tokenizers and JSON consumers; each becomes
 * a space), the Enron 0x01 punctuation repaired, and C1 controls mapped to their windows-1252
 * characters (see repairC1).
 */
export function normaliseText(text: string): string {
  // Each replacement is skipped when a quick search shows it has nothing to do (the usual case).
  let out = text;
  if (out.includes('\r')) out = out.replace(/\r\n?/g, '\n');
  if (out.includes('\u0001')) out = out.replace(/\u0001([,&8()])/g, (_m, c: string) => ENRON_PUNCTUATION[c] ?? c);
  // eslint-disable-next-line no-control-regex
  return repairC1(out.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, ' '));
}

/**
 * The CMU Enron corpus stores typographic punctuation as a 0x01 byte plus an ASCII character
 * ("=01,s" in quoted-printable): ’ “ ” — – by what the text around them shows. 69 of its 2,583
 * Skilling messages have them; without this they would read "Enron ,s".
 */
const ENRON_PUNCTUATION: Record<string, string> = { ',': '\u2019', '&': '\u201c', '8': '\u201d', '(': '\u2014', ')': '\u2013' };

/** Cuts at `max` characters, preferring the last whitespace in the final 200 so no word is split. */
export function cutText(text: string, max: number): { text: string; truncated: boolean } {
  if (text.length <= max) return { text, truncated: false };
  let cut = max;
  const space = text.lastIndexOf(' ', max);
  const nl = text.lastIndexOf('\n', max);
  const best = Math.max(space, nl);
  if (best > max - 200 && best > 0) cut = best;
  // Never split a surrogate pair.
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut--;
  return { text: text.slice(0, cut), truncated: true };
}

interface BodyPick {
  body: string;
  source: BodySource;
  truncated: boolean;
}

function htmlBody(html: string, maxChars: number): BodyPick {
  // The HTML cap is generous: markup is usually several times the text it carries.
  const converted = htmlToText(html, Math.max(maxChars * 8, 1_000_000));
  return { body: converted.text, source: 'html', truncated: converted.truncated };
}

function pickBody(email: Pick<Email, 'text' | 'html'>, maxChars: number): BodyPick {
  const text = email.text ?? '';
  if (text.trim().length > 0) return isHtmlPage(text) ? htmlBody(text, maxChars) : { body: text, source: 'text', truncated: false };
  const html = email.html ?? '';
  if (html.trim().length > 0) return htmlBody(html, maxChars);
  return { body: '', source: 'none', truncated: false };
}

/** Finishes a message from its body text: normalise, limit, segment. Shared by raw and JSON input. */
export function finishBody(
  base: Omit<ParsedMessage, 'body' | 'sections' | 'truncated'> & { truncated?: boolean },
  pick: BodyPick,
  options: EmailOptions,
): ParsedMessage {
  const warnings = base.warnings;
  // Enron punctuation first, so its 0x01 bytes do not count as binary noise.
  const cleaned = dropBinaryLines(pick.body.includes('\u0001') ? pick.body.replace(/\u0001([,&8()])/g, (_m, c: string) => ENRON_PUNCTUATION[c] ?? c) : pick.body);
  let body = normaliseText(cleaned.text);
  if (cleaned.dropped > 0) {
    if (cleaned.dropped > pick.body.length / 2 || body.trim().length === 0) {
      warnings.push({ code: 'W_BINARY_BODY', message: 'the body text is mostly binary or undecodable characters; it was not analysed' });
      body = '';
    } else {
      warnings.push({ code: 'W_BINARY_NOISE', message: `${cleaned.dropped} characters of binary noise were removed from the body text` });
    }
  }
  const cut = cutText(body, options.maxTextChars);
  const truncated = Boolean(base.truncated) || pick.truncated || cut.truncated;
  if (cut.truncated || pick.truncated) {
    warnings.push({ code: 'W_TEXT_TRUNCATED', message: `the body text was cut at ${options.maxTextChars} characters` });
  }
  const sections = segmentBody(cut.text, { forwardedSubject: /^\s*(?:re:\s*)*(?:fw|fwd)\s*:/i.test(base.subject) });
  return { ...base, body: cut.text, sections, truncated };
}

function headerMap(email: Email): { map: Record<string, string[]>; valid: number } {
  const map: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  let valid = 0;
  for (const header of email.headers) {
    if (!HEADER_NAME.test(header.key)) continue;
    valid++;
    const list = map[header.key] ?? (map[header.key] = []);
    if (list.length < 50) list.push(header.value.length > 4096 ? header.value.slice(0, 4096) : header.value);
  }
  return { map, valid };
}

function warning(code: string, message: string): EmailWarning {
  return { code, message };
}

/** Minimal split used when postal-mime gives up: headers up to the first blank line, the rest as text. */
function fallbackEmail(raw: Uint8Array): Pick<Email, 'headers' | 'text' | 'subject' | 'from' | 'to' | 'cc'> {
  const block = headerBlock(raw);
  const headers: Email['headers'] = [];
  for (const line of block.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    headers.push({ key, originalKey: key, value: decodeUnknown(Buffer.from(line.slice(colon + 1).trim(), 'latin1')) });
  }
  const bodyStart = Math.min(raw.length, block.length + 2);
  const text = decodeUnknown(raw.subarray(bodyStart, Math.min(raw.length, bodyStart + 4 * 1024 * 1024)));
  const value = (key: string) => headers.find((h) => h.key === key)?.value;
  // The sender and recipients still count when the MIME structure does not parse (nesting too deep).
  const addresses = (key: string) => {
    const field = value(key);
    return field === undefined ? undefined : addressParser(field);
  };
  const subject = value('subject');
  const [from] = addresses('from') ?? [];
  const to = addresses('to');
  const cc = addresses('cc');
  return { headers, text, ...(subject === undefined ? {} : { subject }), ...(from ? { from } : {}), ...(to ? { to } : {}), ...(cc ? { cc } : {}) };
}

export async function parseMessage(input: RawMessageInput, options?: Partial<EmailOptions>): Promise<ParseResult> {
  const opts = resolveEmailOptions(options);
  const id = input.id;
  try {
    return await parseUnsafe(input, opts);
  } catch (error) {
    return failure(id, 'E_UNPARSEABLE', `the message could not be parsed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

async function parseUnsafe(input: RawMessageInput, opts: EmailOptions): Promise<ParseResult> {
  const { id } = input;
  const warnings: EmailWarning[] = [];
  const size = input.size ?? input.raw.length;
  let raw = input.raw;
  let sourceTruncated = Boolean(input.truncated);
  if (raw.length > opts.maxMessageBytes) {
    raw = raw.subarray(0, opts.maxMessageBytes);
    sourceTruncated = true;
  }
  if (sourceTruncated) {
    warnings.push(warning('W_SOURCE_TRUNCATED', `the message is ${size} bytes; only the first ${Math.min(size, opts.maxMessageBytes)} were read`));
  }

  const { start, envelope: ownEnvelope } = messageStart(raw);
  raw = raw.subarray(start);
  const envelope = input.envelope ?? ownEnvelope;
  let nonSpace = false;
  for (let i = 0; i < raw.length; i++) {
    const b = raw[i]!;
    if (b !== 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) {
      nonSpace = true;
      break;
    }
  }
  if (!nonSpace) return failure(id, 'E_EMPTY_MESSAGE', size === 0 ? 'the message is empty (0 bytes)' : 'the message holds only whitespace');

  const firstLine = Buffer.from(raw.buffer, raw.byteOffset, Math.min(raw.length, 200)).toString('latin1');
  const startsWithHeader = /^[!-9;-~]{1,76}:/.test(firstLine);
  // The control-byte scan only matters without a header line, so it is skipped when there is one.
  if (!startsWithHeader && controlRatio(raw) > 0.1) {
    return failure(id, 'E_UNPARSEABLE', 'not an email message: binary data without a header block');
  }

  installCharsetFallback();
  installDecoderSpeedup();
  let email: Pick<Email, 'headers' | 'text' | 'html' | 'subject' | 'from' | 'to' | 'cc' | 'messageId' | 'attachments'>;
  let charsetNotes: string[] = [];
  try {
    const parser = new PostalMime({ attachmentEncoding: 'arraybuffer', maxNestingDepth: 64 });
    email = await parser.parse(raw);
    charsetNotes = takeCharsetNotes(parser);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/header/i.test(message) && /size|large|exceed/i.test(message)) {
      return failure(id, 'E_TOO_LARGE', `the header block is too large to parse: ${message}`);
    }
    warnings.push(warning('W_MIME_FALLBACK', `MIME parsing failed (${message}); read as plain headers and text`));
    email = { ...fallbackEmail(raw), attachments: [] };
  }
  for (const note of charsetNotes) warnings.push(warning('W_CHARSET_FALLBACK', note));

  const { map: headers, valid } = headerMap(email as Email);
  let pick: BodyPick;
  if (valid === 0) {
    // No header block at all: a plain text file handed in as a message.
    const text = decodeUnknown(raw.subarray(0, Math.min(raw.length, opts.maxTextChars * 4)));
    if (textControlRatio(text) > 0.1) return failure(id, 'E_UNPARSEABLE', 'not an email message: no headers and no readable text');
    warnings.push(warning('W_NO_HEADERS', 'no header block was found; the whole input was read as the body'));
    pick = { body: text, source: 'text', truncated: raw.length > opts.maxTextChars * 4 };
    for (const key of Object.keys(headers)) delete headers[key];
  } else {
    pick = pickBody(email, opts.maxTextChars);
  }

  const block = headerBlock(raw);
  let subject = repairC1(email.subject ?? '').replace(/\s+/g, ' ').trim();
  if (subject.includes('\ufffd')) subject = (rawHeaderValue(block, 'subject', declaredCharset(headers, raw)) ?? subject).replace(/\s+/g, ' ').trim();
  if (subject.length > 1000) subject = subject.slice(0, 1000);
  let from = valid > 0 ? mailbox(email.from) : null;
  if (from && from.name.includes('\ufffd')) {
    const rawFrom = rawHeaderValue(block, 'from', declaredCharset(headers, raw));
    const name = rawFrom ? /^\s*"?([^"<]*?)"?\s*</.exec(rawFrom)?.[1] : undefined;
    if (name) from = { ...from, name: name.trim() };
  }
  if (!from && valid > 0) warnings.push(warning('W_MISSING_FROM', 'the message has no usable From header'));

  let date: string | null = null;
  const dateHeader = headers['date']?.[0];
  const parsedDate = parseMailDate(dateHeader);
  if (parsedDate) {
    date = formatDateTime(parsedDate);
  } else {
    const envelopeDate = envelope && looksLikeEnvelope(envelope) ? parseMailDate(envelope.replace(/^From \S+\s+/, '')) : null;
    if (envelopeDate) {
      date = formatDateTime(envelopeDate);
      warnings.push(warning('W_DATE_FROM_ENVELOPE', dateHeader ? `unreadable Date header "${dateHeader.slice(0, 80)}"; used the mbox envelope date` : 'no Date header; used the mbox envelope date'));
    } else if (valid > 0) {
      warnings.push(dateHeader ? warning('W_UNPARSEABLE_DATE', `unreadable Date header "${dateHeader.slice(0, 80)}"`) : warning('W_MISSING_DATE', 'the message has no Date header'));
    }
  }

  if (valid > 0 && !sourceTruncated) {
    const contentType = headers['content-type']?.[0] ?? '';
    const boundary = /boundary\s*=\s*(?:"([^"]+)"|([^\s;]+))/i.exec(contentType);
    const mark = boundary ? boundary[1] ?? boundary[2] : undefined;
    if (mark && /^\s*multipart\//i.test(contentType)) {
      const closing = Buffer.from(`--${mark}--`, 'latin1');
      if (Buffer.from(raw.buffer, raw.byteOffset, raw.length).lastIndexOf(closing) === -1) {
        warnings.push(warning('W_MULTIPART_UNTERMINATED', 'the multipart body has no closing boundary; parts were read up to the end'));
      }
    }
  }
  if (pick.source === 'none') {
    warnings.push(warning('W_NO_TEXT', email.attachments.length > 0 ? 'no text or HTML body; attachments only' : 'the message has no body text'));
  }

  const attachments: AttachmentInfo[] = email.attachments.slice(0, 500).map((a) => ({
    filename: a.filename ?? null,
    mimeType: a.mimeType,
    size: typeof a.content === 'string' ? a.content.length : a.content.byteLength,
    disposition: a.disposition ?? null,
  }));

  if (valid === 0 && pick.body.trim().length === 0) return failure(id, 'E_EMPTY_MESSAGE', 'the message has neither headers nor text');

  const parsed = finishBody(
    {
      id,
      subject,
      from,
      to: mailboxes(email.to),
      cc: mailboxes(email.cc),
      date,
      messageId: email.messageId ?? null,
      headers,
      bodySource: pick.source,
      htmlMentionsUnsubscribe: Boolean(email.html && UNSUBSCRIBE_WORDS.test(email.html)),
      attachments,
      warnings,
      size,
      truncated: sourceTruncated,
    },
    pick,
    opts,
  );
  return { ok: true, ...parsed };
}
