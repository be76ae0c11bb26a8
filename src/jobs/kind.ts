import type { Readable } from 'node:stream';
import type { JobRecord, JobStore } from './store.js';
import type { JobExecutor } from './runner.js';

export interface RenderedResult {
  contentType: string;
  /** A string, or a stream for results too big to hold in memory at once (a 100,000-message mailbox). */
  body: string | Readable;
  /** Suggested download name, for formats a person saves (CSV). */
  filename?: string;
}

/**
 * A kind of job the service runs (a deed scan, a mailbox analysis): how to execute it and how to
 * render its result from the store. The service itself knows nothing of deeds or emails.
 */
export interface JobKind extends JobExecutor {
  /** What one unit is called in progress lines and the UI: "pages", "messages". */
  unitName: string;
  formats: readonly string[];
  renderResult(job: JobRecord, store: JobStore, format: string): RenderedResult;
}
