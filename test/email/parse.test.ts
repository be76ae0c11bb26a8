import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMessage } from '../../src/email/parse.js';
import { parseJsonMessage } from '../../src/email/json-input.js';
import { charsetFallbackInstalled } from '../../src/email/charset.js';
import type { ParseResult, ParsedMessage } from '../../src/email/types.js';
import { fixture, garbage } from './helpers.js';

function ok(result: ParseResult): ParsedMessage {
  if (!result.ok) assert.fail(`expected ok, got ${result.code}: ${result.message}`);
  return result;
}

const codes = (m: ParsedMessage) => m.warnings.map((w) => w.code);

test('multipart/alternative with only an HTML part: text keeps the unsubscribe footer, drops script/style/comments', async () => {
  const m = ok(await parseMessage({ id: 'nl', raw: fixture('newsletter-html-only.eml') }));
  assert.equal(m.bodySource, 'html');
  assert.match(m.body, /Our new widgets are here & they\u2019re 20% cheaper/);
  assert.match(m.body, /Café owners love them/);
  assert.match(m.body, /- Blue widget\n- Green widget/);
  assert.match(m.body, /unsubscribe here \(https:\/\/widgets\.example\/unsub\?u=42\)/);
  assert.doesNotMatch(m.body, /SHOULD-NOT-APPEAR|color: red|<\/?p>/);
  assert.equal(m.htmlMentionsUnsubscribe, true);
  assert.equal(m.sections.at(-1)?.kind, 'footer', 'the unsubscribe paragraph is marked as a footer');
});

test('a text/plain part that is really an HTML page is converted; a message that discusses HTML stays text', async () => {
  const page =
    '<html><body><table><tr><td><font size=3><b>Lowest mortgage rates</b> in years!</font></td></tr>' +
    '<tr><td><p>Apply today.<br>Approval in minutes.</p><p>To be removed, <a href="http://rates.example/remove">click here</a>.</p></td></tr></table></body></html>';
  const mislabelled = ok(await parseMessage({ id: 'plain-html', raw: Buffer.from(`From: deals@rates.example\nSubject: Rates\nContent-Type: text/plain\n\n${page}\n`) }));
  assert.equal(mislabelled.bodySource, 'html');
  assert.doesNotMatch(mislabelled.body, /<\/?(?:td|font|p|br|b)\b/i);
  assert.match(mislabelled.body, /Lowest mortgage rates in years!/);
  assert.match(mislabelled.body, /click here \(http:\/\/rates\.example\/remove\)/);
  const discussion =
    'Tim wrote:\n> The text/plain part is just <html><body><p>Buy now</p></body></html> and nothing else.\n\n' +
    'I see the same: a few tags like <br> and <b> in otherwise plain messages.\nShould we score them?\n';
  const plain = ok(await parseMessage({ id: 'plain', raw: Buffer.from(`From: a@list.example\nSubject: Re: spam\nContent-Type: text/plain\n\n${discussion}`) }));
  assert.equal(plain.bodySource, 'text');
  assert.match(plain.body, /^> The text\/plain part is just <html>/m, 'the quoted line and its tags are kept as written');
});

test('quoted-printable text and base64 attachments are decoded; attachments listed with decoded sizes', async () => {
  const m = ok(await parseMessage({ id: 'qp', raw: fixture('qp-and-base64.eml') }));
  assert.match(m.body, /The café meeting is moved to Thursday\. This line is long enough that it was soft-wrapped/);
  assert.deepEqual(
    m.attachments.map((a) => [a.filename, a.mimeType, a.size, a.disposition]),
    [
      ['notes.txt', 'text/plain', 21, 'attachment'],
      ['report.pdf', 'application/pdf', 52, 'attachment'],
    ],
  );
  assert.equal(m.date, '2001-05-14T17:37:00-07:00', 'the date keeps the sender offset');
  assert.deepEqual(m.from, { name: 'Jane Smith', address: 'jane.smith@acme-widgets.example' });
});

test('declared charsets decode: iso-8859-1, windows-1252 (incl. 0x80-0x9F), koi8-r, big5, encoded-word headers', async () => {
  const latin1 = ok(await parseMessage({ id: 'l1', raw: fixture('latin1-qp.eml') }));
  assert.equal(latin1.subject, 'Résumé für Sie');
  assert.equal(latin1.from?.name, 'René Müller');
  assert.match(latin1.body, /Grüße aus Köln, le café est prêt\./);

  const cp1252 = ok(await parseMessage({ id: 'w', raw: fixture('windows1252-qp.eml') }));
  assert.match(cp1252.body, /He said \u201cit costs \u20ac20\u201d \u2013 that\u2019s all\./);

  const koi8 = ok(await parseMessage({ id: 'k', raw: fixture('koi8r-base64.eml') }));
  assert.equal(koi8.subject, 'Привет');
  assert.match(koi8.body, /Привет, дорогие друзья/);

  const big5 = ok(await parseMessage({ id: 'b', raw: fixture('big5-base64.eml') }));
  assert.equal(big5.subject, '中文');
  assert.match(big5.body, /中文郵件測試/);
});

