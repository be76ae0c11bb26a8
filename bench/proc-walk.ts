/**
 * Benchmark: the CPU cost of one tree RSS reading (what the pool's sample and the memory monitor do
 * several times a second) when the tree's members are found from /proc/<pid>/task/<tid>/children files,
 * against the baseline of a scan of every process's stat file, side by side in one run, with more and
 * more unrelated processes on the host.
 *
 *   npm run bench:proc -- [--extra 0,1000,4000] [--calls 200] [--rounds 3]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import { readTreeRss, TreeFinder, defaultTreeWalk, type TreeWalk } from '../src/core/memory/proc.js';
import { describeMachine } from './lib/machine.js';
import { argValue, exitOnHelp, markdownTable, updateBenchmarksMd } from './lib/report.js';

exitOnHelp(`
Tree RSS reading: children files against a scan of /proc, with N unrelated idle processes on the host.
Rewrites its BENCHMARKS.md section.

  npm run bench:proc -- [--extra 0,1000,4000] [--calls 200] [--rounds 3]
`);

const extraLevels = argValue('extra', '0,1000,4000').split(',').map(Number);
const calls = Number(argValue('calls', '200'));
const rounds = Number(argValue('rounds', '3'));
const command = `npm run bench:proc -- --extra ${extraLevels.join(',')} --calls ${calls} --rounds ${rounds}`;

if (defaultTreeWalk() !== 'children') {
  console.error('this kernel has no /proc/<pid>/task/<tid>/children files (CONFIG_PROC_CHILDREN): Keel scans /proc here, nothing to compare');
  process.exit(2);
}

/** A tree shaped like keel's: this process, two node workers, one of them running a child of its own. */
async function startTree(): Promise<{ workers: ChildProcess[]; grandchild: number }> {
  const idle = 'setInterval(() => {}, 1000)';
  const plain = spawn(process.execPath, ['-e', `console.log('up'); ${idle}`], { stdio: ['ignore', 'pipe', 'inherit'] });
  const withChild = spawn(process.execPath, ['-e', `console.log(require('node:child_process').spawn('sleep', ['3600'], { stdio: 'ignore' }).pid); ${idle}`], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [, [grandchild]] = await Promise.all([once(plain.stdout!, 'data'), once(withChild.stdout!, 'data')]);
  return { workers: [plain, withChild], grandchild: Number(String(grandchild).trim()) };
}

/** Idle processes outside the tree: their shell exits at once, so they are re-parented away from us. */
async function startUnrelated(count: number): Promise<number[]> {
  if (count === 0) return [];
  const shell = spawn('sh', ['-c', `i=0; while [ $i -lt ${count} ]; do sleep 3600 </dev/null >/dev/null 2>&1 & echo $!; i=$((i+1)); done`], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  shell.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  await once(shell, 'exit');
  return out.split('\n').filter(Boolean).map(Number);
}

function stopAll(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

function hostProcessCount(): number {
  return readdirSync('/proc').filter((entry) => /^\d+$/.test(entry)).length;
}

/** CPU time (user + system, ms) of one reading, averaged over `calls` readings. */
function cpuPerReading(walk: TreeWalk): { ms: number; members: number[] } {
  let members: number[] = [];
  const before = process.cpuUsage();
  for (let i = 0; i < calls; i++) members = readTreeRss(process.pid, new TreeFinder(walk)).processes.map((p) => p.pid);
  const used = process.cpuUsage(before);
  return { ms: (used.user + used.system) / 1000 / calls, members: members.sort((a, b) => a - b) };
}

const tree = await startTree();
const started: number[] = [];
const rows: Array<Array<string | number>> = [];
const summary: string[] = [];
try {
  for (const extra of extraLevels) {
    const batch = await startUnrelated(extra - started.length);
    started.push(...batch);
    const host = hostProcessCount();
    const scan: number[] = [];
    const children: number[] = [];
    let treeSize = 0;
    for (let round = 0; round < rounds; round++) {
      // Interleaved, so a change in the machine's speed touches both alike.
      const a = cpuPerReading('scan');
      const b = cpuPerReading('children');
      if (a.members.join() !== b.members.join()) throw new Error(`the two walks disagree: scan ${a.members.join()} / children ${b.members.join()}`);
      treeSize = b.members.length;
      scan.push(a.ms);
      children.push(b.ms);
    }
    const best = (values: number[]) => Math.min(...values);
    const ratio = best(scan) / best(children);
    const range = (values: number[]) => values.map((v) => v.toFixed(3)).join(' / ');
    rows.push([host, treeSize, range(scan), range(children), `${ratio.toFixed(1)}x`]);
    summary.push(`${host} processes: scan ${best(scan).toFixed(3)} ms, children ${best(children).toFixed(3)} ms (${ratio.toFixed(1)}x)`);
    console.log(summary[summary.length - 1]);
  }
} finally {
  // The grandchild first: killing its parent alone would leave it running, re-parented away.
  stopAll([tree.grandchild, ...started]);
  for (const child of tree.workers) child.kill('SIGKILL');
}

const table = markdownTable(
  ['processes on the host', 'processes in the tree', 'scan of /proc (baseline): ms CPU per reading, each round', 'children files: ms CPU per reading, each round', 'scan / children (best rounds)'],
  rows,
);
const markdown = `## Tree RSS reading: children files against a scan of /proc

One \`readTreeRss\` of a keel-shaped tree (this process, two node workers, one with a child of its own),
as the pool's 250 ms sample and the memory monitor make it, with unrelated idle processes added to the host.
CPU time (user + system) per reading, averaged over ${calls} readings, ${rounds} interleaved rounds per method;
both methods found the same members in every round.
Measured ${new Date().toISOString().slice(0, 10)} on ${describeMachine()}. Command: \`${command}\`.

${table}

The scan reads a stat file for every process on the host, so its cost grows with the host; the children
files follow the tree (a directory listing and one file per thread of each member), so theirs does not.`;
console.log('\n' + table + `\n\nreproduce: ${command}`);
updateBenchmarksMd('proc-walk', markdown);
