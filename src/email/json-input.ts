/**
 * JSON input for HTTP callers: `{subject, from, body, date?, headers?, html?}` normalised into the same
 * ParsedMessage that raw MIME parsing produces, so analysis cannot tell them apart.
 *
 * - from: "Name <addr>" / "addr" string, or {name?, address}
 * - body: plain text; when it looks like an HTML document (or `html: true`) it is converted to text
 * - date: any date parseMailDate reads (RFC 5322 or ISO 8601); kept in the sender's offset
 * - headers: {name: value | value[]}; names are lower-cased (List-Id, Precedence, ... feed bulk detection)
 * Wrong types give E_INVALID_INPUT; an empty subject and body give E_EMPTY_MESSAGE.
 */
import { addressParser } from 'postal-mime';
import { formatDateTime, parseMailDate } from './dates.js';
import { htmlToText, isHtmlPage } from './html-to-text.js';
import { resolveEmailOptions, type EmailOptions } from './options.js';
import { failure, finishBody } from './parse.js';
import type { EmailWarning, Mailbox, ParseResult } from './types.js';

export interface JsonMessage {
  subject?: string;
  from?: string | { name?: string; address: string };
  to?: string | string[];
  body?: string;
  date?: string;
  headers?: Record<string, string | string[]>;
  /** Force (true) or forbid (false) HTML conversion of `body`; by default it is sniffed. */
  html?: boolean;
}

const UNSUBSCRIBE_WORDS = /unsubscribe|opt[- ]?out|to be removed from/i;

function parseAddresses(value: string): Mailbox[] {
  try {
    const out: Mailbox[] = [];
    for (const a of addressParser(value, { flatten: true })) {
      if (a.address !== undefined) out.push({ name: a.name ?? '', address: a.address });
    }
    return out;
  } catch {
    return [];
  }
}

/**
 * The part of a JSON message that parseJsonMessage reads, at the depth it reads it, so what crosses to
 * a worker is shallow: a request of 400 KB can nest arrays 200,000 deep, which no process can serialise.
 * A value of the wrong type is replaced by another of a wrong type, so the worker gives the same
 * E_INVALID_INPUT it would have given for the original.
 */
export function shallowJsonMessage(input: unknown): unknown {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return null;
  const message = input as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  const scalar = (value: unknown) => (value === undefined || value === null || typeof value === 'string' ? value : false);
  for (const key of ['subject', 'body', 'date'] as const) if (message[key] !== undefined) out[key] = scalar(message[key]);
  if (typeof message.id === 'string') out.id = message.id;
  if (typeof message.html === 'boolean') out.html = message.html;
  const from = message.from;
  if (from !== undefined) {
    if (from !== null && typeof from === 'object' && !Array.isArray(from)) {
      const f = from as { name?: unknown; address?: unknown };
      out.from = { ...(typeof f.name === 'string' ? { name: f.name } : {}), address: typeof f.address === 'string' ? f.address : null };
    } else {
      out.from = scalar(from);
    }
  }
  if (typeof message.to === 'string') out.to = message.to;
  else if (Array.isArray(message.to)) out.to = message.to.filter((v): v is string => typeof v === 'string');
  const headers = message.headers;
  if (headers !== undefined && headers !== null) {
    if (typeof headers !== 'object' || Array.isArray(headers)) {
      out.headers = false;
    } else {
      const copy: Record<string, string | (string | null)[] | null> = {};
      for (const [name, value] of Object.entries(headers as Record<string, unknown>)) {
        copy[name] = Array.isArray(value) ? value.map((v) => (typeof v === 'string' ? v : null)) : typeof value === 'string' ? value : null;
      }
      out.headers = copy;
    }
  }
  return out;
}

