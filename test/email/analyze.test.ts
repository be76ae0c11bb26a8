import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeMessage, analyzeParsed } from '../../src/email/analyze.js';
import { parseMailDate, formatDateTime } from '../../src/email/dates.js';
import { parseMessage } from '../../src/email/parse.js';
import type { EmailAnalysis } from '../../src/email/types.js';
import { assertOk, assertWellFormed, fixture, garbage } from './helpers.js';

async function analyze(raw: Buffer | string, options = {}): Promise<EmailAnalysis> {
  const result = await analyzeMessage({ id: 'test', raw: typeof raw === 'string' ? Buffer.from(raw) : raw }, options);
  assertOk(result);
  assertWellFormed(result);
  return result;
}

/** The texts of a result's entities of one type, in order. */
function entityTexts(r: EmailAnalysis, type: string): string[] {
  return r.entities.filter((e) => e.type === type).map((e) => e.text);
}

/** Every entity's offsets point at its text in the analysed text. */
function assertOffsetsHold(r: EmailAnalysis): void {
  for (const e of r.entities) assert.equal(r.text.analyzed.slice(e.start, e.end), e.text);
}

function mail(body: string, headers = 'From: Jane Smith <jane.smith@acme.example>\nTo: Bob Jones <bob@example.org>\nSubject: Plans\nDate: Mon, 14 May 2001 17:37:00 -0700\n'): string {
  return `${headers}\n${body}\n`;
}

test('deadlines resolve against the Date header in the sender\'s own time zone', async () => {
  // Monday 14 May 2001, 17:37 at -0700 (already Tuesday in UTC).
  const r = await analyze(
    mail('Please send it by Friday. The board meets tomorrow. I need the draft no later than June 3, ' +
      'the numbers by 5pm Friday, the slides within 48 hours, and the memo by EOD. Payment is due 6/15/2001. ' +
      'Let us review it next Friday or by the end of the week.'),
  );
  const byPhrase = Object.fromEntries(r.deadlines.map((d) => [d.phrase, d.date]));
  assert.equal(byPhrase['by Friday'], '2001-05-18');
  assert.equal(byPhrase['tomorrow'], '2001-05-15', 'tomorrow follows the sender clock, not UTC');
  assert.equal(byPhrase['no later than June 3'], '2001-06-03');
  assert.equal(byPhrase['by 5pm Friday'], '2001-05-18T17:00:00-07:00');
  assert.equal(byPhrase['within 48 hours'], '2001-05-16T17:37:00-07:00');
  assert.equal(byPhrase['by EOD'], '2001-05-14');
  assert.equal(byPhrase['due 6/15/2001'], '2001-06-15');
  assert.equal(byPhrase['by the end of the week'], '2001-05-18');
  for (const d of r.deadlines) assert.equal(r.text.analyzed.slice(d.start, d.end).replace(/\s+/g, ' '), d.phrase);

  // Same words, different Date header: different answers (the clock of the test machine is irrelevant).
  const later = await analyze(mail('Send it by Friday.', 'From: a@example.com\nSubject: s\nDate: Sat, 19 May 2001 09:00:00 +0000\n'));
  assert.equal(later.deadlines[0]?.date, '2001-05-25');

  // No Date header: relative deadlines stay unresolved unless a reference date is given.
  const undated = await analyze(mail('Send it by Friday.', 'From: a@example.com\nSubject: s\n'));
  assert.equal(undated.deadlines[0]?.date, null);
  const referenced = await analyze(mail('Send it by Friday.', 'From: a@example.com\nSubject: s\n'), { referenceDate: '2001-05-14T09:00:00-05:00' });
  assert.equal(referenced.deadlines[0]?.date, '2001-05-18');
  assert.ok(referenced.warnings.some((w) => w.code === 'W_REFERENCE_DATE'));
});

