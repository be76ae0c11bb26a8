import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { KeelError } from '../core/errors.js';

/**
 * The durable job store: one SQLite file in the data directory. Jobs, and one row per processed
 * unit (a page, a message) written the moment it is produced, so a killed server loses nothing it
 * finished and reports are always built from here, never from memory.
 *
 * A unit row's primary key is (job, unit), so a unit can never be stored twice, even if a retried
 * or resumed task produces it again.
 */

export type JobStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

export interface JobRecord {
  id: string;
  owner: string;
  kind: string;
  status: JobStatus;
  options: Record<string, unknown>;
  inputPath: string | null;
  inputName: string | null;
  inputBytes: number | null;
  unitsTotal: number | null;
  unitsDone: number;
  unitsFailed: number;
  errorCode: string | null;
  errorMessage: string | null;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  lastProgressAt: number | null;
  /** Bumped on every change: the SSE event id, so a reconnecting client knows what it missed. */
  version: number;
  /** Times the job was picked up again after its runner died. */
  resumes: number;
  summary: Record<string, unknown> | null;
}

interface JobRow {
  id: string;
  owner: string;
  kind: string;
  status: JobStatus;
  options: string;
  input_path: string | null;
  input_name: string | null;
  input_bytes: number | null;
  units_total: number | null;
  units_done: number;
  units_failed: number;
  error_code: string | null;
  error_message: string | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  last_progress_at: number | null;
  version: number;
  resumes: number;
  summary: string | null;
}

