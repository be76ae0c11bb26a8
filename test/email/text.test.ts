import { test } from 'node:test';
import assert from 'node:assert/strict';
import { htmlToText } from '../../src/email/html-to-text.js';
import { segmentBody } from '../../src/email/quotes.js';
import type { SectionKind } from '../../src/email/types.js';

/** The body's text per kind, joined in order. */
function parts(body: string, options = {}): Partial<Record<SectionKind, string>> {
  const out: Partial<Record<SectionKind, string>> = {};
  const sections = segmentBody(body, options);
  let at = 0;
  for (const s of sections) {
    assert.equal(s.start, at, 'sections are contiguous');
    at = s.end;
    out[s.kind] = (out[s.kind] ?? '') + body.slice(s.start, s.end);
  }
  assert.equal(at, body.length, 'sections cover the body');
  return out;
}

test('HTML to text: blocks, breaks, lists, entities, links with useful hrefs, dropped script/style/comments', () => {
  const { text } = htmlToText(
    '<html><head><title>T</title><style>.x{}</style></head><body><div>One<br>Two</div><p>Three &amp; four&nbsp;&#8212; &#x41;&eacute;</p>' +
      '<script>bad()</script><!-- hidden --><ul><li>a</li><li>b</li></ul><table><tr><td>k</td><td>v</td></tr><tr><td>k2</td><td>v2</td></tr></table>' +
      '<a href="https://x.example/a?b=1&amp;c=2">click here</a> <a href="https://x.example/same">https://x.example/same</a> ' +
      '<a href="mailto:me@x.example">me@x.example</a> <a href="javascript:void(0)">js</a><pre>  keep\n   spacing</pre></body></html>',
  );
  assert.equal(
    text,
    'One\nTwo\n\nThree & four \u2014 A\u00e9\n\n- a\n- b\nk v\nk2 v2\nclick here (https://x.example/a?b=1&c=2) https://x.example/same me@x.example js\n  keep\n   spacing',
  );
});

test('HTML to text survives malformed markup and honours its size cap', () => {
  assert.equal(htmlToText('a < b and c<d> e <p title="x>y">f').text, 'a < b and c e\n\nf');
  assert.equal(htmlToText('<div>ok</div><script>never closed').text, 'ok');
  assert.equal(htmlToText('<head><meta charset=x><body>body without closing head').text, 'body without closing head');
  assert.equal(htmlToText('text &bogus; &amp &copy; &#150;').text, 'text &bogus; & \u00a9 \u2013');
  const capped = htmlToText('<p>' + 'x'.repeat(1000) + '</p><p>tail</p>', 100);
  assert.equal(capped.truncated, true);
  assert.doesNotMatch(capped.text, /tail/);
});

test('segments: "> " quotes and attributions, inline replies keep new text between quotes', () => {
  const body = 'On Tue, Aug 20, 2002 at 10:00AM -0400, Bob wrote:\n> first question?\n\nMy answer one.\n\n> second question?\nMy answer two.\n';
  const p = parts(body);
  assert.equal(p.quoted, 'On Tue, Aug 20, 2002 at 10:00AM -0400, Bob wrote:\n> first question?\n> second question?\n');
  assert.equal(p.new, '\nMy answer one.\n\nMy answer two.\n');
});

test('segments: Supercite quotes ("BM> ", nested "EL>> ") are quoted when the initials recur; a lone "TV>" line is not', () => {
  const body = 'Hello!\n\nBM> I would like to swap zones with\nBM> someone using Simple DNS.\n    EL>> Is that safe?\n    EL>> Really?\nYes, any BIND server will do.\n\nMenu:\n  TV>\n';
  const p = parts(body);
  assert.equal(p.quoted, 'BM> I would like to swap zones with\nBM> someone using Simple DNS.\n    EL>> Is that safe?\n    EL>> Really?\n');
  assert.equal(p.new, 'Hello!\n\nYes, any BIND server will do.\n\nMenu:\n  TV>\n');
});

test('segments: Outlook "Original Message" and Lotus Notes forward blocks end the new text', () => {
  const outlook = parts('Sounds good.\n\n-----Original Message-----\nFrom: Bob\nSent: Monday\nTo: Jane\nSubject: x\n\nold text\n');
  assert.equal(outlook.new, 'Sounds good.\n\n');
  assert.match(outlook.quoted!, /^-----Original Message-----[\s\S]*old text\n$/);

  const lotus = parts('Please handle.\n\n\n\nOutlook Migration Team\n05/14/2001 01:02 PM\nTo: Jeff Skilling/Corp/Enron@ENRON\ncc: \nSubject: Survey\n\nPlease fill in the survey.\n');
  assert.equal(lotus.new, 'Please handle.\n\n\n\n');
  assert.match(lotus.quoted!, /^Outlook Migration Team\n05\/14\/2001 01:02 PM\nTo:/);

  const forward = parts('FYI\n---------------------- Forwarded by Jeff Skilling/HOU/ECT on 05/14/2001 01:40 PM ---------------------------\nbody\n');
  assert.equal(forward.new, 'FYI\n');
  assert.match(forward.forwarded!, /^-+ Forwarded by Jeff Skilling/);
  const fw = parts('see below\n-----Original Message-----\nFrom: a\nTo: b\n\nx\n', { forwardedSubject: true });
  assert.ok(fw.forwarded && !fw.quoted);
});

test('segments: signatures after "-- " or a sign-off, "Sent from my" lines, list footers', () => {
  const dashes = parts('Body text.\n-- \nJane Smith\nAcme\n');
  assert.equal(dashes.signature, '-- \nJane Smith\nAcme\n');
  const signOff = parts('Can we meet?\n\nThanks,\nJane\nDirector, Acme Corp\n713-555-0100\n');
  assert.equal(signOff.new, 'Can we meet?\n\nThanks,\n');
  assert.equal(signOff.signature, 'Jane\nDirector, Acme Corp\n713-555-0100\n');
  const mobile = parts('On my way.\nSent from my iPhone\n');
  assert.equal(mobile.signature, 'Sent from my iPhone\n');
  const footer = parts('Release notes attached.\n\n_______________________________________________\nFoo-list mailing list\nhttps://lists.example/listinfo/foo\n');
  assert.equal(footer.footer, '_______________________________________________\nFoo-list mailing list\nhttps://lists.example/listinfo/foo\n');
  // "Thanks" early in a long message is not a sign-off.
  const early = parts('Thanks,\n' + 'line of real content\n'.repeat(12));
  assert.equal(early.signature, undefined);
});
