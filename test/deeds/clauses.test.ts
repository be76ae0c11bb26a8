import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extractClauses } from '../../src/deeds/clauses.js';
import { classifyPage } from '../../src/deeds/decision.js';
import type { ClauseType } from '../../src/deeds/types.js';

// All clause texts below are written for these tests (no real deed text), in the style of PA/OH/WV deeds,
// with the kinds of damage OCR does: split words, digit/letter swaps, run-together words, hyphenated breaks.

function types(text: string): ClauseType[] {
  return extractClauses(text).map((c) => c.clauseType);
}

function oilGasTypes(text: string): ClauseType[] {
  return extractClauses(text)
    .filter((c) => c.substances.some((s) => s === 'oil' || s === 'gas'))
    .map((c) => c.clauseType);
}

const CLEAN_RESERVATION =
  'containing 52 acres, more or less. EXCEPTING AND RESERVING unto the Grantors, their heirs and assigns, all of the oil and gas in and underlying the above described premises.';

test('a clean reservation of oil and gas is a new reservation', () => {
  const clauses = extractClauses(CLEAN_RESERVATION);
  assert.equal(clauses.length, 1);
  assert.equal(clauses[0]!.clauseType, 'new_reservation');
  assert.deepEqual([...clauses[0]!.substances].sort(), ['gas', 'oil']);
});

test('noisy OCR variants of the same reservation are still found as new reservations', () => {
  const variants = [
    'containing 52 acres. EXCEPTING AND RESERV ING unto the Grantors, their heirs and assigns, all of the o il and gas in and underlying the premises.',
    'containing 52 acres. excepting and reserv1ng unto the Grantors, their heirs and assigns, all of the 0il and gss in and underlying the premises.',
    'containing 52 acres. Excepting and reser-\nving unto the Grantors, their heirs and\nassigns, all of the oilandgas in and underlying the premises.',
    'containing 52 acres. EXCEPTlNG AND RESERVlNG unto the Grantors , their heirs and assigns , all of the oil ,gas in and underlying the premises.',
    'containing 52 acres. There is excepted and reserved from this conveyance one-half (1/2) of all the oil and natural gas within and underlying said land.',
    'containing 52 acres. The Grantor hereby reserves unto himself all petroleum, oil and gas underlying the tract.',
  ];
  for (const v of variants) {
    assert.ok(oilGasTypes(v).includes('new_reservation'), `expected a new reservation in: ${v}\n got ${JSON.stringify(extractClauses(v))}`);
  }
});

test('an earlier reservation carried into the deed is a prior reservation', () => {
  const text =
    'BEING the same premises conveyed to the Grantor by deed recorded in Deed Book 100, page 10. EXCEPTING the oil and gas heretofore reserved by Mary Roe in a prior deed of conveyance.';
  assert.ok(oilGasTypes(text).includes('prior_reservation'), JSON.stringify(extractClauses(text)));
  const passive = 'Said tract contains 20 acres. All the oil and gas underlying said tract reserved by John Doe in his deed to Richard Roe.';
  assert.deepEqual(oilGasTypes(passive), ['prior_reservation']);
});

test('a coal-only reservation is coal_only, mining rights with it included', () => {
  const text =
    'EXCEPTING AND RESERVING all the Pittsburgh seam of coal underlying the premises, together with the mining rights and privileges heretofore granted.';
  const t = types(text);
  assert.ok(t.length > 0);
  assert.ok(t.every((x) => x === 'coal_only'), JSON.stringify(extractClauses(text)));
});

test('the Pennsylvania coal notice is not a reservation of oil or gas', () => {
  const text =
    'NOTICE - THIS DOCUMENT MAY NOT SELL, CONVEY, TRANSFER, INCLUDE OR INSURE THE TITLE TO THE COAL AND RIGHT OF SUPPORT UNDERNEATH THE SURFACE LAND DESCRIBED HEREIN.';
  assert.deepEqual(oilGasTypes(text), []);
});

