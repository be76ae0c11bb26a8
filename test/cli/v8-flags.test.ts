import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { KEEL_PROCESS_V8_FLAGS } from '../../src/cli/v8-flags.js';
import { cliPath, startServer } from '../helpers/server-process.js';
import { repoRoot } from '../helpers/shared.js';

const execFileAsync = promisify(execFile);

function shebangOf(path: string): string {
  const first = readFileSync(path, 'utf8').split('\n', 1)[0]!;
  assert.ok(first.startsWith('#!'), `${path} starts with a shebang`);
  return first.slice(2);
}

test('the keel command\'s shebang and npm start carry the V8 flags the memory plan assumes', () => {
  for (const path of [join(repoRoot, 'src', 'cli', 'main.ts'), cliPath]) {
    const shebang = shebangOf(path);
    for (const flag of KEEL_PROCESS_V8_FLAGS) assert.ok(shebang.split(/\s+/).includes(flag), `${path}: shebang "${shebang}" carries ${flag}`);
  }
  const start = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.start!;
  for (const flag of KEEL_PROCESS_V8_FLAGS) assert.ok(start.split(/\s+/).includes(flag), `npm start ("${start}") carries ${flag}`);
});

test('the shebang line works as the kernel runs it (interpreter, then the rest as one argument)', async () => {
  const [interpreter, ...rest] = shebangOf(cliPath).split(' ');
  const { stdout } = await execFileAsync(interpreter!, [rest.join(' '), cliPath, '--help']);
  assert.match(stdout, /^keel - /);
});

test('keel serve run with those flags can collect its own old garbage, and says so; run without them it says it cannot', async () => {
  for (const [nodeFlags, active] of [[KEEL_PROCESS_V8_FLAGS, true], [[], false]] as const) {
    const server = await startServer({ nodeFlags });
    try {
      const status = (await (await fetch(`${server.url}/memory-status`)).json()) as { parent: { heap_collector?: { active: boolean; collections: number } } };
      assert.equal(status.parent.heap_collector?.active, active, `/memory-status with node flags [${nodeFlags.join(' ')}]`);
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      assert.match(metrics, new RegExp(`^keel_heap_collector_active ${active ? 1 : 0}$`, 'm'));
      assert.match(metrics, /^keel_heap_collections_total \d+$/m);
    } finally {
      await server.stop();
    }
  }
});
