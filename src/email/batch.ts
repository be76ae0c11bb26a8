/**
 * One unit of email work as it crosses to a pool worker (or runs in-process): a batch of messages,
 * each given by reference (a file or an mbox byte range the worker reads itself), as raw RFC 822
 * bytes, as a JSON message, or as a failure already known to the parent (an unreadable file), so
 * that every message keeps its place and gets exactly one result.
 *
 * Both isolation modes run `analyzeBatch` (analyze-batch.ts): the pool handler in a worker, the
 * inline runner in the parent. That is what makes their results the same. This file stays free of
 * the analysis code, so a parent that only sends batches never loads the wink model.
 */
import type { EmailOptions } from './options.js';
import type { MessageRef, SourceItem } from './sources.js';

export type EmailTaskItem =
  /** The worker reads the message itself: only a few bytes cross the IPC channel, and a retry re-reads it. */
  | { id: string; ref: MessageRef }
  | { id: string; raw: Uint8Array; envelope?: string; truncated?: boolean; size?: number }
  | { id: string; json: unknown }
  /** A message the parent could not even enumerate (missing or unreadable file): passed through as its result. */
  | { id: string; error: { code: string; message: string } };

export interface EmailBatch {
  items: EmailTaskItem[];
  /** Analysis options for this batch (per job or per request); the handler's defaults fill the rest. */
  options?: Partial<EmailOptions>;
}

/** A source item as a task item: messages travel by reference, enumeration failures as they are. */
export function taskItemFor(item: SourceItem, id: string = item.id): EmailTaskItem {
  if (item.kind === 'error') return { id, error: { code: item.code, message: item.message } };
  return { id, ref: item.ref };
}
