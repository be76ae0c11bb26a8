/**
 * The analysis of one batch, shared by the pool handler (in a worker) and the inline runner (in the
 * parent): the same code on the same inputs, hence the same results in either isolation mode.
 */
import { analyzeMessage, analyzeRef } from './analyze.js';
import type { EmailBatch, EmailTaskItem } from './batch.js';
import type { EmailOptions } from './options.js';
import { failure } from './parse.js';
import type { AnalysisResult } from './types.js';

/** Called after each message of a batch (the pool handler sends a heartbeat: a slow batch is not a hung one). */
export type ItemDone = (index: number) => void;

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Analyses one task item. Never rejects: every problem is a coded failure with the item's id. */
export async function analyzeItem(item: EmailTaskItem, options?: Partial<EmailOptions>): Promise<AnalysisResult> {
  const id = typeof item?.id === 'string' ? item.id : '(no id)';
  try {
    let result: AnalysisResult;
    if ('error' in item) return failure(id, item.error.code, item.error.message);
    if ('ref' in item) result = await analyzeRef(item.ref, { ...options, id });
    else if ('json' in item) result = await analyzeMessage({ id, json: item.json }, options);
    else if ('raw' in item) result = await analyzeMessage(item, options);
    else return failure(id, 'E_INVALID_INPUT', 'a task item needs ref, raw, json or error');
    // The id the caller chose wins (analyzeRef rebuilds one from the path otherwise).
    if (result.id !== id) result.id = id;
    return result;
  } catch (error) {
    return failure(id, 'E_INTERNAL', `unexpected failure: ${errorText(error)}`);
  }
}

/** Analyses a batch in order: exactly one result per item, at the same position. */
export async function analyzeBatch(batch: EmailBatch, defaults?: Partial<EmailOptions>, onItemDone?: ItemDone): Promise<AnalysisResult[]> {
  const options = batch.options ? { ...defaults, ...batch.options } : defaults;
  const results: AnalysisResult[] = [];
  for (let index = 0; index < batch.items.length; index++) {
    results.push(await analyzeItem(batch.items[index]!, options));
    onItemDone?.(index);
  }
  return results;
}
