/**
 * Charset decisions postal-mime does not make well enough for real mail.
 *
 * postal-mime decodes a text part with the declared charset through TextDecoder (Node 20 has full ICU:
 * iso-8859-*, windows-125x, koi8-r, big5, gb2312/gbk, iso-2022-jp, euc-kr, shift_jis all work). Two
 * cases come out wrong:
 *  - no charset at all: it decodes as UTF-8, so Latin-1 bytes become U+FFFD and the text is lost;
 *  - a bogus label ("default", "unknown-8bit", "x-user-defined", "", "us-ascii" over 8-bit bytes):
 *    it always uses windows-1252, so UTF-8 text turns into mojibake ("cafÃ©").
 * It has no hook for this, so `installCharsetFallback` wraps the one method that decodes a text part
 * (MimeNode#getTextContent, reached through a parser instance's prototype chain) and, only in those two
 * cases, substitutes a label chosen from the bytes: UTF-8 when they are valid UTF-8, else windows-1252.
 * If a future postal-mime changes that internal shape the wrapper is simply not installed (parsing
 * still works with postal-mime's own behaviour) and `charsetFallbackInstalled()` says so.
 */
import PostalMime from 'postal-mime';

const utf8Fatal = new TextDecoder('utf-8', { fatal: true });

/** Labels that name no real charset (seen in the SpamAssassin corpus and elsewhere). */
const BOGUS_LABELS = new Set([
  '', 'default', 'default_charset', 'unknown', 'unknown-8bit', 'x-unknown', 'x-user-defined', 'none', 'charset',
  '8bit', '7bit', 'binary', 'text', 'plain',
]);

/** Labels that promise 7-bit text: when 8-bit bytes appear the promise is false and the bytes decide. */
const ASCII_LABELS = new Set(['us-ascii', 'ascii', 'ansi_x3.4-1968', 'iso646-us', 'us', 'csascii']);

/** Labels postal-mime maps onto a real decoder itself (code pages, Japanese/Korean/Thai spellings). */
const POSTAL_MIME_ALIASES =
  /^(?:(?:cp|windows-?|ms|ibm)(?:932|936|949|950|874|51932|5022[012])|(?:x-)?(?:euc[-_]?jp|euc[-_]?kr|shift[-_]?jis|sjis|iso[-_]?2022[-_]?jp(?:-[12])?|tis[-_]?620|uhc|windows-?31j|ms[-_]?kanji|junet|iso-?8859-?8-?[ie]))$/;

const knownLabels = new Map<string, boolean>();

/** Whether TextDecoder accepts the label (after the light clean-up postal-mime also does). */
export function isKnownCharset(label: string): boolean {
  let known = knownLabels.get(label);
  if (known === undefined) {
    known = POSTAL_MIME_ALIASES.test(label);
    if (!known) for (const candidate of [label, label.replace(/^(?:x-|cs)/, ''), label.replace(/^(?:x-|cs)/, '').replace(/[_\s]+/g, '-')]) {
      try {
        const decoder = new TextDecoder(candidate);
        known = decoder.encoding !== 'replacement' && decoder.encoding !== 'x-user-defined';
        if (known) break;
      } catch {
        // not a label this runtime knows
      }
    }
    if (knownLabels.size < 512) knownLabels.set(label, known);
  }
  return known;
}

function hasEightBit(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! >= 0x80) return true;
  return false;
}

/** UTF-8 when the bytes are valid UTF-8, windows-1252 (a superset of Latin-1 that TextDecoder knows) otherwise. */
export function sniffCharset(bytes: Uint8Array): 'utf-8' | 'windows-1252' {
  try {
    utf8Fatal.decode(bytes);
    return 'utf-8';
  } catch {
    return 'windows-1252';
  }
}

/**
 * The label to decode a part with instead of the declared one, or null to keep postal-mime's choice.
 * `declared` is the raw parameter value (undefined when absent).
 */