test('words that only look like deadlines are not: the sun, the end of the day\'s fasting, a time told as past events, the leaders of tomorrow', async () => {
  const prose = await analyze(mail('They eat before the sun comes up, and cannon shots signal the end of the day\'s fasting.'));
  assert.deepEqual(prose.deadlines, []);
  // Times told as past events (chain-letter testimonials): nothing is due.
  const story = await analyze(mail('I mailed the letters. Within 3 weeks she had received 50 responses, and all the money came within 22 weeks. By Friday, I had a job.'));
  assert.deepEqual(story.deadlines, []);
  // "Tomorrow" as the future: no day is due.
  const future = await analyze(mail("We train the leaders of tomorrow. Turn today's challenges into tomorrow's profits, and spend like there's no tomorrow."));
  assert.deepEqual(future.deadlines, []);
  const literal = await analyze(mail("As of tomorrow the office is closed. See the ad in Section A of tomorrow's Chronicle."));
  assert.deepEqual(literal.deadlines.map((d) => [d.phrase, d.date]), [['tomorrow', '2001-05-15'], ['tomorrow', '2001-05-15']]);
  const passive = await analyze(mail('All reservations must be made by 7/21/01, and within 10 days the tickets will be mailed.'));
  assert.deepEqual(passive.deadlines.map((d) => d.phrase), ['by 7/21/01', 'within 10 days']);
  // The same words as real deadlines (Monday 14 May 2001 at -0700).
  const real = await analyze(mail('Send it by Sun 5pm. Bring the notes to tomorrow\'s meeting, or by the end of the day.'));
  const byPhrase = Object.fromEntries(real.deadlines.map((d) => [d.phrase, d.date]));
  assert.equal(byPhrase['by Sun 5pm'], '2001-05-20T17:00:00-07:00');
  assert.equal(byPhrase['tomorrow'], '2001-05-15');
  assert.equal(byPhrase['by the end of the day'], '2001-05-14');
});

test('an end of day that names its day is that day: "close of business on Wednesday, May 16"', async () => {
  // Monday 14 May 2001 at -0700.
  const r = await analyze(mail('Send your votes by close of business on Wednesday, May 16. Return the forms by the end of the day Friday, and the keys by COB 5/21.'));
  const byPhrase = Object.fromEntries(r.deadlines.map((d) => [d.phrase, d.date]));
  assert.equal(byPhrase['by close of business on Wednesday, May 16'], '2001-05-16');
  assert.equal(byPhrase['by the end of the day Friday'], '2001-05-18');
  assert.equal(byPhrase['by COB 5/21'], '2001-05-21');
  assert.equal(r.deadlines.length, 3);
});

test('a mention is an "@handle" standing on its own, not a piece of an address, a time or a Notes name', async () => {
  const body =
    'Copy Jeff Skilling/HOU/ECT@ECT and Kenneth Lay@ENRON on this.\n' +
    'Write to nancyperez @cancham.com.ve or get a free @yahoo.com address.\n' +
    'Posted on Monday, @15:03. Ask @jsmith or (@support_team) about it.';
  const r = await analyze(mail(body));
  assert.deepEqual(entityTexts(r, 'MENTION'), ['@jsmith', '@support_team']);
  assertOffsetsHold(r);
});

test('questions and requests are told apart; "please find attached" is not a request', async () => {
  const r = await analyze(
    mail('Bob,\n\nCould you send me the Q3 numbers? What time is the meeting? Please review the attached contract. ' +
      'Please find attached the agenda. I need you to call the bank. The weather was nice.\n'),
  );
  const kinds = r.questions.map((q) => [q.kind, q.text]);
  assert.deepEqual(kinds, [
    ['request', 'Could you send me the Q3 numbers?'],
    ['direct', 'What time is the meeting?'],
    ['request', 'Please review the attached contract.'],
    ['request', 'I need you to call the bank.'],
  ]);
});

test('a subject asks a question only when it is the sender\'s own: a reply\'s or forward\'s subject echoes another message', async () => {
  const headers = (subject: string) => `From: Jane Smith <jane.smith@acme.example>\nTo: Bob Jones <bob@example.org>\nSubject: ${subject}\nDate: Mon, 14 May 2001 17:37:00 -0700\n`;
  const asked = await analyze(mail('I could not find it on the intranet.', headers('Where is the Q3 report?')));
  assert.deepEqual(asked.questions.map((q) => q.text), ['Where is the Q3 report?']);
  for (const subject of ['Re: Where is the Q3 report?', '[finance] RE: Where is the Q3 report?', 'Fwd: Where is the Q3 report?']) {
    const answered = await analyze(mail('It is on the shared drive.', headers(subject)));
    assert.deepEqual(answered.questions, [], subject);
  }
});

