/**
 * Every failure Keel reports carries a stable, machine-readable code so that
 * callers (CLI exit codes, HTTP status mapping, job rows) never parse messages.
 */
export class KeelError extends Error {
  readonly code: string;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: string, message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KeelError';
    this.code = code;
    this.details = options.details;
  }

  toJSON(): { code: string; message: string; details?: Record<string, unknown> } {
    return this.details ? { code: this.code, message: this.message, details: this.details } : { code: this.code, message: this.message };
  }
}

export function isKeelError(value: unknown): value is KeelError {
  return value instanceof KeelError || (typeof value === 'object' && value !== null && (value as { name?: unknown }).name === 'KeelError' && typeof (value as { code?: unknown }).code === 'string');
}

/** Normalise anything thrown into `{code, message}` without losing a KeelError's code. */
export function describeError(error: unknown, fallbackCode = 'E_INTERNAL'): { code: string; message: string } {
  if (isKeelError(error)) return { code: error.code, message: error.message };
  if (error instanceof Error) return { code: fallbackCode, message: error.message };
  return { code: fallbackCode, message: String(error) };
}