export function parseJsonMessage(id: string, input: unknown, options?: Partial<EmailOptions>): ParseResult {
  const opts = resolveEmailOptions(options);
  try {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      return failure(id, 'E_INVALID_INPUT', 'expected a JSON object {subject, from, body, date?, headers?}');
    }
    const message = input as Record<string, unknown>;
    for (const key of ['subject', 'body', 'date'] as const) {
      if (message[key] !== undefined && message[key] !== null && typeof message[key] !== 'string') {
        return failure(id, 'E_INVALID_INPUT', `"${key}" must be a string`);
      }
    }
    const subject = ((message.subject as string | undefined) ?? '').replace(/\s+/g, ' ').trim().slice(0, 1000);
    const body = (message.body as string | undefined) ?? '';
    if (subject.length === 0 && body.trim().length === 0) return failure(id, 'E_EMPTY_MESSAGE', 'the message has neither subject nor body');

    const warnings: EmailWarning[] = [];
    let from: Mailbox | null = null;
    if (typeof message.from === 'string') from = parseAddresses(message.from)[0] ?? null;
    else if (message.from && typeof message.from === 'object') {
      const f = message.from as { name?: unknown; address?: unknown };
      if (typeof f.address !== 'string') return failure(id, 'E_INVALID_INPUT', '"from.address" must be a string');
      from = { name: typeof f.name === 'string' ? f.name : '', address: f.address };
    } else if (message.from !== undefined && message.from !== null) {
      return failure(id, 'E_INVALID_INPUT', '"from" must be a string or {name, address}');
    }
    if (!from) warnings.push({ code: 'W_MISSING_FROM', message: 'no usable "from"' });

    const headers: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
    if (message.headers !== undefined && message.headers !== null) {
      if (typeof message.headers !== 'object' || Array.isArray(message.headers)) return failure(id, 'E_INVALID_INPUT', '"headers" must be an object');
      for (const [name, value] of Object.entries(message.headers as Record<string, unknown>)) {
        const values = Array.isArray(value) ? value : [value];
        const strings = values.filter((v): v is string => typeof v === 'string');
        if (strings.length !== values.length) return failure(id, 'E_INVALID_INPUT', `header "${name}" must be a string or an array of strings`);
        headers[name.toLowerCase()] = strings;
      }
    }

    let date: string | null = null;
    const rawDate = (message.date as string | undefined) ?? headers['date']?.[0];
    if (rawDate) {
      const parsed = parseMailDate(rawDate);
      if (parsed) date = formatDateTime(parsed);
      else warnings.push({ code: 'W_UNPARSEABLE_DATE', message: `unreadable date "${rawDate.slice(0, 80)}"` });
    } else {
      warnings.push({ code: 'W_MISSING_DATE', message: 'no "date"' });
    }

    let to: Mailbox[] = [];
    if (typeof message.to === 'string') to = parseAddresses(message.to);
    else if (Array.isArray(message.to)) to = message.to.filter((v): v is string => typeof v === 'string').flatMap(parseAddresses);
    else if (headers['to']) to = parseAddresses(headers['to'].join(', '));

    const html = typeof message.html === 'boolean' ? message.html : isHtmlPage(body);
    const converted = html ? htmlToText(body, Math.max(opts.maxTextChars * 8, 1_000_000)) : { text: body, truncated: false };
    return {
      ok: true,
      ...finishBody(
        {
          id,
          subject,
          from,
          to,
          cc: headers['cc'] ? parseAddresses(headers['cc'].join(', ')) : [],
          date,
          messageId: headers['message-id']?.[0] ?? null,
          headers,
          bodySource: 'json',
          htmlMentionsUnsubscribe: html && UNSUBSCRIBE_WORDS.test(body),
          attachments: [],
          warnings,
          size: Buffer.byteLength(body),
        },
        { body: converted.text, source: 'json', truncated: converted.truncated },
        opts,
      ),
    };
  } catch (error) {
    return failure(id, 'E_INVALID_INPUT', `the JSON message could not be read: ${error instanceof Error ? error.message : String(error)}`);
  }
}
