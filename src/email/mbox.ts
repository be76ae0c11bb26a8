/**
 * Streaming mbox splitter. Reads any number of chunks and yields one message at a time, so a mailbox
 * of any size costs one message (capped) plus one chunk of memory.
 *
 * Rules (mboxrd, tolerant of mboxo):
 * - A separator is a line starting with "From " that is either the first line of the file or follows
 *   an empty line and looks like an envelope (has a hh:mm time and a 4-digit year). A body line such
 *   as "From the desk of ..." after a blank line is therefore not a separator.
 * - Lines matching /^>+From / lose one '>' (the writer's escaping).
 * - A message's bytes run from the line after its envelope up to the next separator. Content-Length
 *   (mboxcl2) is not honoured.
 */

const NL = 0x0a;
const CR = 0x0d;
const GT = 0x3e;
const FROM_ = Buffer.from('From ');

/** Longest partial line carried over between chunks; a longer line is passed on in pieces. */
const MAX_CARRY = 64 * 1024;

export interface MboxMessage {
  index: number;
  /** Byte offset in the file of the message's first byte (just after the envelope line). */
  offset: number;
  /** Bytes in the file from `offset` up to the next separator or end of file. */
  length: number;
  /** The "From " envelope line without its line end, or '' when the data did not start with one. */
  envelope: string;
  /** Unescaped message bytes, at most `maxBytes` bytes of the file; empty when content is not kept. */
  raw: Buffer;
  truncated: boolean;
  /** True for the last message of the data: lets callers tell a single-message file from a mailbox. */
  last: boolean;
}

export function startsWithFrom(buf: Uint8Array, at = 0): boolean {
  if (buf.length - at < 5) return false;
  for (let k = 0; k < 5; k++) if (buf[at + k] !== FROM_[k]) return false;
  return true;
}

/** "From sender  Thu Aug 22 12:36:23 2002": a time and a year somewhere after the sender. */
export function looksLikeEnvelope(line: string): boolean {
  return /^From \S+/.test(line) && /\b\d{1,2}:\d{2}/.test(line) && /\b\d{4}\b/.test(line);
}

/** True when the line at [start, end) is ">From ", ">>From ", ... */
function isEscapedFrom(buf: Uint8Array, start: number, end: number): boolean {
  let k = start;
  while (k < end && buf[k] === GT) k++;
  return k > start && end - k >= 5 && startsWithFrom(buf, k);
}

function isBlankLine(buf: Uint8Array, start: number, end: number): boolean {
  const len = end - start;
  return (len === 1 && buf[start] === NL) || (len === 2 && buf[start] === CR && buf[start + 1] === NL);
}

/** Undo ">From " escaping in an in-memory message (used when re-reading a message by its byte range). */
export function unescapeFromLines(buf: Buffer): Buffer {
  let changed = false;
  const parts: Buffer[] = [];
  let lineStart = 0;
  let copyFrom = 0;
  while (lineStart < buf.length) {
    const nl = buf.indexOf(NL, lineStart);
    const end = nl === -1 ? buf.length : nl + 1;
    if (buf[lineStart] === GT && isEscapedFrom(buf, lineStart, end)) {
      parts.push(buf.subarray(copyFrom, lineStart));
      copyFrom = lineStart + 1;
      changed = true;
    }
    lineStart = end;
  }
  if (!changed) return buf;
  parts.push(buf.subarray(copyFrom));
  return Buffer.concat(parts);
}

interface Current {
  index: number;
  offset: number;
  envelope: string;
  parts: Buffer[];
  truncated: boolean;
}

/**
 * Splits mbox data given as chunks. `maxBytes` caps the file bytes kept per message; `keepContent`
 * false only reports offsets (cheap enumeration of a huge mailbox).
 */
