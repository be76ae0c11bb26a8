/**
 * Message sources: turns paths (.eml files, mbox files, maildirs, plain folders of message files) into
 * a lazy stream of raw messages, one at a time, each with a stable id and a byte-range reference that
 * lets a worker (or a retry after a crash) read the same message again without the parent holding it.
 *
 * Ids: the absolute file path for a file holding one message (including SpamAssassin-style files that
 * start with a "From " envelope line), `path#index` (0-based) for each message of a multi-message mbox.
 *
 * Over-size messages (more than `maxMessageBytes`) are yielded, not refused: `raw` holds the first
 * `maxMessageBytes` bytes and `truncated` is true. Parsing then works on what it has (headers and text
 * come first in practically all mail) and reports W_SOURCE_TRUNCATED.
 */
import { closeSync, createReadStream, fstatSync, openSync, readSync } from 'node:fs';
import { opendir, stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { splitMbox, startsWithFrom, unescapeFromLines } from './mbox.js';
import { defaultEmailOptions } from './options.js';

export interface MessageRef {
  path: string;
  /** 'file': the whole file is one message; 'mbox': a byte range of an mbox file (">From" escaped). */
  format: 'file' | 'mbox';
  offset: number;
  length: number;
  /** Position in the mbox (0-based); 0 for plain files. */
  index: number;
}

export interface SourceMessage {
  kind: 'message';
  id: string;
  ref: MessageRef;
  raw: Buffer;
  /** Size of the message in the file, before any cap. */
  size: number;
  truncated: boolean;
  /** The mbox "From " envelope line, when there was one (its date is a fallback for a missing Date:). */
  envelope?: string;
}

export interface SourceFailure {
  kind: 'error';
  id: string;
  path: string;
  code: 'E_NOT_FOUND' | 'E_UNREADABLE';
  message: string;
}

export type SourceItem = SourceMessage | SourceFailure;

export interface SourceOptions {
  maxMessageBytes?: number;
  /** False yields refs and sizes with an empty `raw` (enumeration for a job store). Default true. */
  withContent?: boolean;
  /**
   * Decides which files met while walking a directory are messages. Files named directly are always
   * read. Default: skip hidden files and files whose extension marks them as documents, archives,
   * images or code (.md, .json, .pdf, .zip, ...). SpamAssassin's .txt messages are read.
   */
  include?: (path: string) => boolean;
  /**
   * Files up to this size are read whole with synchronous calls (one open/fstat/read/close, no thread
   * pool round trips: ~2x faster per message on the corpus) and split in memory; larger files are
   * streamed asynchronously. Default 1 MiB.
   */
  smallFileBytes?: number;
}

const NOT_MAIL_EXTENSIONS = new Set([
  '.md', '.json', '.csv', '.tsv', '.yml', '.yaml', '.xml', '.pdf', '.png', '.jpg', '.jpeg', '.gif', '.webp',
  '.zip', '.gz', '.tgz', '.bz2', '.xz', '.7z', '.tar', '.js', '.mjs', '.cjs', '.ts', '.py', '.sh', '.db',
  '.sqlite', '.log', '.lock', '.index', '.msf', '.dat',
]);

export function defaultInclude(path: string): boolean {
  const name = path.slice(path.lastIndexOf('/') + 1);
  if (name.startsWith('.')) return false;
  return !NOT_MAIL_EXTENSIONS.has(extname(name).toLowerCase());
}

const collator = new Intl.Collator('en', { numeric: true });

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Yields every message under `paths`, in a stable order (paths as given, directory entries sorted). */
export async function* readMessages(paths: string | readonly string[], options: SourceOptions = {}): AsyncGenerator<SourceItem> {
  const list = typeof paths === 'string' ? [paths] : paths;
  for (const input of list) {
    const full = resolve(input);
    let info;
    try {
      info = await stat(full);
    } catch (error) {
      yield { kind: 'error', id: full, path: full, code: 'E_NOT_FOUND', message: `cannot open ${full}: ${errorText(error)}` };
      continue;
    }
    if (info.isDirectory()) yield* readDirectory(full, options);
    else if (info.isFile()) yield* readFileMessages(full, options);
    // A named pipe with no writer would block the read forever; a device has no size to read by.
    else yield { kind: 'error', id: full, path: full, code: 'E_NOT_FOUND', message: `${full} is not a regular file or a folder (a device, pipe or socket): give a mailbox, a message file or a folder` };
  }
}

async function isMaildir(dir: string): Promise<boolean> {
  try {
    const [cur, nw] = await Promise.all([stat(join(dir, 'cur')), stat(join(dir, 'new'))]);
    return cur.isDirectory() && nw.isDirectory();
  } catch {
    return false;
  }
}

interface Entry {
  name: string;
  dir: boolean;
  file: boolean;
  link: boolean;
}

async function listDirectory(dir: string): Promise<Entry[]> {
  const entries: Entry[] = [];
  const handle = await opendir(dir);
  for await (const dirent of handle) {
    // Symlinked directories are not followed (no loops); symlinked files are read.
    entries.push({ name: dirent.name, dir: dirent.isDirectory(), file: dirent.isFile() || dirent.isSymbolicLink(), link: dirent.isSymbolicLink() });
  }
  entries.sort((a, b) => collator.compare(a.name, b.name));
  return entries;
}

async function* readDirectory(dir: string, options: SourceOptions): AsyncGenerator<SourceItem> {
  const include = options.include ?? defaultInclude;
  let entries: Entry[];
  try {
    entries = await listDirectory(dir);
  } catch (error) {
    yield { kind: 'error', id: dir, path: dir, code: 'E_UNREADABLE', message: `cannot list ${dir}: ${errorText(error)}` };
    return;
  }
  if (await isMaildir(dir)) {
    // Maildir: delivered mail is in new/ and cur/; tmp/ holds deliveries still being written.
    for (const sub of ['new', 'cur']) yield* readDirectory(join(dir, sub), options);
    // Maildir++ keeps subfolders as hidden maildirs (".Sent", ".Archive").
    for (const entry of entries) {
      if (entry.dir && entry.name.startsWith('.') && entry.name !== '.' && entry.name !== '..') {
        const sub = join(dir, entry.name);
        if (await isMaildir(sub)) yield* readDirectory(sub, options);
      }
    }
    return;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.dir) {
      if (!entry.name.startsWith('.')) yield* readDirectory(path, options);
      continue;
    }
    if (!entry.file || !include(path)) continue;
    if (entry.link) {
      try {
        if (!(await stat(path)).isFile()) continue;
      } catch (error) {
        yield { kind: 'error', id: path, path, code: 'E_UNREADABLE', message: `cannot read ${path}: ${errorText(error)}` };
        continue;
      }
    }
    yield* readFileMessages(path, options);
  }
}

