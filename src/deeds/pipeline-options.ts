import { KeelError } from '../core/errors.js';
import type { OcrEngineChoice } from '../ocr/select.js';
import type { PolicyName } from './types.js';

export const SCAN_MODES = ['single_deed', 'page_by_page', 'multi_deed'] as const;
export const POLICY_NAMES = ['balanced', 'high-recall'] as const;
export const OCR_CHOICES = ['auto', 'wasm', 'native'] as const;

export type ScanMode = (typeof SCAN_MODES)[number];

/** What a deed scan was asked to do: plain data, stored with the job, shared by CLI and HTTP. */
export interface DeedScanOptions {
  mode: ScanMode;
  policy: PolicyName;
  ocr: OcrEngineChoice;
  /** single_deed stops at the first page whose reservation probability reaches this. */
  confidenceThreshold: number;
  earlyStop: boolean;
  /** Pages per chunk (the unit of progress lines and memory checkpoints); 0 = from the memory budget. */
  chunkSize: number;
}

export const DEFAULT_SCAN_OPTIONS: DeedScanOptions = {
  mode: 'single_deed',
  policy: 'balanced',
  ocr: 'auto',
  confidenceThreshold: 0.7,
  earlyStop: true,
  chunkSize: 0,
};

function pick<T extends string>(name: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined || value === null || value === '') return fallback;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new KeelError('E_BAD_OPTION', `${name} must be one of ${allowed.join(', ')} (got "${String(value)}")`);
}

function flag(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined || value === null || value === '') return fallback;
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new KeelError('E_BAD_OPTION', `${name} must be true or false (got "${String(value)}")`);
}

/** Validates options from any front door (CLI flags, form fields, stored JSON); unknown keys are ignored. */
export function parseScanOptions(input: Record<string, unknown>): DeedScanOptions {
  const threshold = input.confidenceThreshold ?? input.confidence_threshold;
  const confidenceThreshold = threshold === undefined || threshold === '' ? DEFAULT_SCAN_OPTIONS.confidenceThreshold : Number(threshold);
  if (!(confidenceThreshold > 0 && confidenceThreshold <= 1)) {
    throw new KeelError('E_BAD_OPTION', `the confidence threshold must be a number in (0, 1] (got "${String(threshold)}")`);
  }
  const chunk = input.chunkSize ?? input.chunk_size;
  const chunkSize = chunk === undefined || chunk === '' ? 0 : Number(chunk);
  if (!Number.isInteger(chunkSize) || chunkSize < 0) throw new KeelError('E_BAD_OPTION', `the chunk size must be a whole number of pages (got "${String(chunk)}")`);
  return {
    mode: pick('mode', input.mode, SCAN_MODES, DEFAULT_SCAN_OPTIONS.mode),
    policy: pick('policy', input.policy, POLICY_NAMES, DEFAULT_SCAN_OPTIONS.policy),
    ocr: pick('ocr', input.ocr, OCR_CHOICES, DEFAULT_SCAN_OPTIONS.ocr),
    confidenceThreshold,
    earlyStop: flag('early stop', input.earlyStop ?? input.early_stop, DEFAULT_SCAN_OPTIONS.earlyStop),
    chunkSize,
  };
}

/**
 * Pages per chunk from the memory budget, as the original's instance tiers did by hand: 25 pages at
 * 512 MB, 50 at 1 GB, 100 at 2 GB, 200 at 4 GB. Memory does not grow with the chunk (pages stream
 * one at a time); a bigger machine just checkpoints and logs less often.
 */
export function chunkSizeForBudget(budgetBytes: number): number {
  const tiers = Math.max(1, Math.floor(budgetBytes / (512 * 1024 ** 2)));
  return Math.min(500, 25 * 2 ** Math.floor(Math.log2(tiers)));
}
