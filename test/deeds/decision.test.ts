import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideDocument } from '../../src/deeds/decision.js';
import type { PageText } from '../../src/deeds/types.js';

// Synthetic deed pages written for these tests.
const OPENING =
  'THIS DEED, made the 3rd day of May, 1961, between John Doe and Jane Doe, his wife, Grantors, and Richard Roe, Grantee. ' +
  'WITNESSETH, that in consideration of One Dollar the Grantors do grant and convey unto the Grantee all that certain tract of land ' +
  'situate in the Township of Franklin, County of Greene, bounded and described as follows: Beginning at a stone; thence north 20 degrees ' +
  'east 200 feet to a post; thence south 70 degrees east 100 feet to the place of beginning, containing one acre.';
const CLOSING =
  'The Grantors covenant that they will warrant generally the property hereby conveyed. Witness our hands and seals. ' +
  'Commonwealth of Pennsylvania, County of Greene: before me, a Notary Public, personally appeared the Grantors. My commission expires.';

function deed(...middle: string[]): PageText[] {
  return [
    { page: 1, text: OPENING },
    { page: 2, text: [...middle, CLOSING].join(' ') },
  ];
}

test('an oil and gas reservation makes the deed positive under both policies, with the quote and page', () => {
  const pages = deed('EXCEPTING AND RESERVING unto the Grantors all of the oil and gas within and underlying said premises.');
  for (const policy of ['balanced', 'high-recall'] as const) {
    const d = decideDocument(pages, policy);
    assert.equal(d.hasReservation, true);
    assert.ok(d.confidence >= 0.85, `confidence ${d.confidence}`);
    assert.equal(d.evidence[0]!.page, 2);
    assert.match(d.evidence[0]!.quote, /oil and gas/);
    assert.ok(pages[1]!.text.includes(d.evidence[0]!.quote));
  }
});

test('plain boilerplate is negative with high confidence that there is no reservation', () => {
  const d = decideDocument(deed('Subject to all easements and rights of way of record.'), 'balanced');
  assert.equal(d.hasReservation, false);
  assert.ok(d.confidence < 0.1, `confidence ${d.confidence}`);
  assert.ok(d.decisionConfidence > 0.9);
});

test('coal-only, conveyance and generic clauses are negative', () => {
  const cases = [
    'EXCEPTING AND RESERVING all the Pittsburgh vein of coal underlying said land, together with the mining rights.',
    'TOGETHER with all of the oil and gas in and underlying said land.',
    'UNDER AND SUBJECT to any outstanding oil and gas leases of record.',
  ];
  for (const c of cases) {
    const d = decideDocument(deed(c), 'balanced');
    assert.equal(d.hasReservation, false, c);
    assert.ok(d.evidence.length > 0, 'the excluded clause is still reported as evidence');
    assert.ok(d.confidence < 0.2, `${c}: ${d.confidence}`);
  }
});

test('subject to a specific oil and gas lease is positive', () => {
  const d = decideDocument(
    deed('This conveyance is subject to an oil and gas lease to the Keystone Gas Company dated March 1, 1955, recorded in Lease Book 12, page 301.'),
    'balanced',
  );
  assert.equal(d.hasReservation, true);
  assert.equal(d.evidence[0]!.clauseType, 'subject_to_specific');
});

test('the grey zone (minerals without oil or gas) differs by policy and is flagged', () => {
  const pages = deed('EXCEPTING AND RESERVING unto the Grantors all minerals and mineral rights underlying said land.');
  const balanced = decideDocument(pages, 'balanced');
  const highRecall = decideDocument(pages, 'high-recall');
  assert.equal(balanced.hasReservation, false);
  assert.equal(highRecall.hasReservation, true);
  assert.ok(balanced.reviewFlags.includes('grey_zone_minerals_only'));
  assert.ok(highRecall.reviewFlags.includes('grey_zone_minerals_only'));
  assert.ok(balanced.confidence > 0.2 && balanced.confidence < 0.5, `grey balanced confidence ${balanced.confidence}`);
});

test('confidence falls with the reading quality of the quoted clause', () => {
  const clean = decideDocument(deed('EXCEPTING AND RESERVING unto the Grantors all of the oil and gas underlying said land.'), 'balanced');
  const noisy = decideDocument(deed('EXCEPTlNG AND RESERV1NG unto the Grantors all of the 0il and gss underlying said land.'), 'balanced');
  assert.equal(noisy.hasReservation, true);
  assert.ok(noisy.confidence < clean.confidence, `${noisy.confidence} < ${clean.confidence}`);
  assert.ok(noisy.evidence[0]!.textQuality < clean.evidence[0]!.textQuality);
});

test('two independent reservation clauses give more confidence than one', () => {
  const one = decideDocument(deed('The Grantor reserves one-half of the oil underlying said land, more or less, as aforesaid in this instrument.'), 'balanced');
  const two = decideDocument(
    deed(
      'The Grantor reserves one-half of the oil underlying said land, more or less, as aforesaid in this instrument.',
      'There is also excepted all the gas underlying said land.',
    ),
    'balanced',
  );
  assert.ok(two.confidence > one.confidence, `${two.confidence} > ${one.confidence}`);
});

test('empty and unreadable documents are flagged; high-recall sends unreadable ones to review', () => {
  const empty = decideDocument([{ page: 1, text: '  \n ' }], 'balanced');
  assert.equal(empty.hasReservation, false);
  assert.deepEqual(empty.reviewFlags, ['no_text']);
  const garbage = Array.from({ length: 3 }, (_, i) => ({ page: i + 1, text: 'Xq zv ftk lhw |~ pq ,, mnbv ztr wq kx fhj qwz '.repeat(12), ocrQuality: 0.05 }));
  const b = decideDocument(garbage, 'balanced');
  const h = decideDocument(garbage, 'high-recall');
  assert.ok(b.reviewFlags.includes('low_ocr_quality'));
  assert.equal(b.hasReservation, false);
  assert.equal(h.hasReservation, true);
  assert.ok(b.confidence > 0.2, 'not reading a deed is not evidence it has no reservation');
});

test('a reservation next to a grant of the same oil and gas is flagged as conflicting', () => {
  const d = decideDocument(
    deed(
      'EXCEPTING AND RESERVING unto the Grantors all of the oil and gas underlying said land.',
      'ALSO GRANTING unto the Grantee all the oil and gas underlying the second tract.',
    ),
    'balanced',
  );
  assert.ok(d.reviewFlags.includes('conflicting_clauses'));
  assert.equal(d.hasReservation, true);
});

test('a reservation phrase followed by unreadable words is flagged and sent to review under high-recall', () => {
  const pages = deed('EXCEPTING AND RESERVING unto the Grantors zx qkrt vvn ttpq hhq qwx mn ptz rrq kkl zzt wwq uuq, within and underlying said land.');
  const b = decideDocument(pages, 'balanced');
  const h = decideDocument(pages, 'high-recall');
  assert.ok(b.reviewFlags.includes('unreadable_clause'));
  assert.equal(b.hasReservation, false);
  assert.equal(h.hasReservation, true);
});

test('a reserved pipeline easement for oil and gas does not make the deed positive', () => {
  const d = decideDocument(deed('EXCEPTING AND RESERVING a right of way twenty feet wide for a pipe line for the transportation of oil and gas across said land.'), 'high-recall');
  assert.equal(d.hasReservation, false, JSON.stringify(d.evidence));
});