test('bodies built as bytes: iso-8859-1, windows-1252, koi8-r, big5, gb2312, iso-2022-jp', async () => {
  const cases: [string, number[], string][] = [
    ['iso-8859-1', [0x63, 0x61, 0x66, 0xe9], 'café'],
    ['windows-1252', [0x93, 0x68, 0x69, 0x94, 0x20, 0x80, 0x35], '\u201chi\u201d \u20ac5'],
    ['koi8-r', [0xf0, 0xd2, 0xc9, 0xd7, 0xc5, 0xd4], 'Привет'],
    ['big5', [0xa4, 0xa4, 0xa4, 0xe5], '中文'],
    ['gb2312', [0xd6, 0xd0, 0xce, 0xc4], '中文'],
    ['iso-2022-jp', [0x1b, 0x24, 0x42, 0x46, 0x7c, 0x4b, 0x5c, 0x38, 0x6c, 0x1b, 0x28, 0x42], '日本語'],
  ];
  for (const [charset, bytes, expected] of cases) {
    const raw = Buffer.concat([
      Buffer.from(`From: a@example.com\r\nSubject: ${charset}\r\nContent-Type: text/plain; charset=${charset}\r\nContent-Transfer-Encoding: 8bit\r\n\r\n`),
      Buffer.from(bytes),
      Buffer.from('\r\n'),
    ]);
    const m = ok(await parseMessage({ id: charset, raw }));
    assert.equal(m.body.trim(), expected, charset);
  }
});

test('bogus or missing charset labels fall back by sniffing: UTF-8 when valid, else windows-1252, with a warning', async () => {
  await parseMessage({ id: 'x', raw: Buffer.from('Subject: x\n\ny') });
  assert.equal(charsetFallbackInstalled(), true, 'the fallback hook must attach to this postal-mime version');
  const utf8Bytes = Buffer.from('naïve café — “quoted”', 'utf8');
  const latinBytes = Buffer.from([0x6e, 0x61, 0xef, 0x76, 0x65, 0x20, 0x63, 0x61, 0x66, 0xe9]);
  const cases: [string, Buffer, string][] = [
    ['charset="unknown-8bit"', utf8Bytes, 'naïve café — “quoted”'],
    ['charset=x-user-defined', utf8Bytes, 'naïve café — “quoted”'],
    ['charset=""', latinBytes, 'naïve café'],
    ['charset=default', latinBytes, 'naïve café'],
    ['charset=us-ascii', utf8Bytes, 'naïve café — “quoted”'],
    ['format=flowed', latinBytes, 'naïve café'], // no charset parameter at all
  ];
  for (const [param, bytes, expected] of cases) {
    const raw = Buffer.concat([Buffer.from(`From: a@example.com\nSubject: t\nContent-Type: text/plain; ${param}\n\n`), bytes, Buffer.from('\n')]);
    const m = ok(await parseMessage({ id: param, raw }));
    assert.equal(m.body.trim(), expected, param);
    assert.ok(codes(m).includes('W_CHARSET_FALLBACK'), `${param} should warn`);
  }
  const fixtureDefault = ok(await parseMessage({ id: 'd', raw: fixture('bogus-charset-default.eml') }));
  assert.match(fixtureDefault.body, /Naïve café text/);
});

test('raw 8-bit subject bytes are re-read instead of showing U+FFFD, in the message\'s own charset', async () => {
  const raw = Buffer.concat([Buffer.from('From: a@example.com\nSubject: Caf'), Buffer.from([0xe9]), Buffer.from(' menu\n\nbody\n')]);
  const m = ok(await parseMessage({ id: 's', raw }));
  assert.equal(m.subject, 'Café menu');
  // EUC-KR bytes in the subject, body declared ks_c_5601-1987: decoded as Korean, not as Latin-1.
  const korean = Buffer.concat([
    Buffer.from('From: a@example.com\nSubject: '),
    Buffer.from([0xc3, 0xca, 0xb4, 0xeb]), // 초대
    Buffer.from('\nContent-Type: text/plain; charset=ks_c_5601-1987\n\n'),
    Buffer.from([0xc3, 0xca, 0xb4, 0xeb, 0x0a]),
  ]);
  const k = ok(await parseMessage({ id: 'k', raw: korean }));
  assert.equal(k.subject, '초대');
  assert.equal(k.body.trim(), '초대');
});