test('entities: offsets point at their text; phones, people with titles, organisations, wink types', async () => {
  const body =
    'Dr. Alan Turing of Acme Widgets Inc. will call Sarah Connor at (713) 853-6161 on Friday at 3pm. ' +
    'The deal is worth $3.5 million, up 12% since June. Mail alan@acme.example or see https://acme.example/deal.';
  const r = await analyze(mail(body));
  const found = (type: string) => entityTexts(r, type);
  assert.deepEqual(found('PHONE'), ['(713) 853-6161']);
  assert.ok(found('PERSON').includes('Dr. Alan Turing'));
  assert.ok(found('PERSON').includes('Sarah Connor'));
  assert.ok(found('ORG').includes('Acme Widgets Inc.'));
  assert.ok(found('MONEY').includes('$3.5 million'));
  assert.ok(found('PERCENT').includes('12%'));
  assert.ok(found('EMAIL').includes('alan@acme.example'));
  assert.ok(found('URL').includes('https://acme.example/deal'));
  const phone = r.entities.find((e) => e.type === 'PHONE')!;
  assert.equal(r.text.analyzed.slice(phone.start, phone.end), '(713) 853-6161');
  assert.equal(r.text.analyzed.indexOf('(713) 853-6161'), phone.start);
  // A name line opening the signature is a person even when the given name is unusual.
  const signed = await analyze(mail('Can we meet on Monday?\n\nThanks,\nZed Quixley\nQuixley Partners LLC'));
  assert.deepEqual(signed.entities.filter((e) => e.type === 'PERSON' || e.type === 'ORG').map((e) => [e.type, e.text]), [
    ['PERSON', 'Zed Quixley'],
    ['ORG', 'Quixley Partners LLC'],
  ]);
  assert.ok(signed.entities.every((e) => e.type === 'DATE' || e.start >= signed.text.tailStart));
  // The sender's domain names its organisation, unless it is named after a language or a system.
  const fromDomain = (address: string) => `From: News <news@${address}>\nTo: Bob Jones <bob@example.org>\nSubject: Weekly\nDate: Mon, 14 May 2001 17:37:00 -0700\n`;
  const lockergnome = await analyze(mail('This week Lockergnome looks at Perl and Linux.', fromDomain('lockergnome.com')));
  assert.deepEqual(entityTexts(lockergnome, 'ORG'), ['Lockergnome']);
  const perl = await analyze(mail('This week Lockergnome looks at Perl and Linux.', fromDomain('perl.org')));
  assert.deepEqual(entityTexts(perl, 'ORG'), []);
  // Capitalised phrases that are not names stay out.
  const quiet = await analyze(mail('Legal Notice: the Full Story of San Francisco is in the Spring Catalogue.'));
  assert.deepEqual(quiet.entities.filter((e) => e.type === 'PERSON' || e.type === 'ORG').map((e) => e.text), []);
});

test('places: countries, states and cities by name, the "City, ST" address form, ambiguous names only after "in"', async () => {
  const body =
    'The team flew from Houston to London, then on to São Paulo and Buenos Aires. Our new office is at ' +
    '1200 Main Street, Springfield, Illinois, and the plant is near Kemah, TX 77565. Sales in Georgia and ' +
    'the U.S. beat Western Europe.\n\nThanks, Virginia. Jordan will call the University of Texas and George Washington.';
  const r = await analyze(mail(body));
  const places = entityTexts(r, 'PLACE');
  assert.deepEqual(places, ['Houston', 'London', 'São Paulo', 'Buenos Aires', 'Springfield, Illinois', 'Kemah, TX', 'Georgia', 'U.S.', 'Western Europe']);
  assertOffsetsHold(r);
  // Names that only look like places: a greeting, a given name, an organisation, a person.
  const found = (type: string) => entityTexts(r, type);
  assert.ok(found('ORG').includes('University of Texas'), found('ORG').join(', '));
  // A list of states and a signature's title are not cities.
  const listed = await analyze(mail('We trade power in Texas, Oklahoma and Arizona, Arkansas.\n\nJane Smith\nVice Chairman, District of Columbia'));
  assert.deepEqual(listed.entities.filter((e) => e.type === 'PLACE').map((e) => e.text), ['Texas', 'Oklahoma', 'Arizona', 'Arkansas', 'District of Columbia']);
});

