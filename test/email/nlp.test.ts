import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readText } from '../../src/email/nlp.js';

/** Every token's value is the text at its offsets, and the tokens run in order through the text. */
function assertTokensAreSlices(text: string): void {
  const doc = readText(text);
  assert.ok(doc.tokens.length > 0);
  let previousEnd = 0;
  for (const token of doc.tokens) {
    assert.equal(token.value, text.slice(token.start, token.end), `token at ${token.start}`);
    assert.ok(token.start >= previousEnd, `token at ${token.start} starts after the one before it`);
    previousEnd = token.end;
  }
}

test('token values are the text at their offsets, whichever copy wink read', () => {
  // wink reads the text itself.
  assertTokensAreSlices("Hi Bob,\n\nCan we meet tomorrow's 3pm call at 12 Main St.? Mail me: bob@example.org :)\n");
  // Built by concatenation, as the analysed text is (subject + body + tail).
  const subject = 'Re: the Q3 numbers';
  let composed = `${subject}\n\n` + 'Please send the figures by Friday, 5 p.m.\n'.repeat(3);
  composed += '\n\n' + '-- \nJane Doe | ACME Corp. | +1 (555) 010-9999';
  assertTokensAreSlices(composed);
  // wink reads a copy: letters beyond Latin-1 folded (Dvořák -> Dvorak), so values must come from the text.
  const folded = 'Łukasz Dvořák met Gdańsk officials; İstanbul next.';
  assertTokensAreSlices(folded);
  const names = readText(folded).tokens.map((t) => t.value);
  assert.ok(names.includes('Dvořák') && names.includes('Łukasz'), names.join(' '));
  // wink reads a copy with a long run's tail blanked.
  assertTokensAreSlices(`see ${'x'.repeat(3000)} then call Ann.`);
});

test('reloading wink does not grow the model it loads: its custom-entity model is read once per process', async () => {
  // Force reloads the way a long run does: every 100,000 tokens wink adds to its table.
  let n = 0;
  for (let reload = 0; reload < 4; reload++) {
    const words: string[] = [];
    for (let i = 0; i < 50_500; i++) words.push(`q${n++}z`);
    readText(words.join(' '));
    readText(words.join(' ').replace(/z/g, 'y'));
  }
  readText('One more message after the last reload.');
  // The model module rewrites its custom-entity machines as JSON.stringify of themselves on each metaCER()
  // call, so their length doubles per call (2,953 characters on the first, 3,583 on the second, 22,483 on
  // the sixth). Had each reload above called it, this call would see at least the sixth length.
  const { default: model } = await import('wink-eng-lite-web-model');
  const machines = (model as unknown as { metaCER(): { machines: string } }).metaCER().machines;
  assert.ok(machines.length < 5_000, `custom-entity model grew to ${machines.length} characters`);
});