test('a conveyance of oil and gas to the grantee is a conveyance', () => {
  const texts = [
    'TOGETHER with all the oil, gas and other minerals in and under said tract.',
    'The Grantors do hereby grant and convey unto the Grantee all of their interest in the oil and gas underlying said land.',
  ];
  for (const text of texts) assert.deepEqual(oilGasTypes(text), ['conveyance'], text);
});

test('generic "subject to ... of record" and "any outstanding leases" are generic_of_record', () => {
  const texts = [
    'UNDER AND SUBJECT to all reservations and exceptions of oil, gas and minerals, easements and rights of way of record.',
    'Subject to any outstanding oil and gas leases, if any.',
  ];
  for (const text of texts) assert.deepEqual(oilGasTypes(text), ['generic_of_record'], text);
});

test('subject to a specifically identified oil and gas lease is subject_to_specific', () => {
  const text =
    'This conveyance is made subject to an oil and gas lease to the Acme Producing Company dated June 1, 1950, and recorded in Lease Book 44, page 120.';
  assert.deepEqual(oilGasTypes(text), ['subject_to_specific']);
});

test('the right to drill for oil and gas granted with an easement is not a conveyance of the oil and gas', () => {
  const text = 'TOGETHER with the right of way for the purpose of laying pipe lines for the transportation of oil and gas.';
  assert.deepEqual(oilGasTypes(text), []);
});

test('company names and fixtures are not substances', () => {
  const text = 'thence along the line of the Tri-County Gas Company; excepting the gas fixtures now in the house which are reserved.';
  assert.deepEqual(oilGasTypes(text), []);
});

test('a negated reservation is not a reservation', () => {
  const text = 'The foregoing statement shall not be construed to be an exception or reservation of the oil and gas under the premises.';
  assert.deepEqual(oilGasTypes(text), []);
});

test('"without reservation" and "no oil or gas is reserved" are not reservations, of oil and gas or of minerals', () => {
  const negatives = [
    'This conveyance is made without reservation of the oil and gas underlying said land.',
    'This deed is given without any reservation of minerals whatsoever.',
    'No oil, gas or minerals are reserved or excepted by this deed.',
    'The oil and gas underlying the tract are not reserved by the Grantors.',
  ];
  for (const text of negatives) assert.deepEqual(extractClauses(text), [], `${text}\n got ${JSON.stringify(extractClauses(text))}`);
  // The same words with the reservation made still count.
  assert.deepEqual(oilGasTypes('This conveyance is made with a reservation of the oil and gas underlying said land.'), ['new_reservation']);
  assert.deepEqual(oilGasTypes('All oil and gas underlying the tract are reserved by the Grantors.'), ['prior_reservation']);
});

test('quotes are verbatim substrings of the page text with correct offsets', () => {
  const texts = [
    CLEAN_RESERVATION,
    'Lot 5.  excepting and reserv1ng unto the Grantors all of the 0il and gss.  Subject to any outstanding oil and gas leases.',
    'foo\r\n\r\nEXCEPTING  AND\nRESERVING\t all  the o il\n and gas. TOGETHER with all coal, oil and gas.',
  ];
  for (const text of texts) {
    const ev = classifyPage(text, 7);
    assert.ok(ev.length > 0);
    for (const e of ev) {
      assert.equal(e.page, 7);
      assert.equal(text.slice(e.start, e.end), e.quote);
      assert.ok(text.includes(e.quote));
      assert.ok(e.quote.length <= 700);
    }
  }
});

test('a clause cut by the page break is found and attributed to the page where it starts', () => {
  const page1 = 'Beginning at a stone; thence north 20 feet to the place of beginning. EXCEPTING AND RESERVING unto the Grantors, their heirs and';
  const page2 = 'assigns, all of the oil and gas within and underlying the above described premises. IN WITNESS WHEREOF the parties have set their hands.';
  assert.deepEqual(oilGasTypes(page2), []); // page 2 alone does not show the reservation
  const ev = classifyPage(page2, 2, { previous: { page: 1, text: page1 } });
  const res = ev.filter((e) => e.clauseType === 'new_reservation');
  assert.equal(res.length, 1);
  assert.equal(res[0]!.page, 1);
  assert.equal(res[0]!.continuesOnNextPage, true);
  assert.equal(page1.slice(res[0]!.start, res[0]!.end), res[0]!.quote);
  assert.match(res[0]!.quote, /^EXCEPTING AND RESERVING/);
  assert.ok(page2.startsWith(res[0]!.continuation!));
  assert.match(res[0]!.continuation!, /oil and gas/);
});