test('entities the simple rules missed: names after an opening verb or greeting, surnames that are words, "X of Y" organisations, numbers dialled abroad', async () => {
  const body =
    'Meet John Adams at noon. Dear Mary Jones, I met George Washington and Sam Houston at the ' +
    'Insurance Company of America office, a branch of the Royal Bank of Canada.\n' +
    'Our contacts: 011 44 20 7946 0958 and 00 33 1 42 68 53 00 (account 00110100059665).\n' +
    'The note said that the office is open each day that the Federal Reserve Bank of New\n' +
    'York is open. Venezuela\'s President Hugo Chavez Caracas, May 23. The Norma Zenteno Band will\n' +
    'play at the Big E Cafe on Allen Parkway. Enron won Coal Company of the Year.\n\n' +
    'Office of the Chairman\nEnron Broadband Services';
  const r = await analyze(mail(body));
  const found = (type: string) => entityTexts(r, type);
  assert.deepEqual(found('PERSON'), ['John Adams', 'Mary Jones', 'George Washington', 'Sam Houston', 'Hugo Chavez']);
  assert.deepEqual(found('ORG'), [
    'Insurance Company of America',
    'Royal Bank of Canada',
    'Federal Reserve Bank of New\nYork',
    'Enron',
    'Coal Company',
    'Office of the Chairman',
    'Enron Broadband Services',
  ]);
  assert.deepEqual(found('PHONE'), ['011 44 20 7946 0958', '00 33 1 42 68 53 00']);
  assert.ok(found('PLACE').includes('Caracas'), found('PLACE').join(', '));
  assertOffsetsHold(r);
  // A hyphened given name stays whole; a heading run on into a name does not join it.
  const hyphened = await analyze(mail('Jean-Marie Messier met Mark-Jason Dominus. Nominee Selection-Jeff Skilling.'));
  assert.deepEqual(entityTexts(hyphened, 'PERSON'), ['Jean-Marie Messier', 'Mark-Jason Dominus', 'Jeff Skilling']);
  assertOffsetsHold(hyphened);
});

test('well-known organisations are found by name, firms named after people included; the person they are named after stays a person', async () => {
  const body =
    'Morgan Stanley and Merrill Lynch cut their forecasts, Dow Jones fell, and Arthur Andersen signed off.\n' +
    'Michael Dell said Dell would stay with Lehman Brothers Inc. as adviser. The New York Times quoted\n' +
    'the FBI. Gas at the Henry Hub rose. Moody\'s and Yahoo! agreed.';
  const r = await analyze(mail(body));
  const found = (type: string) => entityTexts(r, type);
  assert.deepEqual(found('ORG'), ['Morgan Stanley', 'Merrill Lynch', 'Dow Jones', 'Arthur Andersen', 'Dell', 'Lehman Brothers Inc.', 'New York Times', 'FBI', "Moody's", 'Yahoo']);
  assert.deepEqual(found('PERSON'), ['Michael Dell']);
  assert.ok(!found('PLACE').includes('New York'), found('PLACE').join(', '));
});

test('"and" between two organisations parts them, inside one name it does not; hyphened names stay whole; a footnote mark is not part of a firm', async () => {
  const two = await analyze(mail(
    'Students from Portland State University and Howard University came. Gifts went to the Salvation Army and\n' +
    'Neighborhood Centers Inc. He works in Finance and Enron Development Corp pays him.',
  ));
  assert.deepEqual(entityTexts(two, 'ORG'), ['Portland State University', 'Howard University', 'Salvation Army', 'Neighborhood Centers Inc.', 'Enron Development Corp']);
  assertOffsetsHold(two);
  const one = await analyze(mail(
    'Pacific Gas and Electric Company filed. First National Bank and Trust Company lent it.\n' +
    'The Securities and Exchange Commission ruled. Deloitte & Touche LLP audited Enron Capital & Trade Resources Corp.',
  ));
  assert.deepEqual(entityTexts(one, 'ORG'), ['Pacific Gas and Electric Company', 'First National Bank and Trust Company', 'Securities and Exchange Commission', 'Deloitte & Touche LLP', 'Enron Capital & Trade Resources Corp.']);
  const hyphened = await analyze(mail(
    'Coca-Cola Enterprises Inc. and Hewlett-Packard Company signed with McGraw-Hill Companies, Inc. yesterday.\n\n' +
    'Disclosure Legend: A-Lehman Brothers Inc. managed or co-managed a public offering.',
  ));
  assert.deepEqual(entityTexts(hyphened, 'ORG'), ['Coca-Cola Enterprises Inc.', 'Hewlett-Packard Company', 'McGraw-Hill Companies, Inc.', 'Lehman Brothers Inc.']);
  assertOffsetsHold(hyphened);
});

