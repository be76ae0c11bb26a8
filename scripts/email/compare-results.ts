/**
 * Compares two JSONL result files (from corpus-run --out) line by line, ignoring timing fields, and
 * reports how many lines differ and the first differences (field path, both values). Exit code 1 when
 * anything differs, so it can gate an optimisation.
 *
 *   node dist/scripts/email/compare-results.js reference.jsonl candidate.jsonl [--show N] [--ignore field,...]
 *
 * Ignored by default: elapsedMs (the only timing field in an analysis result).
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function describe(value: Json | undefined): string {
  if (value === undefined) return '(missing)';
  const s = JSON.stringify(value);
  return s.length > 200 ? `${s.slice(0, 200)}...` : s;
}

/** Paths where a and b differ (at most `limit`), skipping keys named in `ignore` at any depth. */
function differences(a: Json | undefined, b: Json | undefined, ignore: Set<string>, path: string, out: string[], limit: number): void {
  if (out.length >= limit) return;
  if (a === b) return;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) {
    out.push(`${path || '(root)'}: ${describe(a)} != ${describe(b)}`);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) out.push(`${path}.length: ${a.length} != ${b.length}`);
    for (let i = 0; i < Math.max(a.length, b.length) && out.length < limit; i++) differences(a[i], b[i], ignore, `${path}[${i}]`, out, limit);
    return;
  }
  const ao = a as Record<string, Json>;
  const bo = b as Record<string, Json>;
  const keysA = Object.keys(ao).filter((k) => !ignore.has(k));
  const keysB = Object.keys(bo).filter((k) => !ignore.has(k));
  // Key order is part of the serialised output, so a reordering counts as a difference too.
  if (keysA.join('\u0000') !== keysB.join('\u0000')) out.push(`${path || '(root)'} keys: [${keysA.join(',')}] != [${keysB.join(',')}]`);
  for (const key of new Set([...keysA, ...keysB])) {
    if (out.length >= limit) return;
    differences(ao[key], bo[key], ignore, path ? `${path}.${key}` : key, out, limit);
  }
}

/** Removes ignored keys at any depth and re-serialises, for an exact byte comparison of the rest. */
function canonical(line: string, ignore: Set<string>): string {
  return JSON.stringify(JSON.parse(line) as Json, (key, value: unknown) => (ignore.has(key) ? undefined : value));
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const files: string[] = [];
  let show = 5;
  const ignore = new Set(['elapsedMs']);
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--show') show = parseInt(args[++i] ?? '5', 10);
    else if (arg === '--ignore') {
      for (const f of (args[++i] ?? '').split(',')) if (f) ignore.add(f);
    } else files.push(arg);
  }
  if (files.length !== 2) {
    console.error('usage: compare-results reference.jsonl candidate.jsonl [--show N] [--ignore field,...]');
    process.exitCode = 2;
    return;
  }
  const [left, right] = files.map((f) => createInterface({ input: createReadStream(f!), crlfDelay: Infinity })[Symbol.asyncIterator]());
  let line = 0;
  let differing = 0;
  let shown = 0;
  for (;;) {
    const [a, b] = await Promise.all([left!.next(), right!.next()]);
    if (a.done && b.done) break;
    line++;
    if (a.done || b.done) {
      console.log(`line ${line}: ${a.done ? 'reference' : 'candidate'} ended early`);
      differing++;
      break;
    }
    if (a.value === b.value) continue;
    if (canonical(a.value, ignore) === canonical(b.value, ignore)) continue;
    differing++;
    if (shown < show) {
      shown++;
      const ja = JSON.parse(a.value) as Json;
      const jb = JSON.parse(b.value) as Json;
      const id = (ja as { id?: string }).id ?? '?';
      const found: string[] = [];
      differences(ja, jb, ignore, '', found, 8);
      console.log(`line ${line} (${id}):`);
      for (const d of found) console.log(`  ${d}`);
    }
  }
  console.log(`${line} lines compared, ${differing} differ (ignoring ${[...ignore].join(', ')})`);
  if (differing > 0) process.exitCode = 1;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 2;
});