/**
 * Reads up to `bytes` bytes from `position` with synchronous calls; returns the bytes and the file size.
 * `bytes` may depend on the file's size (known only once the file is open).
 */
function readSyncRange(path: string, position: number, bytes: number | ((size: number) => number)): { data: Buffer; size: number } {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const want = Math.max(0, Math.min(typeof bytes === 'number' ? bytes : bytes(size), size - position));
    const data = Buffer.allocUnsafe(want);
    let got = 0;
    while (got < want) {
      const n = readSync(fd, data, got, want - got, position + got);
      if (n === 0) break;
      got += n;
    }
    return { data: got === want ? data : data.subarray(0, got), size };
  } finally {
    closeSync(fd);
  }
}

async function* readFileMessages(path: string, options: SourceOptions): AsyncGenerator<SourceItem> {
  const maxBytes = options.maxMessageBytes ?? defaultEmailOptions.maxMessageBytes;
  const withContent = options.withContent ?? true;
  const smallFile = Math.min(options.smallFileBytes ?? 1024 * 1024, maxBytes);
  try {
    // One synchronous read covers every small file (and tells the size of a big one). Without content a
    // small file is still read whole: if it starts like an mbox (as SpamAssassin's files do) it is split
    // in memory, ~4x cheaper than streaming it. Of a big file only the first line's start is needed.
    const first = readSyncRange(path, 0, (size) => (withContent || size <= smallFile ? smallFile + 1 : 5));
    const size = first.size;
    const whole = size <= smallFile ? first.data : null;
    const mbox = startsWithFrom(first.data);
    if (!mbox) {
      let raw: Buffer = Buffer.alloc(0);
      if (withContent) raw = whole ?? readSyncRange(path, 0, maxBytes).data;
      yield {
        kind: 'message',
        id: path,
        ref: { path, format: 'file', offset: 0, length: size, index: 0 },
        raw,
        size,
        truncated: size > maxBytes,
      };
      return;
    }
    const chunks: AsyncIterable<Buffer> | Iterable<Buffer> = whole ? [whole] : createReadStream(path, { highWaterMark: 256 * 1024 });
    let single = true;
    for await (const part of splitMbox(chunks, maxBytes, withContent)) {
      if (!(part.index === 0 && part.last)) single = false;
      const item: SourceMessage = {
        kind: 'message',
        id: single ? path : `${path}#${part.index}`,
        ref: { path, format: 'mbox', offset: part.offset, length: part.length, index: part.index },
        raw: part.raw,
        size: part.length,
        truncated: part.truncated,
      };
      if (part.envelope) item.envelope = part.envelope;
      yield item;
    }
  } catch (error) {
    yield { kind: 'error', id: path, path, code: 'E_UNREADABLE', message: `cannot read ${path}: ${errorText(error)}` };
  }
}

/**
 * Reads one message again from its reference (for a worker that was handed only the ref, or a retry).
 * The id is rebuilt the way `readMessages` builds it only for plain files; pass `id` to keep an mbox id.
 */
export async function readMessageRef(ref: MessageRef, options: { maxMessageBytes?: number; id?: string } = {}): Promise<SourceItem> {
  const maxBytes = options.maxMessageBytes ?? defaultEmailOptions.maxMessageBytes;
  const id = options.id ?? (ref.format === 'file' ? ref.path : `${ref.path}#${ref.index}`);
  try {
    const length = ref.format === 'file' ? null : ref.length;
    const { data, size } = readSyncRange(ref.path, ref.offset, Math.min(length ?? maxBytes, maxBytes));
    const messageLength = length ?? size;
    const raw = ref.format === 'mbox' ? unescapeFromLines(data) : data;
    const item: SourceMessage = { kind: 'message', id, ref: { ...ref, length: messageLength }, raw, size: messageLength, truncated: messageLength > maxBytes };
    if (ref.format === 'mbox' && ref.offset > 0) {
      // The envelope is the line just before the message (its date stands in for a missing Date:).
      const before = readSyncRange(ref.path, Math.max(0, ref.offset - 1024), Math.min(1024, ref.offset)).data.toString('latin1').replace(/\r?\n$/, '');
      const line = before.slice(before.lastIndexOf('\n') + 1);
      if (line.startsWith('From ')) item.envelope = line;
    }
    return item;
  } catch (error) {
    const code = (error as { code?: string }).code === 'ENOENT' ? 'E_NOT_FOUND' : 'E_UNREADABLE';
    return { kind: 'error', id, path: ref.path, code, message: `cannot read ${ref.path}: ${errorText(error)}` };
  }
}