test('capitals: headings and shouted prose are not organisations; firms in capitals with a closing suffix, an unknown word or a listed name are', async () => {
  const shouted = await analyze(mail(
    'FIELD SERVICES:  No Scheduled Outages.\n\nFREE COLLEGE MONEY\n\nWIRE IT TO A SECURITY COMPANY FOR SAFEKEEPING.\n\n' +
    'SPECIAL LIMITED TIME OFFER! THE SOFTWARE IS PROVIDED AS IS, INCLUDING BUT NOT LIMITED TO ANY WARRANTY.',
  ));
  assert.deepEqual(entityTexts(shouted, 'ORG'), []);
  const firms = await analyze(mail('AUDITED BY KPMG LLP. ZIFF ENERGY GROUP AND CREDIT SUISSE GROUP AGREED WITH WORLDCOM INC.'));
  assert.deepEqual(entityTexts(firms, 'ORG'), ['KPMG LLP.', 'ZIFF ENERGY GROUP', 'CREDIT SUISSE GROUP', 'WORLDCOM INC.']);
  assertOffsetsHold(firms);
});

test('wink\'s entities corrected: a currency sign goes with the amount it touches, a unit word alone is no duration, "Sept" and day ranges are dates; firms written in camel case; a column gap ends a name', async () => {
  const body =
    'Mkt Cap: $394.7MM EPS 2002 $1.35E $1.39E\n' +
    'Register until Sept. 28th for the forum on May 5-7, 2002.\n' +
    'FY: 12/31 Price Target $18\n\n' +
    'On the first day we bought the 10-year bond, and we hold it for 30 days. Have a nice day.\n' +
    'Write to TeleDynamics Communications Inc or PricewaterhouseCoopers LLP today.\n' +
    'Office of Information Systems   Pittsburg, KS';
  const r = await analyze(mail(body));
  const found = (type: string) => entityTexts(r, type);
  assert.ok(!found('MONEY').some((m) => /^\d.*\$$/.test(m)), `a year and the next amount's sign read as money: ${found('MONEY').join(', ')}`);
  assert.ok(found('MONEY').includes('$1.35'), `money: ${found('MONEY').join(', ')}`);
  assert.deepEqual(found('DURATION'), ['10-year', '30 days']);
  assert.deepEqual(found('DATE').slice(0, 2), ['Sept. 28th', 'May 5-7, 2002']);
  assert.ok(found('ORG').includes('TeleDynamics Communications Inc'), `organisations: ${found('ORG').join(', ')}`);
  assert.ok(found('ORG').includes('PricewaterhouseCoopers LLP'), `organisations: ${found('ORG').join(', ')}`);
  // A column gap ends an "X of Y" name, as it ends one before its suffix.
  assert.ok(found('ORG').includes('Office of Information Systems'), `organisations: ${found('ORG').join(', ')}`);
  assertOffsetsHold(r);
});

test('a sender name spelled from the address takes the rest of a surname the address cut at its space', async () => {
  const headers = (from: string, subject: string) => `From: ${from}\nTo: Bob Jones <bob@example.org>\nSubject: ${subject}\nDate: Mon, 14 May 2001 17:37:00 -0700\n`;
  const rose = await analyze(mail('Please contact either Bryan Deluca at x36161 or Simone La Rose at x31670.', headers('simone.la@enron.com', 'Intranet')));
  assert.ok(entityTexts(rose, 'PERSON').includes('Simone La Rose'), `people: ${entityTexts(rose, 'PERSON').join(', ')}`);
  assert.ok(!entityTexts(rose, 'PERSON').includes('Simone La'));
  // A capitalised run that goes on is a title, not a longer surname.
  const title = await analyze(mail('I have started a new job.', headers('kenny.kurtzman@enron.com', 'Kenny Kurtzman Contact Information')));
  assert.ok(entityTexts(title, 'PERSON').includes('Kenny Kurtzman'), `people: ${entityTexts(title, 'PERSON').join(', ')}`);
  assertOffsetsHold(rose);
});

