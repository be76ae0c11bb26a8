import { readFileSync } from 'node:fs';

/**
 * The memory limit the kernel enforces on this process's cgroup, if any. A container started
 * with `--memory 512m` shows up here; "no limit" is reported as a huge number, which we ignore.
 */
export function readCgroupMemoryLimit(): number | undefined {
  const candidates: string[] = [];
  try {
    for (const line of readFileSync('/proc/self/cgroup', 'utf8').split('\n')) {
      const [, controllers, path] = line.split(':');
      if (path === undefined) continue;
      if (controllers === '') candidates.push(`/sys/fs/cgroup${path}/memory.max`, '/sys/fs/cgroup/memory.max');
      if (controllers?.split(',').includes('memory')) {
        candidates.push(`/sys/fs/cgroup/memory${path}/memory.limit_in_bytes`, '/sys/fs/cgroup/memory/memory.limit_in_bytes');
      }
    }
  } catch {
    return undefined;
  }
  for (const file of candidates) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8').trim();
    } catch {
      continue;
    }
    if (text === 'max') continue;
    const bytes = Number(text);
    // cgroup v1 reports "unlimited" as a page-rounded 2^63; anything above 1 PiB means no limit.
    if (Number.isFinite(bytes) && bytes > 0 && bytes < 2 ** 50) return bytes;
  }
  return undefined;
}