export async function* splitMbox(
  chunks: AsyncIterable<Buffer> | Iterable<Buffer>,
  maxBytes: number,
  keepContent = true,
): AsyncGenerator<MboxMessage> {
  let streamPos = 0; // file offset of the next chunk's first byte
  let base = 0; // file offset of buf[0]
  let carry: Buffer | null = null;
  let atLineStart = true;
  let prevBlank = false;
  let firstLine = true;
  let current: Current | null = null;
  let nextIndex = 0;
  let pending: MboxMessage | null = null; // finished, waiting to learn whether it is the last one

  const keep = (buf: Buffer, start: number, end: number) => {
    if (!current) return;
    const fileStart = base + start;
    const allowedEnd = current.offset + maxBytes; // file offset past which nothing is kept
    if (fileStart >= allowedEnd) {
      if (end > start) current.truncated = true;
      return;
    }
    let stop = end;
    if (base + end > allowedEnd) {
      stop = allowedEnd - base;
      current.truncated = true;
    }
    if (keepContent && stop > start) current.parts.push(buf.subarray(start, stop));
  };

  const finish = (endOffset: number): MboxMessage | null => {
    if (!current) return null;
    const message: MboxMessage = {
      index: current.index,
      offset: current.offset,
      length: endOffset - current.offset,
      envelope: current.envelope,
      raw: keepContent ? Buffer.concat(current.parts) : Buffer.alloc(0),
      truncated: current.truncated,
      last: false,
    };
    current = null;
    return message;
  };

  for await (const chunk of chunks) {
    let buf: Buffer;
    if (carry) {
      base = streamPos - carry.length;
      buf = Buffer.concat([carry, chunk]);
      carry = null;
    } else {
      base = streamPos;
      buf = chunk;
    }
    streamPos += chunk.length;
    let i = 0;
    while (i < buf.length) {
      const nl = buf.indexOf(NL, i);
      const complete = nl !== -1;
      const end = complete ? nl + 1 : buf.length;
      if (atLineStart && !complete && end - i < MAX_CARRY) {
        // An incomplete line at a chunk's end might be a separator: decide once it is whole.
        carry = Buffer.from(buf.subarray(i));
        break;
      }
      let contentStart = i;
      if (atLineStart) {
        if (startsWithFrom(buf, i)) {
          const line = buf.toString('latin1', i, nl === -1 ? end : nl).replace(/\r$/, '');
          if (firstLine || (prevBlank && looksLikeEnvelope(line))) {
            const done = finish(base + i);
            if (done) {
              if (pending) yield pending;
              pending = done;
            }
            current = { index: nextIndex++, offset: base + end, envelope: line, parts: [], truncated: false };
            firstLine = false;
            prevBlank = false;
            atLineStart = complete;
            i = end;
            continue;
          }
        }
        if (firstLine) {
          // Data that does not begin with an envelope: one message starting at offset 0.
          current = { index: nextIndex++, offset: base + i, envelope: '', parts: [], truncated: false };
          firstLine = false;
        }
        if (buf[i] === GT && isEscapedFrom(buf, i, end)) {
          // Keep the bytes before the dropped '>' out: the kept range restarts one byte later.
          contentStart = i + 1;
        }
      }
      keep(buf, contentStart, end);
      prevBlank = atLineStart && isBlankLine(buf, i, end);
      atLineStart = complete;
      i = end;
    }
  }
  if (carry) {
    // Last line without a line end.
    const buf: Buffer = carry;
    carry = null;
    base = streamPos - buf.length;
    if (firstLine) {
      const line = buf.toString('latin1');
      current = startsWithFrom(buf)
        ? { index: nextIndex++, offset: base + buf.length, envelope: line, parts: [], truncated: false }
        : { index: nextIndex++, offset: base, envelope: '', parts: [], truncated: false };
      if (!startsWithFrom(buf)) keep(buf, 0, buf.length);
    } else {
      let start = 0;
      if (buf[0] === GT && isEscapedFrom(buf, 0, buf.length)) start = 1;
      keep(buf, start, buf.length);
    }
  }
  const done = finish(streamPos);
  if (pending) {
    if (!done) pending.last = true;
    yield pending;
  }
  if (done) {
    done.last = true;
    yield done;
  }
}
