/**
 * A cheap look at the start of an uploaded file: does it look like mail at all (an mbox "From "
 * envelope, or a header line)? A PDF or a zip sent to the mailbox route is then refused at once
 * with a clear message instead of becoming a job with one unparseable "message".
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { startsWithFrom } from './mbox.js';

const HEADER_LINE = /^[!-9;-~]{1,76}:/;

export function looksLikeMail(head: Uint8Array): boolean {
  let start = 0;
  // A UTF-8 byte order mark, then blank lines, may precede the first header.
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) start = 3;
  while (start < head.length && (head[start] === 0x0a || head[start] === 0x0d || head[start] === 0x20 || head[start] === 0x09)) start++;
  if (startsWithFrom(head, start)) return true;
  const firstLine = Buffer.from(head.buffer, head.byteOffset + start, Math.min(head.length - start, 200)).toString('latin1');
  return HEADER_LINE.test(firstLine);
}

/** Reads the first few KB of a file and applies `looksLikeMail`. */
export function fileLooksLikeMail(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(4096);
    const read = readSync(fd, head, 0, head.length, 0);
    return looksLikeMail(head.subarray(0, read));
  } finally {
    closeSync(fd);
  }
}