test('names and words with letters beyond ASCII stay whole: people, organisations, key phrases', async () => {
  const headers =
    'From: Małgorzata Wiśniewska <mw@example.pl>\nTo: Bob Jones <bob@example.org>\nSubject: Gdańsk\n' +
    'Date: Mon, 14 May 2001 17:37:00 -0700\nContent-Type: text/plain; charset=utf-8\n';
  const body =
    'José García met Łukasz Dvořák at the Gdańsk office of BİLSAG Ltd. on Monday.\n' +
    'Jürgen Müller will send the Škoda contract by Friday.';
  const r = await analyze(mail(body, headers));
  const found = (type: string) => entityTexts(r, type);
  // Latin-1 accents ("García") and the given-name list in ASCII ("jose", "jurgen").
  assert.ok(found('PERSON').includes('José García'), `people: ${found('PERSON').join(', ')}`);
  assert.ok(found('PERSON').includes('Jürgen Müller'), `people: ${found('PERSON').join(', ')}`);
  // A Turkish capital İ no longer cuts the name in two ("LSAG Ltd." before).
  assert.ok(found('ORG').includes('BİLSAG Ltd.'), `organisations: ${found('ORG').join(', ')}`);
  // Polish and Czech letters beyond Latin-1 no longer split words into pieces ("Dvo", "ř", "ák").
  const phrases = r.keyPhrases.map((k) => k.text);
  assert.ok(phrases.includes('Łukasz Dvořák'), `key phrases: ${phrases.join(' | ')}`);
  assert.ok(phrases.some((p) => p.includes('Gdańsk')), `key phrases: ${phrases.join(' | ')}`);
  assertOffsetsHold(r);
});

test('quoted replies and signatures are marked: analysis sees the new text only, the rest stays available', async () => {
  const r = await analyze(fixture('reply-thread.eml'));
  assert.equal(r.text.focus, 'new');
  assert.doesNotMatch(r.text.analyzed, /URGENT!!!|disappointed/);
  assert.match(r.text.quoted, /-----Original Message-----[\s\S]*I am disappointed with the delay\./);
  assert.equal(r.patterns.dissatisfaction.matched, false, 'the quoted complaint does not count');
  const tail = r.text.analyzed.slice(r.text.tailStart);
  assert.match(tail, /^Jane Smith\nAcme Widgets Inc\.\n\(713\) 853-6161/);
  const phone = r.entities.find((e) => e.type === 'PHONE');
  assert.ok(phone && phone.start >= r.text.tailStart, 'signature entities are still extracted');
  assert.ok(r.questions.every((q) => q.end <= r.text.tailStart));
  assert.equal(r.patterns.gratitude.matched, true);
  assert.equal(r.urgency.level, 'high');
  assert.ok(r.urgency.triggers.includes('asap'));
  assert.ok(r.urgency.triggers.some((t) => t.startsWith('header X-Priority')));
  assert.ok(r.priority.score >= 80, `priority ${r.priority.score}`);
  assert.equal(r.bulk.isBulk, false);

  // Bottom-posted reply on a list: the attribution and "> " lines are quoted, the answer below is new.
  const list = await analyze(fixture('mailing-list.eml'));
  assert.match(list.text.analyzed, /Yes, version 2\.5 shipped this morning\./);
  assert.doesNotMatch(list.text.analyzed, /Is the new release out yet/);
  assert.match(list.text.quoted, /Chris Garrigues wrote:\n> Is the new release out yet\?/);
  assert.ok(list.text.analyzed.slice(list.text.tailStart).includes('mailing list'), 'the list footer is in the tail');

  // A bare forward has no new text: the forwarded text is analysed instead.
  const fwd = await analyze(mail('---------------------- Forwarded by Jeff Skilling/HOU/ECT on 05/14/2001 01:40 PM ---------------------------\n\nCan you approve the budget by Friday?'));
  assert.equal(fwd.text.focus, 'quoted');
  assert.equal(fwd.questions[0]?.kind, 'request');
});

test('bulk and automated mail are recognised with their indicators; priority drops', async () => {
  const list = await analyze(fixture('mailing-list.eml'));
  assert.equal(list.bulk.isBulk, true);
  for (const indicator of ['List-Id header', 'List-Unsubscribe header', 'Precedence: bulk', 'unsubscribe text']) {
    assert.ok(list.bulk.indicators.includes(indicator), indicator);
  }
  assert.ok(list.bulk.indicators.some((i) => i.startsWith('bulk mailer (ListManager')));
  assert.ok(list.priority.score <= 10);

  const newsletter = await analyze(fixture('newsletter-html-only.eml'));
  assert.equal(newsletter.bulk.isBulk, true);
  assert.ok(newsletter.bulk.indicators.includes('unsubscribe text'), 'found in the HTML-only body footer');

  const notice = await analyze(fixture('automated-notice.eml'));
  assert.equal(notice.bulk.isAutomated, true);
  assert.ok(notice.bulk.indicators.includes('Auto-Submitted: auto-generated'));
  assert.ok(notice.bulk.indicators.some((i) => i.startsWith('no-reply sender')));
  assert.ok(notice.bulk.indicators.some((i) => i.startsWith('automated-notice wording')));

  const personal = await analyze(mail('Hi Bob, lunch on Thursday?'));
  assert.deepEqual(personal.bulk, { isBulk: false, isAutomated: false, indicators: [] });
  assert.ok(personal.priority.score > notice.priority.score && personal.priority.score > list.priority.score);
});