test('Enron 0x01 punctuation is repaired; stray control characters do not cost a line of text', async () => {
  const raw = Buffer.from('From: a@example.com\nSubject: e\nContent-Type: text/plain; charset=ANSI_X3.4-1968\nContent-Transfer-Encoding: quoted-printable\n\nEnron=01,s Role =01) the =01&plan=018 =01( done.\nA bell=07 rang.\nX=08=08=08Y\n');
  const m = ok(await parseMessage({ id: 'e', raw }));
  assert.equal(m.body, 'Enron\u2019s Role \u2013 the \u201cplan\u201d \u2014 done.\nA bell  rang.\nX   Y\n');
  assert.deepEqual(codes(m), ['W_MISSING_DATE'], 'no binary-noise warning');
});

test('malformed MIME: a multipart without its closing boundary keeps its parts and warns', async () => {
  const m = ok(await parseMessage({ id: 'mb', raw: fixture('missing-end-boundary.eml') }));
  assert.match(m.body, /The first part arrived intact/);
  assert.equal(m.attachments.length, 1);
  assert.ok(codes(m).includes('W_MULTIPART_UNTERMINATED'));
});

test('MIME nested past the parser\'s depth limit is read as headers and text, sender and recipients kept', async () => {
  let open = '';
  let close = '';
  for (let i = 0; i < 80; i++) {
    open += `--b${i}\r\nContent-Type: multipart/mixed; boundary=b${i + 1}\r\n\r\n`;
    close = `--b${i}--\r\n${close}`;
  }
  const raw = Buffer.from(
    'From: Jane Smith <jane@example.com>\r\nTo: Bob <bob@example.org>, carol@example.org\r\nCc: dave@example.net\r\n' +
      'Subject: Deep\r\nDate: Mon, 14 May 2001 17:37:00 -0700\r\nContent-Type: multipart/mixed; boundary=b0\r\n\r\n' +
      `${open}--b80\r\nContent-Type: text/plain\r\n\r\nhello from the bottom\r\n--b80--\r\n${close}`,
  );
  const m = ok(await parseMessage({ id: 'deep', raw }));
  assert.ok(codes(m).includes('W_MIME_FALLBACK'));
  assert.ok(!codes(m).includes('W_MISSING_FROM'));
  assert.deepEqual(m.from, { name: 'Jane Smith', address: 'jane@example.com' });
  assert.deepEqual(m.to.map((a) => a.address), ['bob@example.org', 'carol@example.org']);
  assert.deepEqual(m.cc.map((a) => a.address), ['dave@example.net']);
  assert.equal(m.subject, 'Deep');
  assert.match(m.body, /hello from the bottom/);
});

test('broken headers: stray lines and a bad date still give subject, sender and body', async () => {
  const m = ok(await parseMessage({ id: 'bh', raw: fixture('broken-headers.eml') }));
  assert.equal(m.subject, 'Still readable');
  assert.equal(m.from?.address, 'broken@example.com');
  assert.match(m.body, /The body survives the broken header block/);
  assert.equal(m.date, null);
  assert.ok(codes(m).includes('W_UNPARSEABLE_DATE'));
});

test('binary garbage and empty input give coded failures, never a throw', async () => {
  const bin = await parseMessage({ id: 'bin', raw: garbage(64 * 1024) });
  assert.equal(bin.ok, false);
  assert.equal(!bin.ok && bin.code, 'E_UNPARSEABLE');
  for (const raw of [Buffer.alloc(0), Buffer.from('\r\n\r\n   \n')]) {
    const r = await parseMessage({ id: 'empty', raw });
    assert.equal(!r.ok && r.code, 'E_EMPTY_MESSAGE');
  }
  // Headers followed by a binary body: the message is kept, the body is not analysed.
  const half = ok(await parseMessage({ id: 'hb', raw: Buffer.concat([Buffer.from('From: a@example.com\nSubject: blob\n\n'), garbage(4096, 7)]) }));
  assert.equal(half.subject, 'blob');
  assert.equal(half.body, '');
  assert.ok(codes(half).includes('W_BINARY_BODY'));
  // Real text followed by binary noise (common in spam): the noise goes, the text stays.
  const words = 'Real words come first. '.repeat(30);
  const noisy = ok(await parseMessage({ id: 'n', raw: Buffer.concat([Buffer.from(`From: a@example.com\nSubject: n\n\n${words}\n`), garbage(200, 11)]) }));
  assert.match(noisy.body, /^(?:Real words come first\. ){30}/);
  assert.ok(noisy.body.length < words.length + 60, 'most of the noise is gone');
  assert.ok(codes(noisy).includes('W_BINARY_NOISE'));
  // Text without any header block is read as a body.
  const plain = ok(await parseMessage({ id: 'p', raw: Buffer.from('just a note without headers\nsecond line\n') }));
  assert.match(plain.body, /just a note/);
  assert.ok(codes(plain).includes('W_NO_HEADERS'));
});

