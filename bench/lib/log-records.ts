/** One line of Keel's JSON log (`--log-format json`): the fields the benchmarks read. */
export interface LogRecord {
  event?: string;
  msg?: string;
  pages?: [number, number];
  url?: string;
}

/**
 * Calls `onRecord` for each JSON log line a child process writes to `stream`, and `onPlainLine` for
 * any other line (a banner, a stack trace), whole lines only, however the chunks split them.
 */
export function onLogRecords(stream: NodeJS.ReadableStream, onRecord: (record: LogRecord) => void, onPlainLine: (line: string) => void = () => undefined): void {
  let buffer = '';
  stream.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    let newline: number;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      let record: LogRecord | undefined;
      try {
        record = line.startsWith('{') ? (JSON.parse(line) as LogRecord) : undefined;
      } catch {
        record = undefined;
      }
      if (record) onRecord(record);
      else onPlainLine(line);
    }
  });
}
