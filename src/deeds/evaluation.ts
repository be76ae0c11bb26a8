/**
 * Evaluation of deed decisions against labels: metrics, errors with their deciding quotes, label/policy
 * disagreements, calibration, and a rule ablation. Pure functions over plain data; scripts/eval and
 * `npm run eval:deeds` only load files and print what these return.
 */
import { ownDeedPart } from './boundaries.js';
import { clauseSupport, countsUnderPolicy, decideDocument } from './decision.js';
import { policyFor } from './policy.js';
import type { DocumentDecision, Evidence, PageText, PolicyName } from './types.js';

export interface LabelledDocument {
  /** Identifier, e.g. the PDF's path relative to the data set. */
  file: string;
  label: boolean;
  pages: PageText[];
}

export interface DocumentResult {
  file: string;
  label: boolean;
  decision: DocumentDecision;
}

export interface Confusion {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

export interface Metrics extends Confusion {
  n: number;
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
  /** Mean squared error of `confidence` as a probability of the label. */
  brier: number;
}

export interface CalibrationBucket {
  from: number;
  to: number;
  n: number;
  meanConfidence: number;
  /** Share of documents in the bucket whose label is positive. */
  observedPositive: number;
}

export function evaluateDocuments(docs: readonly LabelledDocument[], policy: PolicyName): DocumentResult[] {
  // Each file is one deed, read as single_deed reads it: without another instrument's end or start on its edge pages.
  return docs.map((d) => ({ file: d.file, label: d.label, decision: decideDocument(d.pages.map((p) => ownDeedPart(p, d.pages.length)), policy) }));
}

export function confusion(results: readonly DocumentResult[]): Confusion {
  const c: Confusion = { tp: 0, fp: 0, tn: 0, fn: 0 };
  for (const r of results) {
    const y = r.decision.hasReservation;
    if (y && r.label) c.tp++;
    else if (y && !r.label) c.fp++;
    else if (!y && r.label) c.fn++;
    else c.tn++;
  }
  return c;
}

const ratio = (a: number, b: number): number => (b === 0 ? 0 : a / b);

export function metrics(results: readonly DocumentResult[]): Metrics {
  const c = confusion(results);
  const n = results.length;
  const precision = ratio(c.tp, c.tp + c.fp);
  const recall = ratio(c.tp, c.tp + c.fn);
  const brier = ratio(results.reduce((s, r) => s + (r.decision.confidence - (r.label ? 1 : 0)) ** 2, 0), n);
  return {
    ...c,
    n,
    accuracy: ratio(c.tp + c.tn, n),
    precision,
    recall,
    f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall),
    brier,
  };
}

/** Reliability table: documents bucketed by confidence (probability of reservation) vs observed positive rate. */
export function calibration(results: readonly DocumentResult[], edges: readonly number[] = [0, 0.1, 0.3, 0.5, 0.7, 0.9, 1.0001]): CalibrationBucket[] {
  const buckets: CalibrationBucket[] = [];
  for (let i = 0; i + 1 < edges.length; i++) {
    const from = edges[i]!;
    const to = edges[i + 1]!;
    const inside = results.filter((r) => r.decision.confidence >= from && r.decision.confidence < to);
    buckets.push({
      from,
      to: Math.min(1, to),
      n: inside.length,
      meanConfidence: ratio(inside.reduce((s, r) => s + r.decision.confidence, 0), inside.length),
      observedPositive: ratio(inside.filter((r) => r.label).length, inside.length),
    });
  }
  return buckets;
}

/** The quote that decided a document: the strongest counted clause, or the first excluded/grey one. */
export function decidingEvidence(d: DocumentDecision): Evidence | undefined {
  return d.evidence[0];
}

export type ErrorKind = 'classifier_error' | 'label_contradicts_policy' | 'grey_zone';

export interface ErrorCase {
  file: string;
  label: boolean;
  predicted: boolean;
  confidence: number;
  kind: ErrorKind;
  quote: string | undefined;
  page: number | undefined;
  clauseType: string | undefined;
  rules: string[];
}

/**
 * Every wrong decision, with its deciding quote. A wrong positive resting on a clean, unambiguous clause of a
 * type the policy names (new/prior reservation or a specific lease/reservation of oil or gas, strong wording,
 * well read) is listed as `label_contradicts_policy`: the quote itself shows the policy's positive case. A
 * wrong negative whose only clause is a minerals-only reservation is `grey_zone`. The rest are ours.
 * The split is mechanical; the report is for a person to confirm by reading the quotes.
 */
