import { closeSync, openSync, readSync, readdirSync } from 'node:fs';

/**
 * Reads of /proc. Keel measures memory as the resident set of the whole process tree
 * (parent + workers + whatever they spawn, e.g. a native tesseract per page), because heap
 * numbers miss WASM memories, malloc arenas and child processes.
 */

export interface ProcessInfo {
  pid: number;
  ppid: number;
  name: string;
  rssBytes: number;
}

/** One buffer for every read below: they are synchronous, so no two are ever in flight. */
let procBuffer = Buffer.allocUnsafe(8192);

/**
 * The text of a /proc file, or undefined if it cannot be read (the process is gone). The pool and the
 * monitor read a status or stat file per process several times a second, and readFileSync costs 2-3x as
 * much here (it fstat()s, reads again to find the end of a file whose size reads 0, and allocates a
 * buffer per call): a walk over 63 processes took 1.5-2.2 ms of CPU with it, 0.7-0.8 ms with this.
 */
export function readProcText(path: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    let length = 0;
    for (;;) {
      if (length === procBuffer.length) {
        const larger = Buffer.allocUnsafe(procBuffer.length * 2);
        procBuffer.copy(larger, 0, 0, length);
        procBuffer = larger;
      }
      const read = readSync(fd, procBuffer, length, procBuffer.length - length, null);
      if (read === 0) break;
      length += read;
    }
    return procBuffer.toString('latin1', 0, length);
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** Current resident set size of one process in bytes, or undefined if it is gone. */
export function readRssBytes(pid: number): number | undefined {
  const status = readProcText(`/proc/${pid}/status`);
  return status === undefined ? undefined : vmRssBytes(status);
}

/** VmRSS of a status file's text. Zombies and kernel threads have no VmRSS line: they hold no user memory. */
function vmRssBytes(status: string): number {
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  return match ? Number(match[1]) * 1024 : 0;
}

function readStat(pid: number): { ppid: number; name: string } | undefined {
  const stat = readProcText(`/proc/${pid}/stat`);
  if (stat === undefined) return undefined;
  // The command name sits in parentheses and may itself contain spaces or ')'.
  const open = stat.indexOf('(');
  const close = stat.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const fields = stat.slice(close + 2).split(' ');
  return { name: stat.slice(open + 1, close), ppid: Number(fields[1]) };
}

/** Parent pid of every live process (one pass over /proc). */
export function readParentMap(): Map<number, { ppid: number; name: string }> {
  const map = new Map<number, { ppid: number; name: string }>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return map;
  }
  for (const entry of entries) {
    const code = entry.charCodeAt(0);
    if (code < 48 || code > 57) continue;
    const pid = Number(entry);
    const stat = readStat(pid);
    if (stat) map.set(pid, stat);
  }
  return map;
}

/**
 * The children of every thread of `pid` (a child is listed under the thread that forked it: in node,
 * a worker thread's child_process is not the main thread's child), or undefined if `pid` is gone.
 */
function readChildren(pid: number): number[] | undefined {
  let threads: string[];
  try {
    threads = readdirSync(`/proc/${pid}/task`);
  } catch {
    return undefined;
  }
  const children: number[] = [];
  for (const tid of threads) {
    const text = readProcText(`/proc/${pid}/task/${tid}/children`);
    if (!text) continue;
    for (const field of text.split(' ')) if (field.length > 0) children.push(Number(field));
  }
  return children;
}

/**
 * How a process tree's members are found:
 * - 'children': from each member's /proc/<pid>/task/<tid>/children files, so the cost follows the size
 *   of the tree (a few processes of ~7-11 threads each), not the number of processes on the host;
 * - 'scan': one stat file for every process on the host, to learn its parent. The fallback for kernels
 *   built without CONFIG_PROC_CHILDREN.
 */
export type TreeWalk = 'children' | 'scan';

let childrenFilesReadable: boolean | undefined;

