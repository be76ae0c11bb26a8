import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tokenize } from '../../src/deeds/tokens.js';
import { editDistance, lookupContent, segmentRunTogether } from '../../src/deeds/lexicon.js';
import { estimateOcrQuality } from '../../src/deeds/quality.js';

test('OCR damage is repaired into canonical words', () => {
  const cases: [string, string][] = [
    ['reserv ing the o il', 'reserving the oil'],
    ['reserv1ng the 0il and gss', 'reserving the oil and gas'],
    ['reser-\nving all oilandgas', 'reserving all oil and gas'],
    ['EXCEPTlNG and min erals', 'excepting and minerals'],
    ['petro leum, hydrocarbons', 'petroleum hydrocarbons'],
    ['all of the 011 and gas, 017', 'all of the oil and gas oil'],
    ['page 111 and 0.5 acres', 'page 111 and 0 5 acres'],
  ];
  for (const [raw, canon] of cases) assert.equal(tokenize(raw).canon, canon, raw);
});

test('ordinary words next to lexicon words are not "repaired" into them', () => {
  assert.equal(tokenize('the gates of the soil at least').canon, 'the gates of the soil at least');
  assert.equal(tokenize('the grantee accepting this deed').canon, 'the grantee accepting this deed');
  assert.equal(tokenize('it being the intention of the parties').canon, 'it being the intention of the parties');
  assert.equal(tokenize('except as aforesaid').canon, 'except as aforesaid');
});

test('every token maps back to its original characters', () => {
  const text = 'Lot 5;  EXCEPT1NG and reser-\n ving the  o il\tandgas, coai.';
  const { tokens } = tokenize(text);
  for (const t of tokens) {
    assert.ok(t.start >= 0 && t.end <= text.length && t.start < t.end);
    assert.ok(/^[A-Za-z0-9$|@]/.test(text[t.start]!), `token ${t.w} starts on a word character`);
  }
  const oil = tokens.find((t) => t.w === 'oil')!;
  assert.equal(text.slice(oil.start, oil.end), 'o il');
});

test('lexicon helpers', () => {
  assert.equal(editDistance('excepting', 'exceptnig', 2), 1);
  assert.equal(editDistance('abc', 'xyz', 1), 2);
  assert.equal(lookupContent('reservatlon')?.word, 'reservation');
  assert.equal(lookupContent('soil'), undefined);
  assert.deepEqual(segmentRunTogether('oilandgas'), ['oil', 'and', 'gas']);
  assert.equal(segmentRunTogether('turmoil'), undefined);
});

test('OCR quality estimate separates clean text from garbage', () => {
  const clean =
    'WITNESSETH, that the said parties of the first part, in consideration of the sum of one dollar, do grant and convey unto the said party of the second part all that certain tract of land situate in the township.';
  const garbage = 'Wq zrt ;; Xhv ftk Bnm. qq Pzt lkj hgf ~~ vbn Wxz tr qwe yui zxc mnb vcx ghj Trk';
  assert.ok(estimateOcrQuality(clean) > 0.8, String(estimateOcrQuality(clean)));
  assert.ok(estimateOcrQuality(garbage) < 0.2, String(estimateOcrQuality(garbage)));
  assert.equal(estimateOcrQuality(''), 0);
});

test('letter-spaced capitals read as the words they spell, each mapped back to its letters', () => {
  const text = 'E X C E P T I N G   A N D   R E S E R V I N G unto the Grantor all the O I L and gas. W I T N E S S E T H:';
  const { tokens, canon } = tokenize(text);
  assert.equal(canon, 'excepting and reserving unto the grantor all the oil and gas witnesseth');
  const excepting = tokens[0]!;
  assert.equal(text.slice(excepting.start, excepting.end), 'E X C E P T I N G');
  assert.equal(excepting.repair, 1);
  // The gaps between words lost by OCR: the run still splits into lexicon words.
  assert.equal(tokenize('S A V I N G A N D E X C E P T I N G the coal').canon, 'saving and excepting the coal');
  // Short runs and lower-case letters are left alone: a list "A B C", OCR specks "a i e".
  assert.equal(tokenize('Tracts A B C and a i e o').canon, 'tracts a b c and a i e o');
});