export function errorCases(results: readonly DocumentResult[], policy: PolicyName): ErrorCase[] {
  const p = policyFor(policy);
  const out: ErrorCase[] = [];
  for (const r of results) {
    const d = r.decision;
    if (d.hasReservation === r.label) continue;
    const e = decidingEvidence(d);
    let kind: ErrorKind = 'classifier_error';
    if (d.hasReservation && e !== undefined && countsUnderPolicy(e, p)) {
      const clean = e.textQuality >= 0.8 && clauseSupport(e) >= 0.7;
      const typedStrongly = e.rules.some((x) => /^(reserve_verb:near|reserve_prior_marker|post_reserved_by|subject_to_reservation|lease_specific:.*\+.*)$/.test(x));
      if (clean && typedStrongly && !e.rules.includes('blocker_between')) kind = 'label_contradicts_policy';
    } else if (!d.hasReservation && d.reviewFlags.includes('grey_zone_minerals_only')) kind = 'grey_zone';
    out.push({
      file: r.file,
      label: r.label,
      predicted: d.hasReservation,
      confidence: d.confidence,
      kind,
      quote: e?.quote,
      page: e?.page,
      clauseType: e?.clauseType,
      rules: e?.rules ?? [],
    });
  }
  return out;
}

/** Deterministic stratified split of a labelled set into two halves (alternate files per label, sorted by name). */
export function stratifiedHalves<T extends { file: string; label: boolean }>(docs: readonly T[]): { a: T[]; b: T[] } {
  const a: T[] = [];
  const b: T[] = [];
  for (const label of [true, false]) {
    const group = docs.filter((d) => d.label === label).sort((x, y) => (x.file < y.file ? -1 : x.file > y.file ? 1 : 0));
    group.forEach((d, i) => (i % 2 === 0 ? a : b).push(d));
  }
  return { a, b };
}

export interface RuleUse {
  rule: string;
  /** Correct decisions that rested on this rule (it appears in the deciding evidence). */
  correctDecisions: number;
  /** Decisions that flip when every clause carrying this rule is ignored. */
  flipsWhenRemoved: number;
  /** Of those flips, how many turn a correct decision wrong. */
  correctLostWhenRemoved: number;
}

/**
 * Rule ablation: for each rule id, drop the clauses carrying it and re-decide from the remaining evidence
 * (support combined as in the decision). A rule whose removal costs exactly one correct decision is a
 * memorisation suspect; rules shared by many documents are what generalises.
 */
export function ruleAblation(results: readonly DocumentResult[], policy: PolicyName): RuleUse[] {
  const p = policyFor(policy);
  const ruleKey = (r: string): string => r.split(':')[0]!;
  const rules = new Set<string>();
  for (const r of results) for (const e of r.decision.evidence) for (const x of e.rules) rules.add(ruleKey(x));
  const out: RuleUse[] = [];
  for (const rule of rules) {
    let correctDecisions = 0;
    let flips = 0;
    let lost = 0;
    for (const r of results) {
      const d = r.decision;
      const correct = d.hasReservation === r.label;
      const deciding = decidingEvidence(d);
      if (correct && deciding !== undefined && deciding.rules.some((x) => ruleKey(x) === rule)) correctDecisions++;
      if (!d.hasReservation) continue; // removing evidence can only turn a yes into a no
      const counted = d.evidence.filter((e) => countsUnderPolicy(e, p));
      if (!counted.some((e) => e.rules.some((x) => ruleKey(x) === rule))) continue; // the rule played no part
      const remaining = counted.filter((e) => !e.rules.some((x) => ruleKey(x) === rule));
      if (remaining.length === 0) {
        flips++;
        if (correct) lost++;
      }
    }
    out.push({ rule, correctDecisions, flipsWhenRemoved: flips, correctLostWhenRemoved: lost });
  }
  return out.sort((a, b) => b.correctDecisions - a.correctDecisions || a.rule.localeCompare(b.rule));
}

