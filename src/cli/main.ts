#!/usr/bin/env -S node --max-semi-space-size=4 --expose-gc
/** The `keel` command: a thin front door over the same pipelines the HTTP service runs. */
import { readFileSync } from 'node:fs';
import { describeError } from '../core/errors.js';
import type { Command } from './command.js';
import { ExitCode, exitCodeFor } from './exit-codes.js';
import { commands } from './commands/index.js';

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function mainHelp(list: Command[]): string {
  const width = Math.max(...list.map((c) => c.name.length));
  return [
    'keel - analyse long documents (scanned deeds, mailboxes) for hours at flat memory',
    '',
    'Usage: keel <command> [options]',
    '',
    'Commands:',
    ...list.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `keel <command> --help` for the options of one command.',
    'Exit codes: 0 done, 2 bad input or usage, 1 internal error.',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(mainHelp(commands) + '\n');
    return name === undefined ? ExitCode.badInput : ExitCode.ok;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write(version() + '\n');
    return ExitCode.ok;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`keel: unknown command "${name}"\n\n${mainHelp(commands)}\n`);
    return ExitCode.badInput;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(command.usage.trim() + '\n');
    return ExitCode.ok;
  }
  return command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const { code, message } = describeError(error);
    process.stderr.write(`keel: ${message} [${code}]\n`);
    if (exitCodeFor(error) === ExitCode.internal && error instanceof Error && error.stack && process.env.KEEL_DEBUG) {
      process.stderr.write(error.stack + '\n');
    }
    process.exitCode = exitCodeFor(error);
  },
);
