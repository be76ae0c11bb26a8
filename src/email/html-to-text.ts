/**
 * A small single-pass HTML to plain text converter for mail bodies.
 *
 * - Block elements end lines (p and headings leave a blank line), <br> breaks, list items get "- ".
 * - script, style, head, template, svg and comments are dropped with their content.
 * - Links keep their text; the href follows in parentheses when it is an http(s)/mailto target the
 *   text does not already show (so "unsubscribe" links keep their address).
 * - Character references are decoded; runs of whitespace collapse except inside <pre>.
 * - Nothing is dropped for being a footer: unsubscribe lines and legal small print stay.
 * Malformed markup never throws: a '<' that does not open a tag is text, an unclosed tag ends the input.
 * `isHtmlPage` tells a page sent as text from text that merely mentions some tags.
 */
import { decodeHtmlEntities } from './html-entities.js';

const DROP_WITH_CONTENT = new Set(['script', 'style', 'head', 'template', 'svg', 'xml', 'object', 'title']);

/** Elements that end a line (value 1) or a paragraph (value 2). */
const BLOCKS: Record<string, number> = {
  p: 2, h1: 2, h2: 2, h3: 2, h4: 2, h5: 2, h6: 2, hr: 2, table: 1, blockquote: 1, pre: 1,
  div: 1, tr: 1, li: 1, ul: 1, ol: 1, dl: 1, dt: 1, dd: 1, section: 1, article: 1, header: 1, footer: 1, nav: 1,
  aside: 1, form: 1, center: 1, address: 1, fieldset: 1, figure: 1, figcaption: 1, main: 1, caption: 1, option: 1,
  tbody: 1, thead: 1, tfoot: 1, body: 1, html: 1, frame: 1, noscript: 1, legend: 1, details: 1, summary: 1,
};

const HREF = /\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i;
const TAG_NAME = /[A-Za-z][A-Za-z0-9:-]*/y;
const closers = new Map<string, RegExp>();

function closerFor(name: string): RegExp {
  let re = closers.get(name);
  if (!re) {
    re = new RegExp(`</${name}\\b[^>]*>`, 'gi');
    closers.set(name, re);
  }
  return re;
}

/** Index just past the '>' that ends the tag starting at `from`, honouring quoted attribute values; -1 if none. */
function tagEnd(html: string, from: number): number {
  const gt = html.indexOf('>', from);
  if (gt === -1) return -1;
  let quote = -1;
  for (let k = from; k < gt; k++) {
    const c = html.charCodeAt(k);
    if (c === 34 || c === 39) {
      quote = k;
      break;
    }
  }
  if (quote === -1) return gt + 1;
  let k = from;
  while (k < html.length) {
    const c = html.charCodeAt(k);
    if (c === 62) return k + 1;
    if (c === 34 || c === 39) {
      const close = html.indexOf(String.fromCharCode(c), k + 1);
      if (close === -1) return gt + 1; // unbalanced quote: fall back to the first '>'
      k = close + 1;
      continue;
    }
    k++;
  }
  return -1;
}

