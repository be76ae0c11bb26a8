/**
 * Soak: hours of mixed work compressed into a bounded run, through ONE `keel serve` process, with
 * faults on a schedule. Scanned deed pages (real dev deeds, made unique per upload so the OCR cache
 * cannot help), text-layer pages and a mailbox of real messages are submitted over HTTP, keeping the
 * server busy. Every few seconds a random worker is SIGKILLed; once, mid-run, the server itself is
 * SIGKILLed and restarted on the same data directory (a quarter of the way in, so the second half,
 * where the slope is measured, is past the restarted server's warm-up). The process-tree RSS is recorded every second.
 * Every `--quiet-every` of load the soak stops submitting, lets the jobs finish and the server retire its idle
 * pools, and samples the tree at rest for 30 s: under load the tree swings by hundreds of MB as workers come
 * and go, which hides a slow trend; at rest it should be the server alone, at the same size each time.
 * At the end every job is checked in the SQLite store: no unit lost, none stored twice.
 *
 *   npm run bench:soak -- [--duration 10m] [--kill-every 45] [--budget 512MB] [--quiet-every 10m]
 *   npm run bench:soak -- --duration 8h          (the 8-hour run)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import Database from 'better-sqlite3';
import { KEEL_PROCESS_V8_FLAGS } from '../src/cli/v8-flags.js';
import { readTreeRss } from '../src/core/memory/proc.js';
import { parseByteSize } from '../src/core/memory/size.js';
import { writeChart, type ChartMarker } from './lib/chart.js';
import { onLogRecords } from './lib/log-records.js';
import { describeMachine } from './lib/machine.js';
import { argValue, exitOnHelp, benchOutDir, markdownTable, repoRoot, updateBenchmarksMd, writeBenchFile } from './lib/report.js';
import { growthVerdict, slopeOfGroupMeans, slopeWithInterval } from './lib/series.js';
import { buildTextLayerBook } from './lib/text-layer-book.js';

exitOnHelp(`
Soak: mixed deed and email work through one keel serve, with worker kills and a server restart;
tree RSS every second, lost and duplicated units counted. Every --quiet-every of load, a pause: jobs
finish, idle pools retire, and the tree is sampled at rest. Rewrites its BENCHMARKS.md section.

  npm run bench:soak -- [--duration 10m] [--kill-every 45] [--budget 512MB] [--quiet-every 10m]
  npm run bench:soak -- --duration 8h          the 8-hour run
`);

const MiB = 1024 ** 2;
const KEY = 'soak-key';
const durationText = argValue('duration', '10m');
const killEverySeconds = Number(argValue('kill-every', '45'));
const budgetText = argValue('budget', '512MB');
const budgetMb = parseByteSize(budgetText) / MiB;
const quietEveryText = argValue('quiet-every', '10m');
const command = `npm run bench:soak -- --duration ${durationText} --kill-every ${killEverySeconds} --budget ${budgetText} --quiet-every ${quietEveryText}`;
const sharedDir = join(repoRoot, '..', 'shared');

function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(s|m|h)?$/.exec(text.trim());
  if (!match) throw new Error(`--duration: use a number with s, m or h (got "${text}")`);
  return Number(match[1]) * ({ s: 1, m: 60, h: 3600 }[match[2] as 's' | 'm' | 'h'] ?? 1) * 1000;
}
const durationMs = parseDuration(durationText);
const quietEveryMs = parseDuration(quietEveryText);
/** How long the tree is sampled at rest at each quiet checkpoint. */
const REST_SECONDS = 30;

// ---- inputs --------------------------------------------------------------------------------

const workDir = join(benchOutDir, 'soak');
mkdirSync(workDir, { recursive: true });

function listFiles(dir: string, accept: (name: string) => boolean): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? listFiles(path, accept) : accept(name) ? [path] : [];
    });
}