test('sentiment and patterns follow the words', async () => {
  const happy = await analyze(mail('Thank you so much, this is wonderful work and I really appreciate it. Sounds good to me.'));
  assert.equal(happy.sentiment.polarity, 'positive');
  assert.equal(happy.patterns.gratitude.matched, true);
  assert.equal(happy.patterns.agreement.matched, true);
  const angry = await analyze(mail('I am very disappointed. This is unacceptable and the service was terrible. You must fix it immediately.'));
  assert.equal(angry.sentiment.polarity, 'negative');
  assert.ok(angry.patterns.dissatisfaction.phrases.includes('disappointed'));
  assert.ok(angry.patterns.demand.phrases.includes('you must'));
  assert.ok(angry.sentiment.score < happy.sentiment.score);
});

test('key phrases are ranked noun phrases; language is guessed', async () => {
  const r = await analyze(mail('The pipeline expansion needs a new compressor station. The compressor station permit is late, ' +
    'and the pipeline expansion budget must be approved. Compressor station costs are rising.'));
  assert.equal(r.keyPhrases[0]?.text.toLowerCase(), 'compressor station');
  assert.ok(r.keyPhrases.some((k) => /pipeline expansion/i.test(k.text)));
  assert.equal(r.language, 'en');
  const ru = await analyze(fixture('koi8r-base64.eml'));
  assert.equal(ru.language, 'ru');
});

test('language: links are not words, a list of names does not hide the prose above it, a two-word reply borrows its subject', async () => {
  const links = Array.from({ length: 30 }, (_, i) => `Deal ${i} (http://clickthru.example.com/Click?q=${i}a-z_30IeWiUJ-o_e-a)`).join('\n');
  const newsletter = await analyze(mail(`Here are the best deals of the week for you and your family.\n\n${links}`));
  assert.equal(newsletter.language, 'en');
  const people = Array.from({ length: 60 }, (_, i) => `Name${String.fromCharCode(65 + (i % 26))} Person - VP, Unit ${i}`).join('\n');
  const committee = await analyze(mail(`I am pleased to announce the formation of the committee. It will focus on the key issues facing the company and will include the following individuals:\n\n${people}`));
  assert.equal(committee.language, 'en');
  const headers = 'From: Jane Smith <jane.smith@acme.example>\nTo: Bob Jones <bob@example.org>\nSubject: Your e-mail to the board about the plan\nDate: Mon, 14 May 2001 17:37:00 -0700\n';
  const short = await analyze(mail('Thanks, Melissa', headers));
  assert.equal(short.language, 'en');
});

test('key phrases leave out a subject\'s list tag and the labels of a form or a forwarded header', async () => {
  const headers = 'From: Jane Smith <jane.smith@acme.example>\nTo: ilug@linux.example\nSubject: Re: [ILUG] compressor station permit\nDate: Mon, 14 May 2001 17:37:00 -0700\n';
  const r = await analyze(mail('Date: Friday, June 1, 2001\nPlace: Tasca\'s\n\nThe compressor station permit is late. The permit office wants the station plans.', headers));
  const phrases = r.keyPhrases.map((k) => k.text.toLowerCase());
  assert.ok(phrases.includes('compressor station permit'), phrases.join(' | '));
  for (const label of ['ilug', 'date', 'place']) assert.ok(!phrases.includes(label), `${label} in ${phrases.join(' | ')}`);
});

