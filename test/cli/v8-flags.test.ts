import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { KEEL_PROCESS_V8_FLAGS } from '../../src/cli/v8-flags.js';
import { cliPath } from '../helpers/server-process.js';
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