test('a 20 MB message is cut at the byte cap, still parsed, and flagged; oversized headers give E_TOO_LARGE', async () => {
  const attachment = Buffer.alloc(15 * 1024 * 1024, 0x5a).toString('base64').replace(/.{76}/g, '$&\r\n');
  const raw = Buffer.from(
    'From: Big Sender <big@example.com>\r\nSubject: huge dump\r\nDate: Mon, 14 May 2001 17:37:00 -0700\r\n' +
      'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b1"\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\n' +
      'See the attached dump. Could you check it by Friday?\r\n--b1\r\nContent-Type: application/octet-stream; name="dump.bin"\r\n' +
      `Content-Transfer-Encoding: base64\r\n\r\n${attachment}\r\n--b1--\r\n`,
  );
  assert.ok(raw.length > 20 * 1024 * 1024);
  const started = performance.now();
  const m = ok(await parseMessage({ id: 'big', raw }));
  assert.ok(performance.now() - started < 10_000, 'parsing a 20 MB message stays fast');
  assert.equal(m.truncated, true);
  assert.equal(m.size, raw.length);
  assert.ok(codes(m).includes('W_SOURCE_TRUNCATED'));
  assert.match(m.body, /Could you check it by Friday\?/);
  assert.equal(m.attachments[0]?.filename, 'dump.bin');

  const small = ok(await parseMessage({ id: 'cap', raw }, { maxMessageBytes: 64 * 1024 }));
  assert.equal(small.truncated, true);
  assert.match(small.body, /Could you check it by Friday\?/);

  const headers = await parseMessage({ id: 'hdr', raw: Buffer.from(`Subject: x\r\nX-Big: ${'a'.repeat(3 * 1024 * 1024)}\r\n\r\nbody`) });
  assert.equal(!headers.ok && headers.code, 'E_TOO_LARGE');
});

test('the text limit cuts long bodies and says so', async () => {
  const body = 'word '.repeat(5000);
  const m = ok(await parseMessage({ id: 'long', raw: Buffer.from(`From: a@example.com\nSubject: long\n\n${body}`) }, { maxTextChars: 1000 }));
  assert.ok(m.body.length <= 1000 && m.body.length > 900);
  assert.equal(m.truncated, true);
  assert.ok(codes(m).includes('W_TEXT_TRUNCATED'));
});

test('JSON input normalises into the same shape as raw MIME', async () => {
  const raw = ok(await parseMessage({ id: 'r', raw: Buffer.from('From: Jane Smith <jane@example.com>\nSubject: Hello\nDate: Mon, 14 May 2001 17:37:00 -0700\nList-Id: <x.example>\n\nHi there.\n') }));
  const json = ok(
    parseJsonMessage('j', { subject: 'Hello', from: 'Jane Smith <jane@example.com>', body: 'Hi there.\n', date: 'Mon, 14 May 2001 17:37:00 -0700', headers: { 'List-Id': '<x.example>' } }),
  );
  assert.deepEqual(Object.keys(json).sort(), Object.keys(raw).sort());
  assert.equal(json.subject, raw.subject);
  assert.deepEqual(json.from, raw.from);
  assert.equal(json.date, raw.date);
  assert.equal(json.body.trim(), raw.body.trim());
  assert.deepEqual(json.headers['list-id'], ['<x.example>']);
  assert.equal(json.bodySource, 'json');

  const html = ok(parseJsonMessage('h', { subject: 's', body: '<p>Hello <b>there</b></p><p>Bye</p>' }));
  assert.equal(html.body, 'Hello there\n\nBye');

  for (const bad of [null, 'text', [], { subject: 5 }, { body: 'x', from: 42 }, { body: 'x', headers: { a: 1 } }]) {
    const r = parseJsonMessage('bad', bad);
    assert.equal(!r.ok && r.code, 'E_INVALID_INPUT', JSON.stringify(bad));
  }
  const empty = parseJsonMessage('e', { subject: '', body: '  ' });
  assert.equal(!empty.ok && empty.code, 'E_EMPTY_MESSAGE');
});
