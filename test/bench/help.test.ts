/**
 * Every benchmark answers --help with its usage and exits at once: a benchmark runs for minutes and
 * rewrites its BENCHMARKS.md section, so asking how to run one must neither run it nor touch the file.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../../bench/lib/report.js';

const benchmarks = ['emails', 'soak', 'pool-recycling', 'deeds-scan'];

for (const name of benchmarks) {
  test(`bench/${name} --help prints its usage and leaves BENCHMARKS.md alone`, () => {
    const file = join(repoRoot, 'BENCHMARKS.md');
    const before = readFileSync(file, 'utf8');
    const modified = statSync(file).mtimeMs;
    const script = join(repoRoot, 'dist', 'bench', `${name}.js`);
    const started = performance.now();
    const run = spawnSync(process.execPath, [script, '--help'], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /npm run bench:/);
    assert.ok(performance.now() - started < 15_000, 'it exits without running the benchmark');
    assert.equal(readFileSync(file, 'utf8'), before);
    assert.equal(statSync(file).mtimeMs, modified);
  });
}