/** Files whose decision differs between two runs (e.g. two OCR variants of the same deeds). */
export function decisionDifferences(a: readonly DocumentResult[], b: readonly DocumentResult[]): { file: string; a: number; b: number }[] {
  const byFile = new Map(b.map((r) => [r.file, r]));
  const out: { file: string; a: number; b: number }[] = [];
  for (const r of a) {
    const other = byFile.get(r.file);
    if (other !== undefined && other.decision.hasReservation !== r.decision.hasReservation) {
      out.push({ file: r.file, a: r.decision.confidence, b: other.decision.confidence });
    }
  }
  return out;
}

const pct = (x: number): string => x.toFixed(3);

/**
 * For correct positive decisions: how many independent rule families (first part of a rule id) their counted
 * clauses rest on. Decisions resting on several families survive the loss of any one rule.
 */
export function ruleFamiliesPerCorrectPositive(results: readonly DocumentResult[], policy: PolicyName): Map<number, number> {
  const p = policyFor(policy);
  const hist = new Map<number, number>();
  for (const r of results) {
    if (!r.label || !r.decision.hasReservation) continue;
    const families = new Set(r.decision.evidence.filter((e) => countsUnderPolicy(e, p)).flatMap((e) => e.rules.map((x) => x.split(':')[0]!)));
    hist.set(families.size, (hist.get(families.size) ?? 0) + 1);
  }
  return hist;
}

/** Plain-text report for one policy. */
export function formatReport(policy: PolicyName, results: readonly DocumentResult[]): string {
  const m = metrics(results);
  const lines: string[] = [];
  lines.push(`## policy ${policy}: ${m.n} documents`);
  lines.push(`accuracy ${pct(m.accuracy)}  precision ${pct(m.precision)}  recall ${pct(m.recall)}  F1 ${pct(m.f1)}  Brier ${pct(m.brier)}`);
  lines.push(`confusion: TP ${m.tp}  FP ${m.fp}  TN ${m.tn}  FN ${m.fn}`);
  const errors = errorCases(results, policy);
  const show = (title: string, list: ErrorCase[]): void => {
    lines.push(`${title} (${list.length})`);
    for (const e of list) {
      lines.push(`  - ${e.file}  label=${e.label ? 1 : 0} predicted=${e.predicted ? 1 : 0} p=${e.confidence.toFixed(2)}`);
      lines.push(e.quote === undefined ? '      no clause found' : `      p.${e.page} ${e.clauseType} [${e.rules.join(' ')}]: "${e.quote.replace(/\s+/g, ' ')}"`);
    }
  };
  show('wrong decisions (ours)', errors.filter((e) => e.kind === 'classifier_error'));
  show('label contradicts the written policy (judged from the quote)', errors.filter((e) => e.kind === 'label_contradicts_policy'));
  show('grey zone (minerals without oil or gas; policy decides)', errors.filter((e) => e.kind === 'grey_zone'));
  const agreeing = results.filter((r) => !errors.some((e) => e.file === r.file && e.kind !== 'classifier_error'));
  const ma = metrics(agreeing);
  lines.push(`excluding label/policy disagreements: n=${ma.n} accuracy ${pct(ma.accuracy)} precision ${pct(ma.precision)} recall ${pct(ma.recall)}`);
  lines.push('calibration (confidence = P(reservation)):');
  lines.push('  bucket      n   mean p   observed positive');
  for (const b of calibration(results)) {
    lines.push(`  ${b.from.toFixed(1)}-${b.to.toFixed(1)}  ${String(b.n).padStart(4)}   ${b.n ? b.meanConfidence.toFixed(2) : '  - '}     ${b.n ? b.observedPositive.toFixed(2) : '-'}`);
  }
  const fam = [...ruleFamiliesPerCorrectPositive(results, policy).entries()].sort((a, b) => a[0] - b[0]);
  lines.push(`correct positives by number of rule families they rest on: ${fam.map(([k, v]) => `${k}: ${v}`).join(', ') || 'none'}`);
  lines.push('rule use (correct decisions resting on the rule / decisions that flip without it / correct ones lost):');
  for (const u of ruleAblation(results, policy)) {
    lines.push(`  ${u.rule.padEnd(32)} ${String(u.correctDecisions).padStart(3)} ${String(u.flipsWhenRemoved).padStart(3)} ${String(u.correctLostWhenRemoved).padStart(3)}`);
  }
  return lines.join('\n');
}
