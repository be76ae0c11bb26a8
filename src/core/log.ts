import { Writable } from 'node:stream';
import { pino, type Logger as PinoLogger } from 'pino';

export type Logger = PinoLogger;

export interface LoggerOptions {
  /** `json`: one pino object a line (services, log shippers); `text`: short human lines (the CLI). */
  format?: 'json' | 'text';
  level?: string;
  destination?: NodeJS.WritableStream;
}

const LEVEL_NAMES: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

/** Renders pino's JSON lines as `12:01:02 info memory after chunk 3: ... boundary=chunk 3`. */
function textSink(destination: NodeJS.WritableStream): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line) continue;
        let record: Record<string, unknown>;
        try {
          record = JSON.parse(line) as Record<string, unknown>;
        } catch {
          destination.write(line + '\n');
          continue;
        }
        const time = new Date(Number(record.time)).toISOString().slice(11, 19);
        const level = LEVEL_NAMES[Number(record.level)] ?? String(record.level);
        // The message already says what a person needs; structured fields stay in JSON mode,
        // except error details, which a person needs too.
        const error = record.err as { message?: string } | undefined;
        const suffix = error?.message ? `: ${error.message}` : '';
        destination.write(`${time} ${level} ${String(record.msg ?? '')}${suffix}\n`);
      }
      callback();
    },
  });
}

/** The one way Keel makes loggers: structured records, written as JSON or as readable text. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const destination = options.destination ?? process.stderr;
  const level = options.level ?? process.env.KEEL_LOG_LEVEL ?? 'info';
  if (options.format === 'text') return pino({ level, base: undefined }, textSink(destination));
  return pino({ level }, destination);
}

/** A logger that drops everything (library use, tests that do not look at logs). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
