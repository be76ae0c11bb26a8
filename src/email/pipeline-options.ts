/**
 * How the email workload runs on the engine, as plain data: batch size, isolation, the email pool's
 * memory plan, and the options a mailbox job stores. Shared by `keel emails`, the service and the
 * benchmark; the figures come from bench/emails.ts (see BENCHMARKS.md).
 */
import { KeelError } from '../core/errors.js';
import { planPoolMemory, type PoolMemoryPlan, type WorkerFootprint } from '../core/memory/budget.js';
import type { PoolOptions } from '../core/pool/pool.js';
import type { EmailOptions } from './options.js';

const MiB = 1024 ** 2;

/**
 * Messages per batch sent to a worker. The benchmark's sweep (bench/emails.ts, BENCHMARKS.md): each
 * task costs the parent a fixed amount (IPC, the pool reading /proc after every task), so small
 * batches pay it per message: the parent spends ~0.5 ms per message at batch 1 and ~0.2 ms from 32 on,
 * where it flattens (the throughput with it). Bigger batches only delay progress a little (64 messages are
 * ~0.2 s of work) and redo more work when a worker is killed mid-batch.
 */
export const DEFAULT_BATCH_SIZE = 64;
export const MAX_BATCH_SIZE = 1000;

/**
 * V8 flags for email workers. A worker's live heap is ~50 MB (the model plus one batch), but with
 * V8's defaults its RSS drifted to 200-250 MB of garbage not yet collected. With the old space capped
 * at 80 MB and 8 MB semi-spaces it collects sooner and stays near 145 MB on the corpus, at a CPU cost
 * within the noise of our runs. A message at the 16 MB byte cap still fits (a fresh worker peaks near
 * 155 MB on one).
 *
 * A worker spends much of its first few thousand messages compiling: over half the corpus, a fresh
 * process ran TurboFan for 3.2-4.7 s of its 12-15 s of CPU (`--trace-opt`), two thirds of it recompiling
 * the big functions (postal-mime's header parser, the entity finders) each time a rarer kind of mail
 * deoptimised them. Every inlined callee makes each compile bigger, so the inlining per compile is
 * capped at 300 bytes of bytecode (V8's default is 920): compile time fell to ~2 s there, and the
 * warmed-up speed stayed the same. Measured interleaved with the default (bench/emails.ts --measure,
 * 2 workers): faster in 7 of 8 corpus passes (median 591 against 531 messages/s) and in both runs
 * of 100,000 messages.
 */
export const EMAIL_WORKER_V8_FLAGS = [
  '--max-old-space-size=80',
  '--max-semi-space-size=8',
  '--v8-pool-size=1',
  '--max-inlined-bytecode-size-cumulative=300',
];

/**
 * The rest of a worker's RSS is outside the heap, and it crept up with the work (~70 -> 85 MB over 4,000
 * messages): glibc gives each thread that allocates its own malloc arena, and V8 runs its background GC
 * and compiler tasks on a pool of threads (4 here). With one V8 helper thread (`--v8-pool-size=1`, above)
 * and at most two arenas, a worker stayed ~10 MB smaller and, on the corpus, mostly under its soft
 * limit: 1 recycle in 6 runs of `keel emails` against 2-3 in every run before (peak tree RSS 377-393 MB
 * against 388-402), none in the 5 rounds of `npm run bench:emails`, and ~10% more messages/s, because a
 * recycle costs a model load and a cold JIT. One core of real work here, so the helper threads bought
 * no speed.
 */
export const EMAIL_WORKER_ENV = { MALLOC_ARENA_MAX: '2' };

/**
 * With those settings a worker is ~88 MB once the model is loaded and up to ~135 MB while it works
 * through real mail. One big message adds up to ~70 MB (a message at the 16 MB cap, on a fresh
 * worker); 48 MB covers the large messages of real mail. A worker near its steady size that meets a
 * message near the cap may pass its hard limit; it is then replaced and the pool retries the batch on
 * the fresh worker, where it fits. (Two 20 MB messages after the whole corpus: each killed a worker
 * once, at ~206 MB, and was analysed on the retry; peak tree RSS 403-452 MB.) The parent (IPC,
 * results in flight, JSON) sits at ~120 MB.
 * So a 512 MB budget holds two workers: 128 MB for the parent and 192 MB for each worker.
 */
export const EMAIL_WORKER_FOOTPRINT: WorkerFootprint = { steadyBytes: 144 * MiB, taskPeakBytes: 48 * MiB, idleBytes: 88 * MiB };
export const EMAIL_PARENT_RESERVE_BYTES = 128 * MiB;

/**
 * A worker is replaced after analysing about this many messages, whatever its RSS, as a backstop
 * for slow growth the soft limit would not catch. Each replacement costs a model load (~0.4 s) and
 * a cold JIT, so it is not done more often than needed.
 */
export const MESSAGES_PER_WORKER = 10_000;

/** Most silence allowed while one message is analysed (the handler sends a heartbeat after each). */
export const EMAIL_TASK_TIMEOUT_MS = 60_000;

export interface EmailPoolPlan extends PoolMemoryPlan {
  batchSize: number;
  maxTasksPerWorker: number;
  /** Batches in flight at once: the workers plus one, so no worker waits for the parent. */
  concurrency: number;
  /** Ready to give to `new WorkerPool(...)` or `new OnDemandPool(...)`. */
  poolOptions: PoolOptions;
}