/** 'children' where this kernel has the children files, else 'scan'. */
export function defaultTreeWalk(): TreeWalk {
  childrenFilesReadable ??= readProcText(`/proc/${process.pid}/task/${process.pid}/children`) !== undefined;
  return childrenFilesReadable ? 'children' : 'scan';
}

/**
 * Finds the members of process trees. A 'scan' finder reads /proc once, on first use, and answers
 * every tree from that one reading, so a sample of several trees costs one scan.
 */
export class TreeFinder {
  private childrenOfParent: Map<number, number[]> | undefined;

  constructor(readonly walk: TreeWalk = defaultTreeWalk()) {}

  /** Pids of `rootPid` and all its descendants, root first (the root even if it is gone). */
  descendants(rootPid: number): number[] {
    const result: number[] = [];
    const stack = [rootPid];
    const seen = new Set<number>();
    while (stack.length > 0) {
      const pid = stack.pop()!;
      if (seen.has(pid)) continue;
      seen.add(pid);
      result.push(pid);
      for (const child of this.childrenOf(pid)) stack.push(child);
    }
    return result;
  }

  private childrenOf(pid: number): number[] {
    if (this.walk === 'children') return readChildren(pid) ?? [];
    if (!this.childrenOfParent) {
      this.childrenOfParent = new Map();
      for (const [child, { ppid }] of readParentMap()) {
        const list = this.childrenOfParent.get(ppid);
        if (list) list.push(child);
        else this.childrenOfParent.set(ppid, [child]);
      }
    }
    return this.childrenOfParent.get(pid) ?? [];
  }
}

/** Pids of `rootPid` and all its descendants, root first. */
export function listDescendants(rootPid: number, finder = new TreeFinder()): number[] {
  return finder.descendants(rootPid);
}

export interface TreeRss {
  totalBytes: number;
  processes: ProcessInfo[];
}

/** Name, parent and resident set of one process from its status file, or undefined if it is gone. */
function readProcessInfo(pid: number): ProcessInfo | undefined {
  const status = readProcText(`/proc/${pid}/status`);
  if (status === undefined) return undefined;
  return {
    pid,
    ppid: Number(/^PPid:\s+(\d+)/m.exec(status)?.[1] ?? 0),
    name: /^Name:\t(.*)$/m.exec(status)?.[1] ?? '?',
    rssBytes: vmRssBytes(status),
  };
}

/** Sum of VmRSS over `rootPid` and every descendant. Processes that vanish mid-read are left out. */
export function readTreeRss(rootPid: number, finder = new TreeFinder()): TreeRss {
  const processes: ProcessInfo[] = [];
  let totalBytes = 0;
  for (const pid of finder.descendants(rootPid)) {
    const info = readProcessInfo(pid);
    if (info === undefined) continue;
    processes.push(info);
    totalBytes += info.rssBytes;
  }
  return { totalBytes, processes };
}

/** Whether a process exists (and is not a zombie). */
export function isProcessAlive(pid: number): boolean {
  const status = readProcText(`/proc/${pid}/status`);
  return status !== undefined && !/^State:\s+Z/m.test(status);
}

/**
 * Tree RSS for frequent callers (one reading per HTTP request): the list of pids in the tree is
 * refreshed at most every `refreshMs`, so most readings open a handful of status files instead of
 * walking the tree (or, without children files, all of /proc). A process started since the last
 * refresh is counted from the next one.
 */
export class CachedTreeRssReader {
  private pids: number[] = [];
  private refreshedAt = 0;

  constructor(
    private readonly rootPid: number,
    private readonly refreshMs = 500,
  ) {}

  read(): number {
    const now = Date.now();
    if (now - this.refreshedAt > this.refreshMs) {
      this.pids = listDescendants(this.rootPid);
      this.refreshedAt = now;
    }
    let total = 0;
    for (const pid of this.pids) total += readRssBytes(pid) ?? 0;
    return total;
  }
}
