/**
 * Robustness check: damage the page texts the way OCR does (letter swaps, split and merged words, stray
 * punctuation) at increasing rates and report how the decisions hold up.
 *
 *   node dist/scripts/eval/noise-stress.js <text-dir> [--labels <labels.csv>] [--seeds 3]
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { decisionDifferences, evaluateDocuments, metrics, type LabelledDocument } from '../../src/deeds/evaluation.js';
import type { PolicyName } from '../../src/deeds/types.js';

/** Small seeded PRNG (mulberry32) so runs are repeatable. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CONFUSIONS: Record<string, string[]> = {
  o: ['0', 'c', 'e'], i: ['1', 'l', 't'], l: ['1', 'i', '|'], s: ['5', 'a'], e: ['c', 'o'], a: ['o', 's'],
  g: ['q', '9'], n: ['m', 'u', 'r'], r: ['n', 'v'], c: ['e', 'o'], m: ['rn', 'n'], t: ['f', 'l'],
};

/** OCR-like damage at `rate` per character: substitutions, inserted spaces, deleted spaces, stray marks. */
export function damage(text: string, rate: number, next: () => number): string {
  let out = '';
  for (const ch of text) {
    const r = next();
    if (r >= rate) {
      out += ch;
      continue;
    }
    const kind = next();
    const lower = ch.toLowerCase();
    if (kind < 0.5 && CONFUSIONS[lower]) {
      const options = CONFUSIONS[lower]!;
      const sub = options[Math.floor(next() * options.length)]!;
      out += ch === lower ? sub : sub.toUpperCase();
    } else if (kind < 0.7 && /[a-z]/i.test(ch)) out += ch + ' ';
    else if (kind < 0.85 && ch === ' ') out += '';
    else out += ch + (next() < 0.5 ? '.' : ',');
  }
  return out;
}

const argv = process.argv.slice(2);
const dir = argv.find((a) => !a.startsWith('--') && argv[argv.indexOf(a) - 1] !== '--labels' && argv[argv.indexOf(a) - 1] !== '--seeds');
if (dir === undefined) {
  process.stderr.write('usage: noise-stress <text-dir> [--labels labels.csv] [--seeds 3]\n');
  process.exit(2);
}
const labelsPath = argv.includes('--labels') ? argv[argv.indexOf('--labels') + 1]! : resolve(process.cwd(), '..', 'shared', 'deeds', 'dev', 'labels.csv');
const seeds = argv.includes('--seeds') ? Number(argv[argv.indexOf('--seeds') + 1]) : 3;
const rows = readFileSync(labelsPath, 'utf8').trim().split(/\r?\n/).slice(1);
const docs: LabelledDocument[] = rows.map((row) => {
  const comma = row.lastIndexOf(',');
  const file = row.slice(0, comma);
  const d = join(dir, file);
  const pages = existsSync(d)
    ? readdirSync(d)
        .filter((n) => /^page-\d+\.txt$/.test(n))
        .map((n) => ({ page: Number(/\d+/.exec(n)![0]), text: readFileSync(join(d, n), 'utf8') }))
    : [];
  return { file, label: row.slice(comma + 1).trim() === '1', pages };
});

for (const policy of ['balanced', 'high-recall'] as PolicyName[]) {
  const clean = evaluateDocuments(docs, policy);
  const m0 = metrics(clean);
  process.stdout.write(`## ${policy}: clean accuracy ${m0.accuracy.toFixed(3)} recall ${m0.recall.toFixed(3)}\n`);
  for (const rate of [0.01, 0.03, 0.05, 0.08]) {
    let acc = 0;
    let rec = 0;
    let flips = 0;
    for (let seed = 1; seed <= seeds; seed++) {
      const next = rng(seed * 7919 + Math.round(rate * 1000));
      const noisy = docs.map((d) => ({ ...d, pages: d.pages.map((p) => ({ page: p.page, text: damage(p.text, rate, next) })) }));
      const res = evaluateDocuments(noisy, policy);
      const m = metrics(res);
      acc += m.accuracy;
      rec += m.recall;
      flips += decisionDifferences(clean, res).length;
    }
    process.stdout.write(
      `  damage ${(rate * 100).toFixed(0)}%/char: accuracy ${(acc / seeds).toFixed(3)} recall ${(rec / seeds).toFixed(3)} decisions changed ${(flips / seeds).toFixed(1)} of ${docs.length}\n`,
    );
  }
}
