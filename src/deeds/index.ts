/** Public surface of the deed classifier: pure functions over page text (no I/O). */
export type { ClauseType, DeedRange, DocumentDecision, Evidence, PageText, PolicyName, ReviewFlag, Substance } from './types.js';
export { POLICIES, policyFor, type PolicyOptions } from './policy.js';
export { extractClauses, type Clause } from './clauses.js';
export { classifyPage, decideDocument, countsUnderPolicy, PAGE_TAIL_CHARS, type ClassifyPageOptions, type PageEvidence } from './decision.js';
export { DeedBoundaryTracker, detectDeedStarts, pageBoundaryFeatures } from './boundaries.js';
export { estimateOcrQuality } from './quality.js';
export { tokenize } from './tokens.js';
