/**
 * Evaluate the deed classifier on per-page OCR texts against labels.
 *
 *   npm run eval:deeds                       (reads ../shared/deeds/dev through Keel's own OCR pipeline)
 *   npm run eval:deeds -- DIR                (another labelled set laid out like the dev set: DIR/labels.csv, DIR/<file>)
 *   node dist/scripts/eval/eval-deeds.js [<text-dir>] [--labels <labels.csv>] [--split all|a|b] [--json <out.json>]
 *                                        [--compare <other-text-dir>] [--ocr native|wasm]
 *
 * Without <text-dir>, every page of ../shared/deeds/dev is read by Keel's deed pipeline (text layer or OCR,
 * with the OCR cache, so a second run costs no OCR) into .keel-cache/eval/<engine>, which is then evaluated.
 * <text-dir> holds <pdf path relative to the data set>/page-NNN.txt (e.g. made by pdftoppm + tesseract, or by
 * Keel's own pipeline). Labels default to ../shared/deeds/dev/labels.csv. `--split a|b` evaluates one half of a
 * deterministic stratified split (for develop-on-one-half, report-on-the-other estimates). `--compare` also runs
 * a second set of texts of the same deeds (another OCR engine or setting) and lists the decisions that differ.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import { ocrFolderWithKeel } from './ocr-with-keel.js';
import { decisionDifferences, evaluateDocuments, formatReport, metrics, stratifiedHalves, type LabelledDocument } from '../../src/deeds/evaluation.js';
import { detectDeedStarts } from '../../src/deeds/boundaries.js';
import { evaluateBookBoundaries, formatBookBoundaries } from '../../src/deeds/boundary-evaluation.js';
import type { PolicyName } from '../../src/deeds/types.js';

function usage(message: string): never {
  process.stderr.write(`${message}\nusage: eval-deeds [<labelled-set-dir> | <text-dir>] [--labels labels.csv] [--split all|a|b] [--json out.json]\n`);
  process.exit(2);
}

function parseArgs(argv: string[]): { dir: string; ocr: 'native' | 'wasm'; labels: string; split: string; json?: string; compare?: string } {
  const rest: string[] = [];
  const opts: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith('--')) {
      const v = argv[i + 1];
      if (v === undefined) usage(`${a} needs a value`);
      opts[a.slice(2)] = v;
      i++;
    } else rest.push(a);
  }
  if (rest.length > 1) usage('give at most one text directory');
  // A folder holding labels.csv is a labelled set of PDFs (like ../shared/deeds/dev), not a folder of page texts.
  const givenSet = rest[0] !== undefined && opts.labels === undefined && existsSync(join(rest[0], 'labels.csv')) ? rest.shift() : undefined;
  const labels = opts.labels ?? (givenSet !== undefined ? join(givenSet, 'labels.csv') : resolve(process.cwd(), '..', 'shared', 'deeds', 'dev', 'labels.csv'));
  return {
    dir: rest[0] ?? '',
    ocr: opts.ocr === 'wasm' ? 'wasm' : 'native',
    labels,
    split: opts.split ?? 'all',
    ...(opts.json !== undefined ? { json: opts.json } : {}),
    ...(opts.compare !== undefined ? { compare: opts.compare } : {}),
  };
}

function readLabels(path: string): { file: string; label: boolean }[] {
  if (!existsSync(path)) usage(`labels not found: ${path}`);
  const lines = readFileSync(path, 'utf8').split(/\r?\n/).filter((l) => l.trim() !== '');
  return lines.slice(1).map((l) => {
    const comma = l.lastIndexOf(',');
    // A spreadsheet quotes a file name that holds a comma: "Smith, DB 12.pdf",1
    const file = l.slice(0, comma).trim().replace(/^"(.*)"$/, '$1').replace(/""/g, '"');
    return { file, label: l.slice(comma + 1).trim().replace(/^"(.*)"$/, '$1') === '1' };
  });
}

function readPages(dir: string): { page: number; text: string }[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((name) => /^page-(\d+)\.txt$/.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ page: Number(m[1]), text: readFileSync(join(dir, m[0]), 'utf8') }))
    .sort((a, b) => a.page - b.page);
}

const args = parseArgs(process.argv.slice(2));
if (args.dir === '') {
  const datasetDir = dirname(args.labels);
  if (!existsSync(datasetDir)) usage(`the labelled set is missing: ${datasetDir} (the dev set lives in ../shared/deeds/dev)`);
  // One text folder per labelled set: another set's files may share the dev set's relative paths.
  const isDevSet = resolve(datasetDir) === resolve(process.cwd(), '..', 'shared', 'deeds', 'dev');
  const setName = isDevSet ? args.ocr : `${args.ocr}-${createHash('sha256').update(resolve(datasetDir)).digest('hex').slice(0, 12)}`;
  args.dir = resolve(process.cwd(), '.keel-cache', 'eval', setName);
  const { pages, seconds } = await ocrFolderWithKeel(datasetDir, args.dir, args.ocr);
  process.stdout.write(`read ${pages} pages with Keel's pipeline (OCR ${args.ocr}) in ${seconds.toFixed(1)} s\n\n`);
}
let labelled = readLabels(args.labels);
if (args.split === 'a' || args.split === 'b') labelled = stratifiedHalves(labelled)[args.split];
else if (args.split !== 'all') usage(`unknown split ${args.split}`);

function loadDocs(dir: string): LabelledDocument[] {
  const docs: LabelledDocument[] = [];
  const missing: string[] = [];
  for (const l of labelled) {
    const pages = readPages(join(dir, l.file));
    if (pages.length === 0) missing.push(l.file);
    docs.push({ file: l.file, label: l.label, pages });
  }
  if (missing.length > 0) process.stdout.write(`warning: ${dir}: no page texts for ${missing.length} document(s): ${missing.join('; ')}\n`);
  return docs;
}
const docs = loadDocs(args.dir);

const t0 = process.hrtime.bigint();
const out: Record<string, unknown> = {};
const reports: string[] = [];
for (const policy of ['balanced', 'high-recall'] as PolicyName[]) {
  const results = evaluateDocuments(docs, policy);
  reports.push(formatReport(policy, results));
  out[policy] = { metrics: metrics(results), results };
}
const ms = Number(process.hrtime.bigint() - t0) / 1e6;
// Each labelled file is one deed (sometimes with a recorder's cover sheet or the next instrument's head):
// files the boundary detector splits are listed for a person to check.
const t1 = process.hrtime.bigint();
const splits = docs.map((d) => ({ file: d.file, ranges: detectDeedStarts(d.pages) })).filter((x) => x.ranges.length > 1);
const boundaryMs = Number(process.hrtime.bigint() - t1) / 1e6;
reports.push(
  `## deed boundaries: ${splits.length} of ${docs.length} files split into several instruments (${boundaryMs.toFixed(0)} ms)\n` +
    splits.map((x) => `  - ${x.file}: ${x.ranges.map((r) => `${r.startPage}-${r.endPage} (${r.startCue})`).join(', ')}`).join('\n'),
);
// The same files back to back, as a deed book holds them: does multi_deed find each one's page range?
reports.push(formatBookBoundaries(evaluateBookBoundaries(docs)));
const pageCount = docs.reduce((n, d) => n + d.pages.length, 0);
process.stdout.write(`# deed evaluation: ${args.dir} (split ${args.split}, ${docs.length} documents, ${pageCount} pages)\n\n`);
process.stdout.write(reports.join('\n\n') + '\n');
process.stdout.write(`\nclassified ${pageCount} pages x 2 policies in ${ms.toFixed(0)} ms\n`);
if (args.compare !== undefined) {
  const other = loadDocs(args.compare);
  process.stdout.write(`\n## stability: ${args.dir} vs ${args.compare}\n`);
  for (const policy of ['balanced', 'high-recall'] as PolicyName[]) {
    const a = evaluateDocuments(docs, policy);
    const b = evaluateDocuments(other, policy);
    const mb = metrics(b);
    const diff = decisionDifferences(a, b);
    process.stdout.write(`${policy}: other texts accuracy ${mb.accuracy.toFixed(3)} recall ${mb.recall.toFixed(3)}; ${diff.length} of ${a.length} decisions differ\n`);
    for (const d of diff) process.stdout.write(`  - ${d.file}  p=${d.a.toFixed(2)} vs ${d.b.toFixed(2)}\n`);
  }
}
if (args.json !== undefined) writeFileSync(args.json, JSON.stringify(out, null, 2));
