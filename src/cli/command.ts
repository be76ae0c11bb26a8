import { parseArgs, type ParseArgsConfig } from 'node:util';
import { KeelError } from '../core/errors.js';

/** One `keel` subcommand: its help text and what it does. Returns the process exit code. */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  run(argv: string[]): Promise<number>;
}

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Strict option parsing: an unknown or malformed option is a usage error (exit 2) naming the
 * option, not something silently ignored.
 */
export function parseCommandLine<T extends Options>(argv: string[], options: T, allowPositionals = true) {
  try {
    return parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals, strict: true });
  } catch (error) {
    throw new KeelError('E_USAGE', (error as Error).message.replace(/\. To specify a positional argument.*$/s, ''));
  }
}

export function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new KeelError('E_USAGE', `--${name} must be one of ${allowed.join(', ')} (got "${value}")`);
}

export function positiveNumber(name: string, value: string | undefined, fallback: number | undefined): number | undefined {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new KeelError('E_USAGE', `--${name} must be a positive number (got "${value}")`);
  return number;
}
