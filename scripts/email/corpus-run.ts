/**
 * Runs the email analysis in-process over a corpus and reports throughput, memory and outcome counts.
 *
 *   npx tsc -p tsconfig.json && node dist/scripts/email/corpus-run.js [path ...] [--out results.jsonl] [--limit N]
 *
 * Default path: ../shared/emails next to the repository. Memory is this process's current RSS
 * (VmRSS from /proc/self/status, sampled every 250 ms and after each message; there are no children).
 * Results are streamed to --out as JSON lines when given, never kept in memory.
 */
import { createWriteStream, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyzeMessage } from '../../src/email/analyze.js';
import { getNlp } from '../../src/email/nlp.js';
import { readMessages } from '../../src/email/sources.js';

function rssMb(): number {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(status);
    if (m) return parseInt(m[1]!, 10) / 1024;
  } catch {
    // not Linux
  }
  return process.memoryUsage().rss / 1024 / 1024;
}

function findRepoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    try {
      readFileSync(resolve(dir, 'package.json'));
      return dir;
    } catch {
      dir = dirname(dir);
    }
  }
  return process.cwd();
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const paths: string[] = [];
  let out: string | undefined;
  let limit = Number.POSITIVE_INFINITY;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--out') out = args[++i];
    else if (arg === '--limit') limit = parseInt(args[++i] ?? '', 10);
    else paths.push(arg);
  }
  if (paths.length === 0) paths.push(process.env.KEEL_SHARED_DIR ? resolve(process.env.KEEL_SHARED_DIR, 'emails') : resolve(findRepoRoot(), '..', 'shared', 'emails'));

  const rssStart = rssMb();
  const loadStart = performance.now();
  getNlp();
  const loadMs = performance.now() - loadStart;
  const rssAfterLoad = rssMb();
  let peak = rssAfterLoad;
  const timer = setInterval(() => {
    peak = Math.max(peak, rssMb());
  }, 250);
  timer.unref();

  const sink = out ? createWriteStream(out) : null;
  const errors = new Map<string, number>();
  const warnings = new Map<string, number>();
  const flags = { bulk: 0, automated: 0, truncated: 0, html: 0, quotedFocus: 0, withDeadline: 0, withQuestion: 0 };
  const urgency = new Map<string, number>();
  let count = 0;
  let ok = 0;
  let bytes = 0;
  let analysisMs = 0;
  let slowest = { id: '', ms: 0 };
  const rssCurve: number[] = [];
  const started = performance.now();
  const cpuStart = process.cpuUsage();
  for await (const item of readMessages(paths)) {
    if (count >= limit) break;
    count++;
    if (item.kind === 'message') bytes += item.raw.length;
    const t0 = performance.now();
    const result = await analyzeMessage(item);
    const ms = performance.now() - t0;
    analysisMs += ms;
    if (ms > slowest.ms) slowest = { id: item.id, ms };
    if (result.ok) {
      ok++;
      for (const w of result.warnings) warnings.set(w.code, (warnings.get(w.code) ?? 0) + 1);
      if (result.bulk.isBulk) flags.bulk++;
      if (result.bulk.isAutomated) flags.automated++;
      if (result.truncated) flags.truncated++;
      if (result.text.source === 'html') flags.html++;
      if (result.text.focus === 'quoted') flags.quotedFocus++;
      if (result.deadlines.length > 0) flags.withDeadline++;
      if (result.questions.length > 0) flags.withQuestion++;
      urgency.set(result.urgency.level, (urgency.get(result.urgency.level) ?? 0) + 1);
    } else {
      errors.set(result.code, (errors.get(result.code) ?? 0) + 1);
    }
    if (sink && !sink.write(JSON.stringify(result) + '\n')) await new Promise<void>((r) => sink.once('drain', () => r()));
    if (count % 1000 === 0) {
      const rss = rssMb();
      peak = Math.max(peak, rss);
      rssCurve.push(Math.round(rss));
    }
  }
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  clearInterval(timer);
  peak = Math.max(peak, rssMb());
  if (sink) await new Promise<void>((r) => sink.end(() => r()));

  const report = {
    paths,
    messages: count,
    ok,
    errors: Object.fromEntries(errors),
    warnings: Object.fromEntries([...warnings].sort((a, b) => b[1] - a[1])),
    flags,
    urgency: Object.fromEntries(urgency),
    megabytes: Math.round(bytes / 1e5) / 10,
    modelLoadMs: Math.round(loadMs),
    wallSeconds: Math.round(wallMs / 10) / 100,
    messagesPerSecond: Math.round(count / (wallMs / 1000)),
    // CPU time is the fairer measure on a shared machine: wall time includes waiting for other processes.
    cpuSeconds: Math.round(cpuSeconds * 100) / 100,
    messagesPerCpuSecond: Math.round(count / cpuSeconds),
    analysisMsPerMessage: Math.round((analysisMs / Math.max(1, count)) * 1000) / 1000,
    slowest: { id: slowest.id, ms: Math.round(slowest.ms) },
    rssMb: { start: Math.round(rssStart), afterModelLoad: Math.round(rssAfterLoad), peak: Math.round(peak), end: Math.round(rssMb()), everyThousand: rssCurve },
  };
  console.log(JSON.stringify(report, null, 2));
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