export interface EmailPoolPlanOptions {
  batchSize?: number;
  maxWorkers?: number;
  /** Analysis defaults every worker applies (a batch's own options override them). */
  email?: Partial<EmailOptions>;
  name?: string;
  /**
   * What to keep back from `budgetBytes` for the parent (default EMAIL_PARENT_RESERVE_BYTES). A server
   * that already reserved the parent's share and passes only the email pool's share gives 0.
   */
  parentReserveBytes?: number;
}

/** The email pool for a memory budget: workers, soft/hard RSS limits, recycling, batch size. */
export function planEmailPool(budgetBytes: number, options: EmailPoolPlanOptions = {}): EmailPoolPlan {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const plan = planPoolMemory(budgetBytes, EMAIL_WORKER_FOOTPRINT, {
    parentReserveBytes: options.parentReserveBytes ?? EMAIL_PARENT_RESERVE_BYTES,
    ...(options.maxWorkers === undefined ? {} : { maxWorkers: options.maxWorkers }),
  });
  const maxTasksPerWorker = Math.max(1, Math.ceil(MESSAGES_PER_WORKER / batchSize));
  const concurrency = plan.workers + 1;
  return {
    ...plan,
    batchSize,
    maxTasksPerWorker,
    concurrency,
    poolOptions: {
      name: options.name ?? 'email',
      handlerModule: new URL(`./handler${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url),
      handlerOptions: { email: options.email ?? {} },
      execArgv: [...process.execArgv, ...EMAIL_WORKER_V8_FLAGS],
      env: { ...process.env, ...EMAIL_WORKER_ENV },
      size: plan.workers,
      softRssBytes: plan.softRssBytes,
      hardRssBytes: plan.hardRssBytes,
      prewarm: plan.prewarm,
      maxTasksPerWorker,
      taskTimeoutMs: EMAIL_TASK_TIMEOUT_MS,
      // The stream keeps `concurrency` batches in flight; a poison batch split into single messages
      // can add up to one batch's worth more.
      maxQueue: Math.max(64, concurrency + batchSize),
      whenQueueFull: 'wait',
    },
  };
}

export function parseBatchSize(value: unknown, fallback = DEFAULT_BATCH_SIZE): number {
  if (value === undefined || value === null || value === '') return fallback;
  const size = Number(value);
  if (!Number.isInteger(size) || size < 1 || size > MAX_BATCH_SIZE) {
    throw new KeelError('E_BAD_OPTION', `the batch size must be a whole number from 1 to ${MAX_BATCH_SIZE} (got "${String(value)}")`);
  }
  return size;
}

/** What a mailbox job was asked to do: stored with the job as JSON, read back on resume. */
export interface EmailJobOptions {
  /** 0: the server's default. */
  batchSize: number;
  /** Resolves "by Friday" in messages without a usable Date header (ISO 8601), or null. */
  referenceDate: string | null;
  maxTextChars: number | null;
  includeNumbers: boolean;
}

/** Validates options from any front door (form fields, stored JSON); unknown keys are ignored. */
export function parseEmailJobOptions(input: Record<string, unknown>): EmailJobOptions {
  const batch = input.batchSize ?? input.batch_size;
  const referenceDate = input.referenceDate ?? input.reference_date;
  if (referenceDate !== undefined && referenceDate !== null && referenceDate !== '' && (typeof referenceDate !== 'string' || Number.isNaN(Date.parse(referenceDate)))) {
    throw new KeelError('E_BAD_OPTION', `the reference date must be an ISO 8601 date such as 2001-05-14T09:00:00-05:00 (got "${String(referenceDate)}")`);
  }
  const chars = input.maxTextChars ?? input.max_text_chars;
  let maxTextChars: number | null = null;
  if (chars !== undefined && chars !== null && chars !== '') {
    maxTextChars = Number(chars);
    if (!Number.isInteger(maxTextChars) || maxTextChars < 1) throw new KeelError('E_BAD_OPTION', `the text limit must be a positive whole number of characters (got "${String(chars)}")`);
  }
  const numbers = input.includeNumbers ?? input.include_numbers;
  let includeNumbers = false;
  if (numbers === true || numbers === 'true' || numbers === '1') includeNumbers = true;
  else if (!(numbers === undefined || numbers === null || numbers === '' || numbers === false || numbers === 'false' || numbers === '0')) {
    throw new KeelError('E_BAD_OPTION', `include numbers must be true or false (got "${String(numbers)}")`);
  }
  return {
    batchSize: batch === undefined || batch === null || batch === '' || batch === 0 ? 0 : parseBatchSize(batch),
    referenceDate: typeof referenceDate === 'string' && referenceDate !== '' ? referenceDate : null,
    maxTextChars,
    includeNumbers,
  };
}

/** The analysis options a job's batches carry. */
export function analysisOptionsFor(options: EmailJobOptions): Partial<EmailOptions> {
  const out: Partial<EmailOptions> = {};
  if (options.referenceDate) out.referenceDate = options.referenceDate;
  if (options.maxTextChars !== null) out.maxTextChars = options.maxTextChars;
  if (options.includeNumbers) out.includeNumbers = true;
  return out;
}
