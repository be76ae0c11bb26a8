import { test } from 'node:test';
import assert from 'node:assert/strict';
import { calibration, confusion, errorCases, evaluateDocuments, formatReport, metrics, ruleAblation, stratifiedHalves, type LabelledDocument } from '../../src/deeds/evaluation.js';

// Four synthetic documents: two with reservations, one plain, one whose label contradicts its clause.
const docs: LabelledDocument[] = [
  { file: 'a.pdf', label: true, pages: [{ page: 1, text: 'Containing 3 acres. EXCEPTING AND RESERVING unto the Grantors all the oil and gas underlying said land.' }] },
  { file: 'b.pdf', label: true, pages: [{ page: 1, text: 'Containing 3 acres. Subject to an oil and gas lease to Penn Drilling Company dated May 1, 1950, recorded in Book 12, page 5.' }] },
  { file: 'c.pdf', label: false, pages: [{ page: 1, text: 'Containing 3 acres. Under and subject to all easements and rights of way of record. Witness our hands.' }] },
  { file: 'd.pdf', label: false, pages: [{ page: 1, text: 'Containing 3 acres. EXCEPTING AND RESERVING unto the Grantors all the oil and gas underlying said land.' }] },
];

test('metrics, confusion and the error listing follow the decisions', () => {
  const results = evaluateDocuments(docs, 'balanced');
  assert.deepEqual(confusion(results), { tp: 2, fp: 1, tn: 1, fn: 0 });
  const m = metrics(results);
  assert.equal(m.accuracy, 0.75);
  assert.equal(m.recall, 1);
  assert.ok(Math.abs(m.precision - 2 / 3) < 1e-9);
  assert.ok(m.brier > 0 && m.brier < 1);
  const errors = errorCases(results, 'balanced');
  assert.equal(errors.length, 1);
  assert.equal(errors[0]!.file, 'd.pdf');
  assert.equal(errors[0]!.kind, 'label_contradicts_policy');
  assert.match(errors[0]!.quote!, /EXCEPTING AND RESERVING/);
});

test('calibration buckets cover every document once', () => {
  const results = evaluateDocuments(docs, 'balanced');
  const table = calibration(results);
  assert.equal(table.reduce((n, b) => n + b.n, 0), docs.length);
  for (const b of table) if (b.n > 0) assert.ok(b.meanConfidence >= b.from && b.meanConfidence < b.to + 1e-9);
});

test('rule ablation counts what each rule carries', () => {
  const results = evaluateDocuments(docs, 'balanced');
  const uses = ruleAblation(results, 'balanced');
  const reserve = uses.find((u) => u.rule === 'reserve_verb');
  assert.ok(reserve);
  assert.equal(reserve.correctDecisions, 1);
  assert.equal(reserve.flipsWhenRemoved, 2);
  assert.equal(reserve.correctLostWhenRemoved, 1);
});

test('stratified halves keep the label balance and lose nothing', () => {
  const { a, b } = stratifiedHalves(docs);
  assert.equal(a.length + b.length, docs.length);
  assert.equal(a.filter((d) => d.label).length, 1);
  assert.equal(b.filter((d) => d.label).length, 1);
});

test('the text report names the policy, the figures and the disagreements', () => {
  const report = formatReport('balanced', evaluateDocuments(docs, 'balanced'));
  assert.match(report, /policy balanced: 4 documents/);
  assert.match(report, /accuracy 0\.750/);
  assert.match(report, /label contradicts the written policy.*\(1\)/);
  assert.match(report, /d\.pdf/);
});
