import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { repoRoot } from '../helpers/shared.js';
import type { AnalysisResult, EmailAnalysis } from '../../src/email/types.js';

export const fixturesDir = join(repoRoot, 'test', 'email', 'fixtures');

export function fixture(name: string): Buffer {
  return readFileSync(join(fixturesDir, name));
}

/** Deterministic bytes (xorshift) so a "binary garbage" test is the same on every run. */
export function garbage(length: number, seed = 0x9e3779b9): Buffer {
  const out = Buffer.alloc(length);
  let x = seed >>> 0;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

export function assertOk(result: AnalysisResult): asserts result is EmailAnalysis {
  if (!result.ok) assert.fail(`expected ok, got ${result.code}: ${result.message}`);
}

/** Invariants every ok result must satisfy, whatever the input. */
export function assertWellFormed(result: EmailAnalysis): void {
  const text = result.text.analyzed;
  for (const key of ['entities', 'keyPhrases', 'questions', 'deadlines', 'warnings', 'attachments', 'to'] as const) {
    assert.ok(Array.isArray(result[key]), `${key} must be an array`);
  }
  assert.ok(Array.isArray(result.bulk.indicators) && Array.isArray(result.priority.reasons) && Array.isArray(result.urgency.triggers));
  for (const name of ['gratitude', 'agreement', 'dissatisfaction', 'demand'] as const) {
    assert.ok(Array.isArray(result.patterns[name].phrases), `patterns.${name}.phrases must be an array`);
  }
  assert.ok(result.priority.score >= 0 && result.priority.score <= 100);
  assert.ok(result.sentiment.score >= -1 && result.sentiment.score <= 1);
  assert.ok(result.text.bodyStart <= result.text.tailStart && result.text.tailStart <= text.length);
  for (const span of [...result.entities, ...result.questions, ...result.deadlines]) {
    assert.ok(span.start >= 0 && span.end <= text.length && span.start < span.end, `bad span ${span.start}-${span.end}`);
  }
  for (const entity of result.entities) assert.equal(text.slice(entity.start, entity.end), entity.text);
  for (const question of result.questions) assert.equal(text.slice(question.start, question.end), question.text);
  for (const deadline of result.deadlines) assert.ok(deadline.date === null || /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2})?$/.test(deadline.date));
}