export function chooseFallbackCharset(declared: string | undefined, bytes: Uint8Array | null): { label: string; reason: string } | null {
  if (!bytes || bytes.length === 0) return null;
  const label = (declared ?? '').trim().toLowerCase().replace(/^["']|["']$/g, '');
  const missing = declared === undefined;
  const bogus = !missing && (BOGUS_LABELS.has(label) || !isKnownCharset(label));
  const asciiLie = ASCII_LABELS.has(label);
  if (!missing && !bogus && !asciiLie) return null;
  if (!hasEightBit(bytes)) return null;
  const chosen = sniffCharset(bytes);
  if (asciiLie && chosen === 'windows-1252') return null; // what postal-mime does anyway
  const what = missing ? 'no charset' : asciiLie ? `charset "${label}" over 8-bit bytes` : `unknown charset "${label}"`;
  return { label: chosen, reason: `${what}: decoded as ${chosen}` };
}

interface MimeNodeLike {
  content: ArrayBuffer | Uint8Array | null;
  contentType: { parsed: { params: Record<string, string | undefined> } };
  postalMime?: object;
  getTextContent(): string;
}

/** Charset fallbacks applied per parser instance, read back by the caller after parsing. */
const fallbackNotes = new WeakMap<object, string[]>();
let installed: boolean | null = null;

export function installCharsetFallback(): boolean {
  if (installed !== null) return installed;
  installed = false;
  try {
    const probe = new PostalMime() as unknown as { root?: unknown };
    const proto = probe.root ? (Object.getPrototypeOf(probe.root) as Partial<MimeNodeLike> | null) : null;
    const original = proto?.getTextContent;
    if (!proto || typeof original !== 'function') return installed;
    proto.getTextContent = function patchedGetTextContent(this: MimeNodeLike): string {
      const params = this.contentType?.parsed?.params;
      if (!params || !this.content) return original.call(this);
      const bytes = this.content instanceof Uint8Array ? this.content : new Uint8Array(this.content);
      const choice = chooseFallbackCharset(params.charset, bytes);
      if (!choice) return original.call(this);
      if (this.postalMime) {
        const notes = fallbackNotes.get(this.postalMime) ?? [];
        if (notes.length < 10) notes.push(choice.reason);
        fallbackNotes.set(this.postalMime, notes);
      }
      const saved = params.charset;
      params.charset = choice.label;
      try {
        return original.call(this);
      } finally {
        if (saved === undefined) delete params.charset;
        else params.charset = saved;
      }
    };
    installed = true;
  } catch {
    installed = false;
  }
  return installed;
}

export function charsetFallbackInstalled(): boolean {
  return installed === true;
}

export function takeCharsetNotes(parser: object): string[] {
  const notes = fallbackNotes.get(parser) ?? [];
  fallbackNotes.delete(parser);
  return notes;
}

/** Decodes bytes of unknown charset (raw 8-bit header values): UTF-8 if valid, else windows-1252. */
export function decodeUnknown(bytes: Uint8Array): string {
  return repairC1(new TextDecoder(sniffCharset(bytes)).decode(bytes));
}

/**
 * windows-1252 meanings of 0x80-0x9F. Node 20.18.3+ (and 22.13+, 24.x until fixed) decode the
 * windows-1252 label and all its WHATWG aliases (iso-8859-1, us-ascii, latin1, ...) as plain Latin-1,
 * so these bytes come out as C1 control characters instead of “ ” ‘ ’ – — € ™ (nodejs/node#56542,
 * #60888). postal-mime uses TextDecoder for bodies and encoded words, so the damage is everywhere a
 * Latin-1 family label is used. Real C1 controls never carry meaning in mail text, so mapping them to
 * their windows-1252 characters is safe on fixed Node versions too (and also repairs text that was
 * windows-1252, mis-decoded as Latin-1 and re-encoded as UTF-8 before it reached us).
 */
const C1_TO_CP1252: Record<number, string> = {
  0x80: '\u20ac', 0x82: '\u201a', 0x83: '\u0192', 0x84: '\u201e', 0x85: '\u2026', 0x86: '\u2020', 0x87: '\u2021',
  0x88: '\u02c6', 0x89: '\u2030', 0x8a: '\u0160', 0x8b: '\u2039', 0x8c: '\u0152', 0x8e: '\u017d', 0x91: '\u2018',
  0x92: '\u2019', 0x93: '\u201c', 0x94: '\u201d', 0x95: '\u2022', 0x96: '\u2013', 0x97: '\u2014', 0x98: '\u02dc',
  0x99: '\u2122', 0x9a: '\u0161', 0x9b: '\u203a', 0x9c: '\u0153', 0x9e: '\u017e', 0x9f: '\u0178',
};

const C1 = /[\u0080-\u009f]/g;

/** Maps C1 control characters to their windows-1252 characters (the five unassigned ones become spaces). */
export function repairC1(text: string): string {
  C1.lastIndex = 0;
  if (!C1.test(text)) return text;
  C1.lastIndex = 0;
  return text.replace(C1, (c) => C1_TO_CP1252[c.charCodeAt(0)] ?? ' ');
}