/** An mbox of real messages: SpamAssassin files already start with "From "; Enron ones get an envelope. */
function buildMailbox(messages: number): { path: string; count: number } {
  const path = join(workDir, `mailbox-${messages}.mbox`);
  if (existsSync(path)) return { path, count: messages };
  const files = [...listFiles(join(sharedDir, 'emails', 'spamassassin'), () => true).slice(0, messages / 2), ...listFiles(join(sharedDir, 'emails', 'enron'), () => true).slice(0, messages / 2)];
  writeFileSync(path, '');
  for (const file of files) {
    let raw = readFileSync(file, 'latin1').replace(/\r\n/g, '\n');
    if (!raw.startsWith('From ')) raw = 'From soak@keel.invalid Thu Jan  1 00:00:00 2001\n' + raw;
    // mboxrd: body lines that look like envelopes are quoted.
    const [envelope, ...rest] = raw.split('\n');
    appendFileSync(path, [envelope, ...rest.map((line) => (/^>*From /.test(line) ? '>' + line : line))].join('\n').replace(/\n*$/, '\n\n'), 'latin1');
  }
  return { path, count: files.length };
}

// ---- server process --------------------------------------------------------------------------

interface Server {
  child: ChildProcess;
  url: string;
}

const events: Array<{ t: number; kind: 'recycle' | 'kill' | 'worker-killed-by-soak' | 'server-restart' | 'at-rest' }> = [];
/** How far past its hard limit each worker the backstop killed had got (MB), from the server's kill lines. */
const backstopOvershootsMb: number[] = [];
const started = Date.now();
const now = () => (Date.now() - started) / 1000;

let serverStarts = 0;