// A phrase bank of common PA/OH/WV wordings (written for this test), with the decision the written policy gives.
const PHRASES: [string, boolean][] = [
  ['SAVING AND EXCEPTING, however, unto the grantors all the oil and gas underlying said land.', true],
  ['LESS AND EXCEPT all oil, gas and other minerals in and under the above tract.', true],
  ['The Grantors herein reserve a one-half (1/2) interest in all oil and gas royalties.', true],
  ['The within conveyance does not include the oil and gas underlying said tract.', true],
  ['It is understood that the oil and gas rights are not conveyed herein.', true],
  ['Subject to the reservation of oil and gas contained in the deed from A to B, recorded in Deed Book 3, page 4.', true],
  ['SUBJECT to the oil and gas lease of record in O.R. Book 45, page 32.', true],
  ['ALSO EXCEPTING so much of the oil and gas as was heretofore excepted in prior deeds.', true],
  ['Grantor reserves unto itself, its successors and assigns, all petroleum and natural gas underlying the premises.', true],
  ['This conveyance is made subject to all prior reservations of oil and gas.', false],
  ['SUBJECT to the oil, gas and coal reservations of record.', false],
  ['Subject to all legal highways, easements, rights of way, and oil and gas leases of record.', false],
  ['Subject to existing oil and gas leases, if any.', false],
  ['EXCEPTING the Freeport vein of coal heretofore sold, together with the usual mining rights.', false],
  ['Lessor hereby grants, leases and lets exclusively unto Lessee for the purpose of exploring for and producing oil and gas.', false],
  ['Being the same oil and gas interest conveyed to the Grantor by deed of John Smith.', false],
  ['The three lots together contain 40 acres; the coal under them belongs to the Valley Coal Co. and the gas well to Ridge Gas Co.', false],
];

test('phrase bank: each wording gets the policy decision', () => {
  for (const [text, positive] of PHRASES) {
    const got = classifyPage(text, 1).some((e) => ['new_reservation', 'prior_reservation', 'subject_to_specific'].includes(e.clauseType) && e.substances.some((s) => s === 'oil' || s === 'gas' || s === 'petroleum'));
    assert.equal(got, positive, `${text}\n  -> ${JSON.stringify(classifyPage(text, 1).map((e) => [e.clauseType, e.rules]))}`);
  }
});

test('a reservation typed in letter-spaced capitals is found, and quoted as typed', () => {
  const text = 'containing 40 acres. E X C E P T I N G   A N D   R E S E R V I N G unto the Grantors all of the oil and gas underlying said tract.';
  const evidence = classifyPage(text, 3);
  assert.deepEqual(evidence.map((e) => e.clauseType), ['new_reservation']);
  assert.ok(evidence[0]!.quote.startsWith('E X C E P T I N G'), evidence[0]!.quote);
  assert.equal(text.slice(evidence[0]!.start, evidence[0]!.end), evidence[0]!.quote);
});

