/**
 * Decision policies as plain data (see shared/deeds/README.md). The clause extractor is policy-free;
 * a policy only says which clause types and substances make a deed positive.
 */
import type { ClauseType, PolicyName, Substance } from './types.js';

export interface PolicyOptions {
  name: PolicyName;
  /** Clause types that make a deed positive when they name a counted substance. */
  positiveTypes: readonly ClauseType[];
  /** Substances that count. */
  countedSubstances: readonly Substance[];
  /** Substances of the grey zone (minerals never naming oil or gas): flagged, counted only when listed above. */
  greySubstances: readonly Substance[];
  /**
   * A deed is positive when P(reservation) >= threshold. `high-recall` uses a lower one, so a deed the OCR
   * could not read (or with only weak evidence) goes to review as positive instead of being dropped.
   */
  threshold: number;
}

const OIL_GAS: readonly Substance[] = ['oil', 'gas', 'petroleum', 'hydrocarbons'];
const GREY: readonly Substance[] = ['minerals', 'mining_rights'];
const POSITIVE_TYPES: readonly ClauseType[] = ['new_reservation', 'prior_reservation', 'subject_to_specific'];

export const POLICIES: Readonly<Record<PolicyName, PolicyOptions>> = {
  // Positive only when oil or gas (or petroleum/hydrocarbons) is named.
  balanced: { name: 'balanced', positiveTypes: POSITIVE_TYPES, countedSubstances: OIL_GAS, greySubstances: GREY, threshold: 0.5 },
  // Also "all minerals", "mineral rights", "mining rights" that never name oil or gas.
  'high-recall': { name: 'high-recall', positiveTypes: POSITIVE_TYPES, countedSubstances: [...OIL_GAS, ...GREY], greySubstances: GREY, threshold: 0.25 },
};

export function policyFor(name: PolicyName | PolicyOptions): PolicyOptions {
  if (typeof name !== 'string') return name;
  const p = POLICIES[name];
  if (p === undefined) throw new Error(`unknown policy ${String(name)}`);
  return p;
}
