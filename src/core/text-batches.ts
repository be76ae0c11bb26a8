/**
 * Text that comes in many small pieces (a report's rows), gathered into pieces of at least
 * `minLength` characters: one write per row to a file or a socket would cost a system call each.
 */
export function* inBatches(pieces: Iterable<string>, minLength = 65_536): Generator<string> {
  let batch = '';
  for (const piece of pieces) {
    batch += piece;
    if (batch.length >= minLength) {
      yield batch;
      batch = '';
    }
  }
  if (batch.length > 0) yield batch;
}