test('a reservation that carves the oil and gas out of itself does not reserve them', () => {
  const carvedOut = [
    'EXCEPTING AND RESERVING all the coal underlying said land, but not the oil and gas.',
    'Excepting and reserving all the coal underlying said tract, but not including the oil and gas, which pass to the grantee.',
    'Excepting and reserving the coal only; the oil and gas are not reserved and pass by this deed.',
    'Excepting and reserving the coal, the oil and gas being included in this conveyance.',
    'Excepting and reserving all the coal, and the oil and gas are hereby conveyed to the Grantee.',
    'Reserving unto the Grantors all the coal and other minerals except the oil and gas.',
  ];
  for (const text of carvedOut) {
    const found = extractClauses(text).filter((c) => c.substances.includes('oil'));
    assert.deepEqual(found.map((c) => c.clauseType), ['conveyance'], `${text}\n got ${JSON.stringify(found)}`);
    assert.ok(found[0]!.rules.some((r) => r.startsWith('carved_out:')), JSON.stringify(found[0]!.rules));
    assert.equal(classifyPage(text, 1).some((e) => e.clauseType === 'new_reservation' && e.substances.includes('oil')), false, text);
  }
});

test('words that only look like a carve-out leave the reservation standing', () => {
  const reserved = [
    // an exception of oil and gas severed before: the grantor cannot convey them
    'Excepting and reserving all the oil and gas heretofore conveyed to the Carnegie Natural Gas Company.',
    // "hereby conveyed" is about the land, not the oil and gas
    'Excepting and reserving the oil and gas underlying the land hereby conveyed.',
    'Excepting and reserving unto the grantors all the oil and gas, but not the coal.',
    'Excepting and reserving to the grantors not only the coal but also the oil and gas.',
    'Excepting and reserving the oil and gas which is not included in this conveyance.',
    // "sold" here is the minerals' production, not this deed
    'Further excepting and reserving unto the Grantors one-half of the income from any oil and gas sold from the premises.',
  ];
  for (const text of reserved) {
    const types = oilGasTypes(text);
    assert.ok(types.includes('new_reservation') || types.includes('prior_reservation'), `${text}\n got ${JSON.stringify(extractClauses(text))}`);
  }
});

test('"the No. 8 coal" is a seam number, not a negation that carves anything out', () => {
  const text = 'EXCEPTING AND RESERVING the No. 8 coal and mining rights as previously sold.';
  assert.deepEqual(types(text), ['coal_only'], JSON.stringify(extractClauses(text)));
});

test('royalties and rentals from an oil and gas lease, reserved by the grantor, are a new reservation', () => {
  const text =
    'Excepting and reserving unto the grantor herein, for and during her natural life, all rentals and royalties arising from any oil and gas lease on said premises.';
  const found = extractClauses(text);
  assert.deepEqual(found.map((c) => c.clauseType), ['new_reservation'], JSON.stringify(found));
  assert.ok(found[0]!.rules.includes('reserve_lease_income'));
});

test('"out of this grant" is a noun: the reservation before it still governs the oil and gas', () => {
  const text = 'there is excepted and reserved out of this grant all of the oil and gas in and under said land';
  assert.deepEqual(oilGasTypes(text), ['new_reservation'], JSON.stringify(extractClauses(text)));
});

test('"subject to oil and gas leases" in the plural, none identified, is generic', () => {
  const text = 'Subject to oil and gas leases, pipe line rights of way and coal and mining rights of record, if any.';
  assert.deepEqual(oilGasTypes(text), ['generic_of_record'], JSON.stringify(extractClauses(text)));
});

test('places named for oil or gas (Oil City, Oil Creek) are not the substances', () => {
  for (const text of [
    'This conveyance is made subject to a mortgage in favor of Oil City National Bank, recorded in Mortgage Book 40, page 12.',
    'Excepting and reserving the lot on the bank of Oil Creek heretofore conveyed to the school district.',
  ]) {
    assert.deepEqual(oilGasTypes(text), [], JSON.stringify(extractClauses(text)));
  }
});

test('"it is not the intention of the grantors to convey the oil and gas" keeps them back', () => {
  const text = 'It is not the intention of the grantors to convey the oil and gas underlying said land.';
  assert.deepEqual(oilGasTypes(text), ['new_reservation'], JSON.stringify(extractClauses(text)));
  // The intent affirmed is a conveyance.
  assert.deepEqual(oilGasTypes('It is the intention of the grantors to convey all the oil and gas underlying said land.'), ['conveyance']);
});