test('every failure is coded and every success has every key, whatever the input', async () => {
  const bin = await analyzeMessage({ id: 'bin', raw: garbage(10_000) });
  assert.deepEqual(bin.ok ? null : [bin.id, bin.code], ['bin', 'E_UNPARSEABLE']);
  const empty = await analyzeMessage({ id: 'e', raw: Buffer.alloc(0) });
  assert.equal(!empty.ok && empty.code, 'E_EMPTY_MESSAGE');
  const wrong = await analyzeMessage({ id: 'w', raw: 'not bytes' } as never);
  assert.equal(!wrong.ok && wrong.code, 'E_INVALID_INPUT');
  const serialised = await analyzeMessage({ id: 's', raw: JSON.parse(JSON.stringify(Buffer.from(mail('Over IPC.')))) } as never);
  assert.equal(serialised.ok, true, 'a Buffer serialised over JSON IPC is accepted');

  // Attachments only, no text: still a full result.
  const attachmentOnly = await analyze(
    'From: a@example.com\nSubject: \nContent-Type: multipart/mixed; boundary=x\n\n--x\nContent-Type: image/png; name=a.png\nContent-Transfer-Encoding: base64\n\niVBORw0KGgo=\n--x--\n',
  );
  assert.equal(attachmentOnly.text.analyzed, '');
  assert.equal(attachmentOnly.attachments[0]?.mimeType, 'image/png');
  assert.equal(attachmentOnly.sentenceCount, 0);

  // JSON input goes through the same analysis.
  const json = await analyzeMessage({ id: 'j', json: { subject: 'Budget', from: 'Jane Smith <jane@example.com>', body: 'Can you approve the budget by Friday?', date: '2001-05-14T17:37:00-07:00' } });
  assertOk(json);
  assertWellFormed(json);
  assert.equal(json.deadlines[0]?.date, '2001-05-18');
  assert.equal(json.questions[0]?.kind, 'request');
  const viaRaw = await analyze(mail('Can you approve the budget by Friday?', 'From: Jane Smith <jane@example.com>\nSubject: Budget\nDate: Mon, 14 May 2001 17:37:00 -0700\n'));
  const strip = (r: EmailAnalysis) => ({ ...r, id: '', elapsedMs: 0, text: { ...r.text, source: '' } });
  assert.deepEqual(strip(json), strip(viaRaw));
});

test('analyzeParsed is synchronous and deterministic', async () => {
  const parsed = await parseMessage({ id: 'd', raw: fixture('reply-thread.eml') });
  assert.ok(parsed.ok);
  const a = analyzeParsed(parsed);
  const b = analyzeParsed(parsed);
  assert.ok(a.ok && b.ok);
  assert.deepEqual({ ...a, elapsedMs: 0 }, { ...b, elapsedMs: 0 });
});

test('a result depends on its own message only, not on what the process read before', async () => {
  // wink-nlp adds each unknown token to its lexicon; once it had met "tomorrow's," it used to stop
  // splitting "tomorrow's" in later text, and the date "tomorrow" disappeared from this message.
  const probe = mail("Please send the report by tomorrow's meeting.");
  const before = await analyze(probe);
  const dates = (r: EmailAnalysis) => r.entities.filter((e) => e.type === 'DATE').map((e) => e.text);
  assert.deepEqual(dates(before), ['tomorrow']);
  await analyze(mail("We will discuss it at tomorrow's, not today's, session. Call me re: Q3's numbers, ok?"));
  const after = await analyze(probe);
  assert.deepEqual(dates(after), ['tomorrow']);
  assert.deepEqual({ ...after, elapsedMs: 0 }, { ...before, elapsedMs: 0 });
});

test('mail dates in the wild parse, keeping the sender offset', () => {
  const cases: [string, string][] = [
    ['Thu, 22 Aug 2002 12:36:23 +0100 (IST)', '2002-08-22T12:36:23+01:00'],
    ['Thu, 29 Aug 2002 15:36:58 +-0500', '2002-08-29T15:36:58-05:00'],
    ['Fri, 30 Aug 02 21:48:08 Eastern Daylight Time', '2002-08-30T21:48:08-04:00'],
    ['2002/09/14 Sat 02:29:32 CDT', '2002-09-14T02:29:32-05:00'],
    ['Sat, 8 Jun 2002 1:5:13 +-0500', '2002-06-08T01:05:13-05:00'],
    ['Mon, 14 May 2001 17:37:00 -0700 (PDT)', '2001-05-14T17:37:00-07:00'],
    ['14 May 2001 17:37 GMT', '2001-05-14T17:37:00+00:00'],
    ['2001-05-14T17:37:00-07:00', '2001-05-14T17:37:00-07:00'],
    ['Thu Aug 22 12:36:23 2002', '2002-08-22T12:36:23+00:00'],
  ];
  for (const [raw, iso] of cases) {
    const parsed = parseMailDate(raw);
    assert.ok(parsed, raw);
    assert.equal(formatDateTime(parsed), iso, raw);
  }
  for (const bad of ['', 'not a date at all', '31 Jun 2001 10:00 +0000']) assert.equal(parseMailDate(bad), null, bad);
});
