import { describeError } from '../core/errors.js';

/** Exit codes of every `keel` command: scripts can tell bad input from a bug. */
export const ExitCode = { ok: 0, internal: 1, badInput: 2, interrupted: 130 } as const;

/** Error codes that mean "the input or the command line is wrong", not "Keel is broken". */
const BAD_INPUT_CODES = new Set([
  'E_USAGE',
  'E_BAD_OPTION',
  'E_NOT_FOUND',
  'E_NOT_PDF',
  'E_ENCRYPTED',
  'E_DAMAGED',
  'E_NO_PAGES',
  'E_TOO_LARGE',
  'E_EMPTY_INPUT',
  'E_OCR_UNAVAILABLE',
  'E_PORT_IN_USE',
  'E_DATA_DIR_LOCKED',
]);

export function exitCodeFor(error: unknown): number {
  const { code } = describeError(error);
  if (code === 'E_CANCELLED') return ExitCode.interrupted;
  return BAD_INPUT_CODES.has(code) ? ExitCode.badInput : ExitCode.internal;
}

export function isBadInputCode(code: string): boolean {
  return BAD_INPUT_CODES.has(code);
}
