import type { JobKind } from '../jobs/kind.js';
import type { JobRecord } from '../jobs/store.js';

/**
 * Progress rate of running jobs, measured from the moment this server first saw each one running,
 * so a resumed job's ETA reflects the pages still to do at the current speed, not the downtime.
 */
export class JobRates {
  private readonly baselines = new Map<string, { at: number; done: number }>();

  observe(job: JobRecord): void {
    if (job.status !== 'running') {
      this.baselines.delete(job.id);
      return;
    }
    if (!this.baselines.has(job.id)) this.baselines.set(job.id, { at: Date.now(), done: job.unitsDone });
  }

  etaMs(job: JobRecord): number | null {
    if (job.status !== 'running' || job.unitsTotal === null) return job.status === 'done' ? 0 : null;
    const baseline = this.baselines.get(job.id);
    if (!baseline) return null;
    const done = job.unitsDone - baseline.done;
    const elapsed = Date.now() - baseline.at;
    if (done <= 0 || elapsed <= 0) return null;
    return Math.round(((job.unitsTotal - job.unitsDone) * elapsed) / done);
  }
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The public shape of a job, shared by the status route, the job list and SSE events. */
export function jobView(job: JobRecord, kind: JobKind | undefined, rates: JobRates) {
  const total = job.unitsTotal;
  const percent = total ? Math.round((job.unitsDone / total) * 1000) / 10 : job.status === 'done' ? 100 : 0;
  const end = job.finishedAt ?? Date.now();
  return {
    id: job.id,
    kind: job.kind,
    status: job.status,
    file: job.inputName,
    options: job.options,
    created_at: iso(job.createdAt),
    started_at: iso(job.startedAt),
    finished_at: iso(job.finishedAt),
    progress: {
      unit: kind?.unitName ?? 'units',
      done: job.unitsDone,
      total,
      failed: job.unitsFailed,
      percent,
      elapsed_ms: job.startedAt === null ? 0 : end - job.startedAt,
      eta_ms: rates.etaMs(job),
    },
    resumes: job.resumes,
    error: job.errorCode ? { code: job.errorCode, message: job.errorMessage } : null,
    version: job.version,
  };
}

export type JobView = ReturnType<typeof jobView>;