async function startServer(dataDir: string): Promise<Server> {
  const child = spawn(process.execPath, [...KEEL_PROCESS_V8_FLAGS, join(repoRoot, 'dist', 'src', 'cli', 'main.js'), 'serve', '--port', '0', '--data-dir', dataDir, '--log-format', 'json', '--memory-budget', budgetText], {
    env: { ...process.env, KEEL_API_KEYS: KEY },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const log = join(workDir, `server-${++serverStarts}.log`);
  writeFileSync(log, '');
  child.stdout!.on('data', (chunk: Buffer) => appendFileSync(log, chunk));
  let resolveUrl: (url: string) => void;
  const url = new Promise<string>((resolve) => (resolveUrl = resolve));
  onLogRecords(child.stdout!, (record) => {
    if (record.event === 'listening' && record.url) resolveUrl(record.url);
    if (record.event === 'recycle') events.push({ t: now(), kind: 'recycle' });
    if (record.event === 'kill') {
      events.push({ t: now(), kind: 'kill' });
      const past = /RSS (\d+) MB above hard limit (\d+) MB/.exec(record.msg ?? '');
      if (past) backstopOvershootsMb.push(Number(past[1]) - Number(past[2]));
    }
  });
  return { child, url: await url };
}

async function api(server: Server, path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${KEY}`);
  return fetch(server.url + path, { ...init, headers });
}

async function upload(server: Server, route: string, file: string, name: string, fields: Record<string, string>): Promise<string | undefined> {
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) form.set(key, value);
  form.set('file', new Blob([readFileSync(file)]), name);
  try {
    const response = await api(server, route, { method: 'POST', body: form });
    if (response.status !== 202) return undefined;
    return ((await response.json()) as { id: string }).id;
  } catch {
    return undefined; // the server is being restarted
  }
}

// ---- the run ---------------------------------------------------------------------------------

if (!existsSync(join(sharedDir, 'deeds', 'dev')) || !existsSync(join(sharedDir, 'emails'))) {
  console.error(`skipped: the soak needs ../shared/deeds/dev and ../shared/emails (${sharedDir})`);
  process.exit(process.env.KEEL_REQUIRE_SHARED === '1' ? 1 : 0);
}

const scanned = listFiles(join(sharedDir, 'deeds', 'dev'), (name) => name.endsWith('.pdf'));
const textBook = buildTextLayerBook(join(workDir, 'text-layer-40.pdf'), 40);
const mailbox = buildMailbox(400);
const dataDir = mkdtempSync(join(tmpdir(), 'keel-soak-'));
let server = await startServer(dataDir);
console.log(`soak: ${durationText} against ${server.url}, budget ${budgetText}, worker kill every ${killEverySeconds} s, one server restart at a quarter of the run`);

interface Sample {
  t: number;
  treeMb: number;
  serverMb: number;
  workersMb: number;
  processes: number;
  /** Under load, or in a quiet checkpoint (draining, waiting for pools to retire, or at rest). */
  phase: 'load' | 'quiet';
  /** The checkpoint this sample was taken at rest in, if any. */
  atRest?: number;
}
const samples: Sample[] = [];
let phase: Sample['phase'] = 'load';
let restingIn: number | undefined;
const sampler = setInterval(() => {
  const pid = server.child.pid;
  if (!pid || server.child.exitCode !== null) return;
  const tree = readTreeRss(pid);
  const serverMb = (tree.processes.find((p) => p.pid === pid)?.rssBytes ?? 0) / MiB;
  samples.push({ t: now(), treeMb: tree.totalBytes / MiB, serverMb, workersMb: tree.totalBytes / MiB - serverMb, processes: tree.processes.length, phase, atRest: restingIn });
}, 1000);

const submitted: Array<{ id: string; kind: 'scanned' | 'text-layer' | 'mailbox' }> = [];
let uploads = 0;
let workerKills = 0;
let restarted = false;

async function activeJobs(): Promise<number> {
  try {
    const { jobs } = (await (await api(server, '/v1/jobs')).json()) as { jobs: Array<{ status: string }> };
    return jobs.filter((job) => job.status === 'queued' || job.status === 'running').length;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

async function submitNext(): Promise<void> {
  const turn = uploads++;
  const kind = turn % 5 === 4 ? 'mailbox' : turn % 5 === 2 ? 'text-layer' : 'scanned';
  let id: string | undefined;
  if (kind === 'mailbox') {
    id = await upload(server, '/v1/emails', mailbox.path, `mailbox-${turn}.mbox`, {});
  } else {
    // A unique copy per upload (a trailing comment after %%EOF), so the OCR cache never answers.
    const source = kind === 'scanned' ? scanned[turn % scanned.length]! : textBook;
    const copy = join(workDir, `upload-${turn % 4}.pdf`);
    copyFileSync(source, copy);
    appendFileSync(copy, `\n%keel-soak-${turn}-${Date.now()}\n`);
    id = await upload(server, '/v1/deeds', copy, basename(source), { mode: 'page_by_page' });
  }
  if (id) submitted.push({ id, kind });
}

function killRandomWorker(): void {
  const pid = server.child.pid;
  if (!pid) return;
  const workers = readTreeRss(pid).processes.filter((p) => p.ppid === pid && p.name === 'node');
  if (workers.length === 0) return;
  const victim = workers[Math.floor(Math.random() * workers.length)]!;
  try {
    process.kill(victim.pid, 'SIGKILL');
    workerKills++;
    events.push({ t: now(), kind: 'worker-killed-by-soak' });
  } catch {
    // It exited on its own meanwhile.
  }
}

interface Checkpoint {
  t: number;
  treeMb: number;
  /** The most processes seen in the tree while at rest: 1 is the server alone. */
  processes: number;
  /** From the last submission to the end of the rest, seconds. */
  quietSeconds: number;
  /** Which server process (1 before the restart, 2 after). */
  serverStart: number;
}
const checkpoints: Checkpoint[] = [];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Stop submitting, let every job finish and the idle pools retire, then sample the tree at rest. */
async function quietCheckpoint(): Promise<void> {
  phase = 'quiet';
  const began = now();
  const deadline = Date.now() + 15 * 60_000;
  while (Date.now() < deadline && (await activeJobs()) > 0) await sleep(2000);
  // The server retires a pool 30 s after its last unit; wait until the tree is the server alone (or give up at the deadline).
  while (Date.now() < deadline && server.child.pid && readTreeRss(server.child.pid).processes.length > 1) await sleep(1000);
  const index = checkpoints.length;
  restingIn = index;
  events.push({ t: now(), kind: 'at-rest' });
  await sleep(REST_SECONDS * 1000);
  restingIn = undefined;
  const rest = samples.filter((s) => s.atRest === index);
  const mean = (pick: (s: Sample) => number) => rest.reduce((sum, s) => sum + pick(s), 0) / Math.max(1, rest.length);
  checkpoints.push({
    t: mean((s) => s.t),
    treeMb: mean((s) => s.treeMb),
    processes: Math.max(0, ...rest.map((s) => s.processes)),
    quietSeconds: now() - began,
    serverStart: serverStarts,
  });
  console.log(`${now().toFixed(0)} s: at rest, tree ${checkpoints[index]!.treeMb.toFixed(1)} MB in ${checkpoints[index]!.processes} process(es), after ${checkpoints[index]!.quietSeconds.toFixed(0)} s quiet`);
  phase = 'load';
}

let lastKill = Date.now();
let loadSinceQuietMs = 0;
let lastLoopAt = Date.now();
while (Date.now() - started < durationMs) {
  loadSinceQuietMs += Date.now() - lastLoopAt;
  lastLoopAt = Date.now();
  if (loadSinceQuietMs >= quietEveryMs) {
    await quietCheckpoint();
    loadSinceQuietMs = 0;
    lastLoopAt = lastKill = Date.now();
    continue;
  }
  if (!restarted && Date.now() - started > durationMs / 4) {
    restarted = true;
    server.child.kill('SIGKILL');
    await new Promise((resolve) => server.child.once('exit', resolve));
    events.push({ t: now(), kind: 'server-restart' });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    server = await startServer(dataDir);
    console.log(`${now().toFixed(0)} s: server SIGKILLed and restarted`);
  }
  if (Date.now() - lastKill > killEverySeconds * 1000) {
    lastKill = Date.now();
    killRandomWorker();
  }
  if ((await activeJobs()) < 2) await submitNext();
  await new Promise((resolve) => setTimeout(resolve, 1000));
}

// Drain: no new work; wait for every submitted job to finish.
const loadEndT = now();
console.log(`${now().toFixed(0)} s: ${submitted.length} jobs submitted; waiting for them to finish`);
const drainDeadline = Date.now() + Math.max(20 * 60_000, durationMs / 4);
while (Date.now() < drainDeadline && (await activeJobs()) > 0) await new Promise((resolve) => setTimeout(resolve, 2000));
clearInterval(sampler);
server.child.kill('SIGTERM');
await new Promise((resolve) => server.child.once('exit', resolve));

// ---- verification from the store ---------------------------------------------------------------

const db = new Database(join(dataDir, 'keel.db'), { readonly: true });
let pages = 0;
let textLayerPages = 0;
let messages = 0;
let lost = 0;
let duplicated = 0;
let failedUnits = 0;
const failureCodes = new Map<string, number>();
let unfinished = 0;
for (const { id, kind } of submitted) {
  const job = db.prepare('SELECT status, units_total AS total FROM jobs WHERE id = ?').get(id) as { status: string; total: number | null } | undefined;
  const rows = db.prepare('SELECT COUNT(*) AS n, COUNT(DISTINCT unit) AS d, SUM(ok = 0) AS failed FROM units WHERE job_id = ?').get(id) as { n: number; d: number; failed: number | null };
  if (!job || job.status !== 'done') unfinished++;
  const total = job?.total ?? 0;
  lost += Math.max(0, total - rows.d);
  duplicated += rows.n - rows.d;
  failedUnits += rows.failed ?? 0;
  for (const { result } of db.prepare('SELECT result FROM units WHERE job_id = ? AND ok = 0').all(id) as Array<{ result: string }>) {
    // A failed page stores {page, error: {code}}; a failed message stores {ok: false, code}.
    const stored = JSON.parse(result) as { code?: string; error?: { code?: string } };
    const code = stored.code ?? stored.error?.code ?? 'unknown';
    failureCodes.set(code, (failureCodes.get(code) ?? 0) + 1);
  }
  if (kind === 'mailbox') messages += rows.d;
  else if (kind === 'text-layer') textLayerPages += rows.d;
  else pages += rows.d;
}
db.close();
rmSync(dataDir, { recursive: true, force: true });

// ---- report ---------------------------------------------------------------------------------

// The trend is read over the second half of the loaded window, quiet checkpoints left out: the drain
// that follows winds pools down and would read as a fall in memory that says nothing about growth under load.
const secondHalf = samples.filter((s) => s.t >= loadEndT / 2 && s.t <= loadEndT && s.phase === 'load');
const treeSlope = slopeWithInterval(secondHalf.map((s) => s.t), secondHalf.map((s) => s.treeMb));
const serverSlope = slopeWithInterval(secondHalf.map((s) => s.t), secondHalf.map((s) => s.serverMb));
// At rest, the tree after the restart: one mean per checkpoint (the server before the restart is another process).
const restsAfterRestart = checkpoints.filter((c) => c.serverStart === serverStarts);
const restSlope = slopeOfGroupMeans(restsAfterRestart.map((c) => c.t), restsAfterRestart.map((c) => c.treeMb), (i) => i, `${REST_SECONDS} s at rest`);
const quietShare = samples.filter((s) => s.t <= loadEndT && s.phase === 'quiet').length / Math.max(1, samples.filter((s) => s.t <= loadEndT).length);
const peak = Math.max(...samples.map((s) => s.treeMb));
const recycles = events.filter((e) => e.kind === 'recycle').length;
const backstopKills = events.filter((e) => e.kind === 'kill').length;
writeBenchFile(
  'soak-rss.csv',
  't_seconds,tree_rss_mb,server_rss_mb,workers_rss_mb,processes,phase,at_rest_checkpoint\n' +
    samples.map((s) => `${s.t.toFixed(1)},${s.treeMb.toFixed(1)},${s.serverMb.toFixed(1)},${s.workersMb.toFixed(1)},${s.processes},${s.phase},${s.atRest ?? ''}`).join('\n') +
    '\n',
);

const markerColors = { recycle: '#16a34a', kill: '#f59e0b', 'worker-killed-by-soak': '#7c3aed', 'server-restart': '#dc2626', 'at-rest': '#64748b' } as const;
const markerLabels = { recycle: 'worker recycled', kill: 'backstop kill', 'worker-killed-by-soak': 'worker SIGKILLed (fault)', 'server-restart': 'server SIGKILLed + restarted', 'at-rest': 'quiet checkpoint: tree at rest' } as const;
const markers: ChartMarker[] = events.map((e) => ({ t: e.t, label: markerLabels[e.kind], color: markerColors[e.kind] }));
mkdirSync(join(repoRoot, 'docs'), { recursive: true });
const chartFiles = await writeChart(
  {
    title: `Keel soak: ${durationText} of mixed work through one keel serve, ${budgetText} budget`,
    subtitle: `${pages} scanned pages OCR'd, ${textLayerPages} text-layer pages, ${messages} emails; ${workerKills} workers SIGKILLed, 1 server SIGKILL + restart; peak ${peak.toFixed(0)} MB`,
    series: [
      { name: 'tree RSS (server + workers + their children)', color: '#1d4ed8', points: samples.map((s) => ({ t: s.t, mb: s.treeMb })), width: 2 },
      { name: 'server process', color: '#0f766e', points: samples.map((s) => ({ t: s.t, mb: s.serverMb })) },
      { name: 'workers and their children', color: '#9333ea', points: samples.map((s) => ({ t: s.t, mb: s.workersMb })) },
    ],
    markers,
    limitMb: budgetMb,
  },
  join(repoRoot, 'docs', 'soak-rss.svg'),
  join(repoRoot, 'docs', 'soak-rss.png'),
);

const rows = [
  ['duration', `${(samples[samples.length - 1]!.t / 60).toFixed(1)} min (submitting for ${durationText}, then draining)`],
  ['peak tree RSS', `${peak.toFixed(0)} MB (budget ${budgetMb} MB): goal <= 512 MB ${peak <= 512 ? 'met' : 'NOT met'}`],
  ['slope of tree RSS under load, 2nd half of the loaded window', growthVerdict(treeSlope, 5)],
  ['slope of the server process alone, same window', growthVerdict(serverSlope, 5)],
  [
    `tree at rest, each quiet checkpoint (every ${quietEveryText} of load; ${(quietShare * 100).toFixed(0)}% of the run was quiet)`,
    checkpoints.length === 0
      ? 'none (the run was shorter than --quiet-every)'
      : checkpoints.map((c) => `${(c.t / 60).toFixed(0)} min: ${c.treeMb.toFixed(1)} MB in ${c.processes} process${c.processes === 1 ? '' : 'es'}${c.serverStart === 1 ? ' (before the restart)' : ''}`).join('; '),
  ],
  ['slope of the tree at rest, checkpoints after the restart', growthVerdict(restSlope, 5)],
  ['scanned pages OCR\'d / text-layer pages / emails', `${pages} / ${textLayerPages} / ${messages}`],
  ['jobs submitted / not finished', `${submitted.length} / ${unfinished}`],
  ['units lost / stored twice', `${lost} / ${duplicated} (must be 0 / 0)`],
  ['units that failed (stored with their error)', `${failedUnits}${failedUnits > 0 ? ` (${[...failureCodes].map(([code, n]) => `${code} x${n}`).join(', ')})` : ''}`],
  ['faults: workers SIGKILLed / server SIGKILL + restart', `${workerKills} / 1`],
  [
    'worker recycles / backstop kills',
    `${recycles} / ${backstopKills}${backstopOvershootsMb.length > 0 ? ` (killed at most ${Math.max(...backstopOvershootsMb)} MB past the hard limit)` : ''}`,
  ],
];
const markdown = `## Soak: mixed work, faults, one server

Measured ${new Date().toISOString().slice(0, 10)} on ${describeMachine()}. Command: \`${command}\`
(the README says how to run it for 8 hours). One \`keel serve\`; deed scans (real dev deeds made unique per upload, so every
page is OCR'd), a 40-page text-layer book and a 400-message mailbox of real mail are uploaded over HTTP to keep two jobs
queued or running. A random worker is SIGKILLed every ${killEverySeconds} s; a quarter of the way in the server is SIGKILLed and
started again on the same data directory. Every ${quietEveryText} of load the soak stops submitting, lets the jobs finish and the
idle pools retire, and samples the tree at rest for ${REST_SECONDS} s: under load the tree swings by hundreds of MB as workers come and
go, which hides a slow trend, while at rest it should be the server alone at the same size each time. Tree RSS is sampled every
second; lost and duplicated units are counted in the SQLite store.

${markdownTable(['measure', 'value'], rows)}

![process-tree RSS over the soak](docs/soak-rss.png)

Raw series: \`bench/out/soak-rss.csv\`; chart: \`docs/soak-rss.png\` (and \`.svg\`).`;
console.log('\n' + markdownTable(['measure', 'value'], rows) + `\n\nchart: ${chartFiles.join(', ')}\nreproduce: ${command}`);
updateBenchmarksMd('soak', markdown);
if (lost > 0 || duplicated > 0 || unfinished > 0) process.exitCode = 1;