// 2: result_rows (a job's result rows written after its units; its summary no longer holds them).
const SCHEMA_VERSION = 2;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS jobs (
  id TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  kind TEXT NOT NULL,
  status TEXT NOT NULL,
  options TEXT NOT NULL,
  input_path TEXT,
  input_name TEXT,
  input_bytes INTEGER,
  units_total INTEGER,
  units_done INTEGER NOT NULL DEFAULT 0,
  units_failed INTEGER NOT NULL DEFAULT 0,
  error_code TEXT,
  error_message TEXT,
  created_at INTEGER NOT NULL,
  started_at INTEGER,
  finished_at INTEGER,
  last_progress_at INTEGER,
  lease_owner TEXT,
  lease_expires_at INTEGER,
  version INTEGER NOT NULL DEFAULT 1,
  resumes INTEGER NOT NULL DEFAULT 0,
  summary TEXT
);
CREATE INDEX IF NOT EXISTS jobs_claim ON jobs (status, created_at);
CREATE INDEX IF NOT EXISTS jobs_lease ON jobs (status, lease_expires_at);
CREATE INDEX IF NOT EXISTS jobs_owner ON jobs (owner, created_at);
CREATE TABLE IF NOT EXISTS units (
  job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  unit INTEGER NOT NULL,
  ok INTEGER NOT NULL,
  result TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (job_id, unit)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS result_rows (
  job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  row TEXT NOT NULL,
  PRIMARY KEY (job_id, seq)
) WITHOUT ROWID;
`;

function toRecord(row: JobRow): JobRecord {
  return {
    id: row.id,
    owner: row.owner,
    kind: row.kind,
    status: row.status,
    options: JSON.parse(row.options) as Record<string, unknown>,
    inputPath: row.input_path,
    inputName: row.input_name,
    inputBytes: row.input_bytes,
    unitsTotal: row.units_total,
    unitsDone: row.units_done,
    unitsFailed: row.units_failed,
    errorCode: row.error_code,
    errorMessage: row.error_message,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    lastProgressAt: row.last_progress_at,
    version: row.version,
    resumes: row.resumes,
    summary: row.summary === null ? null : (JSON.parse(row.summary) as Record<string, unknown>),
  };
}

export interface NewJob {
  owner: string;
  kind: string;
  options: Record<string, unknown>;
  inputPath?: string;
  inputName?: string;
  inputBytes?: number;
  id?: string;
}

/** Stores a job's result rows in order; `finish` writes the last batch. */
export interface ResultRowWriter {
  add(row: unknown): void;
  finish(): void;
}

export interface StoredUnit<T> {
  unit: number;
  ok: boolean;
  result: T;
}

/**
 * SQLite's page cache for the store, in KiB. better-sqlite3 builds SQLite with a 16 MB cache per
 * connection, and the cache keeps the pages a job writes until it is full: a process storing ~3 KB
 * rows grew ~19 MB by row 4,000 (heap flat), which reads as memory growing with the work. Keel writes
 * rows once and reads them back in order, so a small cache costs nothing measurable (20,000 rows
 * written and read 3 times: same time within noise) and the growth stops at ~5 MB. This is SQLite's
 * own default.
 */
export const PAGE_CACHE_KIB = 2000;

export class JobStore {
  readonly path: string;
  private readonly db: Database.Database;
  private readonly statements;
  private readonly recordUnitTransaction: (jobId: string, unit: number, ok: boolean, result: unknown) => boolean;
  private readonly appendResultRowsTransaction: (jobId: string, firstSeq: number, rows: readonly unknown[]) => void;

  constructor(dataDir: string) {
    mkdirSync(dataDir, { recursive: true });
    this.path = join(dataDir, 'keel.db');
    try {
      this.db = new Database(this.path);
    } catch (error) {
      throw new KeelError('E_STORE', `cannot open the job store at ${this.path}: ${(error as Error).message}`, { cause: error });
    }
    // WAL: readers (status, SSE) never wait for the writer; NORMAL sync is durable across a
    // process kill, which is the failure Keel must survive (power loss may lose the last commit).
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma(`cache_size = -${PAGE_CACHE_KIB}`);
    const version = this.db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      throw new KeelError('E_STORE', `the job store at ${this.path} was written by a newer Keel (schema ${version})`);
    }
    this.db.exec(SCHEMA);
    this.db.pragma(`user_version = ${SCHEMA_VERSION}`);
    this.statements = this.prepare();
    this.recordUnitTransaction = this.db.transaction((jobId: string, unit: number, ok: boolean, result: unknown) => {
      const now = Date.now();
      const inserted = this.statements.insertUnit.run({ jobId, unit, ok: ok ? 1 : 0, result: JSON.stringify(result), now }).changes === 1;
      if (inserted) this.statements.countUnit.run({ jobId, failed: ok ? 0 : 1, now });
      return inserted;
    });
    this.appendResultRowsTransaction = this.db.transaction((jobId: string, firstSeq: number, rows: readonly unknown[]) => {
      rows.forEach((row, i) => this.statements.insertResultRow.run(jobId, firstSeq + i, JSON.stringify(row)));
    });
  }

  private prepare() {
    const db = this.db;
    return {
      insertJob: db.prepare(
        `INSERT INTO jobs (id, owner, kind, status, options, input_path, input_name, input_bytes, created_at)
         VALUES (@id, @owner, @kind, 'queued', @options, @inputPath, @inputName, @inputBytes, @now)`,
      ),
      getJob: db.prepare('SELECT * FROM jobs WHERE id = ?'),
      listJobs: db.prepare('SELECT * FROM jobs WHERE owner = ? ORDER BY created_at DESC, id LIMIT ?'),
      countByStatus: db.prepare('SELECT status, COUNT(*) AS n FROM jobs GROUP BY status'),
      // Claim and reclaim are separate, each served by its own index.
      claim: db.prepare(
        `UPDATE jobs SET status = 'running', lease_owner = @owner, lease_expires_at = @expires,
           started_at = COALESCE(started_at, @now), last_progress_at = @now,
           resumes = resumes + (CASE WHEN started_at IS NULL THEN 0 ELSE 1 END), version = version + 1
         WHERE id = (SELECT id FROM jobs WHERE status = 'queued' ORDER BY created_at, id LIMIT 1)
         RETURNING *`,
      ),
      reclaimExpired: db.prepare(
        `UPDATE jobs SET status = 'queued', lease_owner = NULL, lease_expires_at = NULL, version = version + 1
         WHERE status = 'running' AND lease_expires_at < @now`,
      ),
      reclaimAll: db.prepare(
        `UPDATE jobs SET status = 'queued', lease_owner = NULL, lease_expires_at = NULL, version = version + 1
         WHERE status = 'running'`,
      ),
      renewLease: db.prepare(`UPDATE jobs SET lease_expires_at = @expires WHERE id = @id AND lease_owner = @owner AND status = 'running'`),
      setTotal: db.prepare('UPDATE jobs SET units_total = @total, version = version + 1 WHERE id = @id'),
      insertUnit: db.prepare('INSERT OR IGNORE INTO units (job_id, unit, ok, result, created_at) VALUES (@jobId, @unit, @ok, @result, @now)'),
      countUnit: db.prepare(
        `UPDATE jobs SET units_done = units_done + 1, units_failed = units_failed + @failed, last_progress_at = @now,
           version = version + 1 WHERE id = @jobId`,
      ),
      unitNumbers: db.prepare('SELECT unit FROM units WHERE job_id = ? ORDER BY unit').pluck(),
      unitsPage: db.prepare('SELECT unit, ok, result FROM units WHERE job_id = ? AND unit > ? ORDER BY unit LIMIT ?'),
      finish: db.prepare(
        `UPDATE jobs SET status = @status, error_code = @code, error_message = @message, summary = @summary,
           finished_at = @now, lease_owner = NULL, lease_expires_at = NULL, version = version + 1
         WHERE id = @id AND status IN ('queued', 'running')`,
      ),
      requeue: db.prepare(
        `UPDATE jobs SET status = 'queued', lease_owner = NULL, lease_expires_at = NULL, version = version + 1
         WHERE id = @id AND status = 'running'`,
      ),
      deleteJob: db.prepare('DELETE FROM jobs WHERE id = ?'),
      clearResultRows: db.prepare('DELETE FROM result_rows WHERE job_id = ?'),
      insertResultRow: db.prepare('INSERT INTO result_rows (job_id, seq, row) VALUES (?, ?, ?)'),
      resultRowsPage: db.prepare('SELECT seq, row FROM result_rows WHERE job_id = ? AND seq > ? ORDER BY seq LIMIT ?'),
      stalled: db.prepare(`SELECT * FROM jobs WHERE status = 'running' AND last_progress_at < ?`),
    };
  }

  createJob(job: NewJob): JobRecord {
    const id = job.id ?? randomUUID();
    this.statements.insertJob.run({
      id,
      owner: job.owner,
      kind: job.kind,
      options: JSON.stringify(job.options),
      inputPath: job.inputPath ?? null,
      inputName: job.inputName ?? null,
      inputBytes: job.inputBytes ?? null,
      now: Date.now(),
    });
    return this.getJob(id)!;
  }

  getJob(id: string): JobRecord | undefined {
    const row = this.statements.getJob.get(id) as JobRow | undefined;
    return row ? toRecord(row) : undefined;
  }

  listJobs(owner: string, limit = 100): JobRecord[] {
    return (this.statements.listJobs.all(owner, limit) as JobRow[]).map(toRecord);
  }

  countByStatus(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const row of this.statements.countByStatus.all() as Array<{ status: string; n: number }>) counts[row.status] = row.n;
    return counts;
  }

  /** Takes the oldest queued job for `leaseOwner`, or undefined when none waits. */
  claimNextJob(leaseOwner: string, leaseMs: number): JobRecord | undefined {
    const now = Date.now();
    const row = this.statements.claim.get({ owner: leaseOwner, expires: now + leaseMs, now }) as JobRow | undefined;
    return row ? toRecord(row) : undefined;
  }

  /** Jobs whose runner stopped renewing its lease go back to the queue. Returns how many. */
  reclaimExpired(): number {
    return this.statements.reclaimExpired.run({ now: Date.now() }).changes;
  }

  /**
   * At start-up, every 'running' job belongs to a runner that is gone (the data directory is locked
   * to one server), so all of them are requeued at once rather than after their lease expires.
   */
  reclaimAllRunning(): number {
    return this.statements.reclaimAll.run().changes;
  }

  renewLease(id: string, leaseOwner: string, leaseMs: number): boolean {
    return this.statements.renewLease.run({ id, owner: leaseOwner, expires: Date.now() + leaseMs }).changes === 1;
  }

  setTotal(id: string, total: number): void {
    this.statements.setTotal.run({ id, total });
  }

  /**
   * Stores one unit's result and counts it, in one transaction. Returns false (and changes nothing)
   * if this unit was already stored.
   */
  recordUnit(jobId: string, unit: number, ok: boolean, result: unknown): boolean {
    return this.recordUnitTransaction(jobId, unit, ok, result);
  }

  /** Units already stored for a job: what a resumed job skips. */
  storedUnitNumbers(jobId: string): Set<number> {
    return new Set(this.statements.unitNumbers.all(jobId) as number[]);
  }

  /**
   * Streams a job's unit rows in order, a page at a time: memory stays bounded for any job size,
   * and no statement stays open between pages, so a consumer may await (write to a slow HTTP
   * client) while other requests use the store.
   */
  *iterateUnits<T>(jobId: string, pageSize = 256): Generator<StoredUnit<T>> {
    for (const row of this.pagedRows<{ unit: number; ok: number; result: string }>(this.statements.unitsPage, jobId, pageSize, (r) => r.unit)) {
      yield { unit: row.unit, ok: row.ok === 1, result: JSON.parse(row.result) as T };
    }
  }

  /** A job's rows from a `(job_id, after, limit)` statement, a page at a time, keyed by `keyOf`. */
  private *pagedRows<R>(statement: Database.Statement, jobId: string, pageSize: number, keyOf: (row: R) => number): Generator<R> {
    let after = -1;
    for (;;) {
      const rows = statement.all(jobId, after, pageSize) as R[];
      yield* rows;
      if (rows.length < pageSize) return;
      after = keyOf(rows[rows.length - 1]!);
    }
  }

  /**
   * Starts a job's result rows (what a job computes from all its units at the end: a deed scan's
   * deeds), dropping any that an interrupted run of it left. The rows are stored as they come, a batch
   * per transaction, so a result of any length is never held whole.
   */
  startResultRows(jobId: string, batchSize = 256): ResultRowWriter {
    this.statements.clearResultRows.run(jobId);
    let next = 0;
    let batch: unknown[] = [];
    const flush = () => {
      if (batch.length === 0) return;
      this.appendResultRowsTransaction(jobId, next, batch);
      next += batch.length;
      batch = [];
    };
    return {
      add(row) {
        batch.push(row);
        if (batch.length >= batchSize) flush();
      },
      finish: flush,
    };
  }

  /** A job's result rows in order, a page at a time (see iterateUnits). */
  *iterateResultRows<T>(jobId: string, pageSize = 256): Generator<T> {
    for (const row of this.pagedRows<{ seq: number; row: string }>(this.statements.resultRowsPage, jobId, pageSize, (r) => r.seq)) yield JSON.parse(row.row) as T;
  }

  finishJob(id: string, status: 'done' | 'failed' | 'cancelled', outcome: { code?: string; message?: string; summary?: unknown } = {}): boolean {
    return (
      this.statements.finish.run({
        id,
        status,
        code: outcome.code ?? null,
        message: outcome.message ?? null,
        summary: outcome.summary === undefined ? null : JSON.stringify(outcome.summary),
        now: Date.now(),
      }).changes === 1
    );
  }

  /** Gives a running job back to the queue (a graceful shutdown mid-job). */
  requeue(id: string): void {
    this.statements.requeue.run({ id });
  }

  deleteJob(id: string): boolean {
    return this.statements.deleteJob.run(id).changes === 1;
  }

  /** Running jobs that have not finished a unit since `sinceMs`. */
  stalledJobs(sinceMs: number): JobRecord[] {
    return (this.statements.stalled.all(sinceMs) as JobRow[]).map(toRecord);
  }

  close(): void {
    this.db.close();
  }
}