function usefulHref(href: string, linkText: string): string | null {
  const target = decodeHtmlEntities(href.trim());
  if (!/^(?:https?:\/\/|mailto:)/i.test(target)) return null;
  const shown = target.replace(/^mailto:/i, '');
  const text = linkText.trim();
  if (text.includes(shown) || text.includes(target)) return null;
  const bare = shown.replace(/^https?:\/\//i, '').replace(/\/$/, '');
  if (bare.length > 0 && text.includes(bare)) return null;
  return target.length > 300 ? target.slice(0, 300) : target;
}

export interface HtmlToTextResult {
  text: string;
  /** True when `maxChars` cut the input before conversion. */
  truncated: boolean;
}

export function htmlToText(html: string, maxChars = Number.POSITIVE_INFINITY): HtmlToTextResult {
  let truncated = false;
  if (html.length > maxChars) {
    html = html.slice(0, maxChars);
    truncated = true;
  }
  const out: string[] = [];
  let pendingBreak = 0; // newlines owed before the next text
  let spacePending = false;
  let atLineStart = true;
  let preDepth = 0;
  let link: { href: string; textStart: number } | null = null;
  let outChars = 0;

  const push = (s: string) => {
    out.push(s);
    outChars += s.length;
  };
  const flushBreak = () => {
    if (pendingBreak > 0) {
      if (outChars > 0) push('\n'.repeat(pendingBreak));
      pendingBreak = 0;
      atLineStart = true;
      spacePending = false;
    }
  };
  const emitText = (raw: string) => {
    if (raw.length === 0) return;
    let s = decodeHtmlEntities(raw);
    if (preDepth > 0) {
      s = s.replace(/\r\n?/g, '\n').replace(/\u00a0/g, ' ');
      flushBreak();
      if (spacePending && !atLineStart) push(' ');
      spacePending = false;
      push(s);
      atLineStart = s.endsWith('\n');
      return;
    }
    s = s.replace(/[\s\u00a0\u200b]+/g, ' ');
    if (s === ' ') {
      if (!atLineStart) spacePending = true;
      return;
    }
    const lead = s.charCodeAt(0) === 32;
    const trail = s.charCodeAt(s.length - 1) === 32;
    const body = s.slice(lead ? 1 : 0, trail ? s.length - 1 : s.length);
    flushBreak();
    if ((spacePending || lead) && !atLineStart) push(' ');
    push(body);
    atLineStart = false;
    spacePending = trail;
  };
  const block = (n: number) => {
    if (n > pendingBreak) pendingBreak = n;
    spacePending = false;
  };

  let i = 0;
  const length = html.length;
  while (i < length) {
    const lt = html.indexOf('<', i);
    if (lt === -1) {
      emitText(html.slice(i));
      break;
    }
    if (lt > i) emitText(html.slice(i, lt));
    i = lt;
    const next = html.charCodeAt(i + 1);
    if (next === 33 /* ! */) {
      if (html.startsWith('<!--', i)) {
        const end = html.indexOf('-->', i + 4);
        i = end === -1 ? length : end + 3;
      } else if (html.startsWith('<![CDATA[', i)) {
        const end = html.indexOf(']]>', i + 9);
        emitText(html.slice(i + 9, end === -1 ? length : end));
        i = end === -1 ? length : end + 3;
      } else {
        const end = html.indexOf('>', i + 2);
        i = end === -1 ? length : end + 1;
      }
      continue;
    }
    if (next === 63 /* ? */) {
      const end = html.indexOf('>', i + 2);
      i = end === -1 ? length : end + 1;
      continue;
    }
    const closing = next === 47; /* / */
    TAG_NAME.lastIndex = i + (closing ? 2 : 1);
    const match = TAG_NAME.exec(html);
    if (!match) {
      emitText('<');
      i += 1;
      continue;
    }
    const end = tagEnd(html, TAG_NAME.lastIndex);
    if (end === -1) break; // an unclosed tag at the very end: nothing readable follows
    const name = match[0].toLowerCase();
    const tag = html.slice(i, end);
    i = end;

    if (!closing && DROP_WITH_CONTENT.has(name) && !tag.endsWith('/>')) {
      if (name === 'head') {
        // A <head> that is never closed must not swallow the body.
        const lower = html.slice(i, Math.min(length, i + 200_000)).toLowerCase();
        const close = lower.indexOf('</head');
        const body = lower.indexOf('<body');
        const stop = close === -1 ? body : body === -1 ? close : Math.min(close, body);
        if (stop === -1) continue;
        i += stop;
        continue;
      }
      const closer = closerFor(name);
      closer.lastIndex = i;
      const found = closer.exec(html);
      i = found ? found.index + found[0].length : length;
      continue;
    }
    if (name === 'br') {
      flushBreak();
      pendingBreak = Math.min(2, pendingBreak + 1);
      spacePending = false;
      continue;
    }
    if (name === 'a') {
      if (!closing) {
        const href = HREF.exec(tag);
        link = href ? { href: href[1] ?? href[2] ?? href[3] ?? '', textStart: out.length } : null;
      } else if (link) {
        const target = usefulHref(link.href, out.slice(link.textStart).join(''));
        if (target) {
          flushBreak();
          push(atLineStart ? `(${target})` : ` (${target})`);
          atLineStart = false;
          spacePending = false;
        }
        link = null;
      }
      continue;
    }
    if (name === 'td' || name === 'th') {
      if (closing && !atLineStart) spacePending = true;
      continue;
    }
    if (name === 'img' && !closing) {
      const alt = /\balt\s*=\s*(?:"([^"]*)"|'([^']*)')/i.exec(tag);
      const text = alt ? (alt[1] ?? alt[2] ?? '').trim() : '';
      if (text.length > 1) emitText(` ${text} `);
      continue;
    }
    if (name === 'pre') {
      preDepth = Math.max(0, preDepth + (closing ? -1 : 1));
      block(1);
      continue;
    }
    const weight = BLOCKS[name];
    if (weight !== undefined) {
      block(weight);
      if (name === 'li' && !closing) {
        flushBreak();
        push('- ');
        atLineStart = false;
        spacePending = false;
      }
    }
  }
  const text = out.join('').replace(/[ \t]+\n/g, '\n').replace(/\n{3,}/g, '\n\n').trim();
  return { text, truncated };
}

const HTML_DOCUMENT = /<!doctype html|<html[\s>]|<body[\s>]/i;
const HTML_TAG = /<\/?(?:br|p|div|font|table|tr|td|th|a|img|b|i|u|center|span|strong|em|ul|ol|li|h[1-6]|hr)\b[^<>]{0,300}>/gi;
/** Characters of a text searched for tags. */
const MARKUP_SAMPLE = 64 * 1024;

const OPENS_WITH_MARKUP = /^\s*<(?:!doctype html|html|head|body|table|div|p|span|br|font|center|meta|title|style)\b/i;

/**
 * Text that is really an HTML page (bulk senders label their pages text/plain; HTTP callers send HTML as
 * the JSON body): it opens with markup, or an HTML document starts near its top, or it is dense with tags
 * (one per 200 characters). A message that discusses or quotes some HTML ("the text/plain part is
 * <html><body>...") stays text, so its quoted replies and line breaks are kept.
 */
export function isHtmlPage(text: string): boolean {
  if (!text.includes('<')) return false;
  if (OPENS_WITH_MARKUP.test(text)) return true;
  const sample = text.length > MARKUP_SAMPLE ? text.slice(0, MARKUP_SAMPLE) : text;
  let tags = 0;
  HTML_TAG.lastIndex = 0;
  while (HTML_TAG.exec(sample) !== null) tags++;
  if (tags >= 10 && tags * 400 >= sample.length && HTML_DOCUMENT.test(sample.slice(0, 1000))) return true;
  return tags >= 20 && tags * 200 >= sample.length;
}
