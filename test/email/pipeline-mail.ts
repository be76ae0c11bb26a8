/**
 * Messages written for the pipeline tests: a few kinds of real-looking mail (a request with a
 * deadline, a mailing-list post, an HTML newsletter, latin-1 quoted-printable, a wrong charset
 * label, a reply with quoted text), and writers for the containers they arrive in (mbox, maildir).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface MailParts {
  from: string;
  subject: string;
  body: string;
  date?: string;
  to?: string;
  messageId?: string;
  headers?: string[];
}

export function mail(parts: MailParts): string {
  const lines = [
    `From: ${parts.from}`,
    `To: ${parts.to ?? 'Bob Jones <bob@example.org>'}`,
    `Subject: ${parts.subject}`,
    `Date: ${parts.date ?? 'Mon, 14 May 2001 17:37:00 -0700'}`,
    ...(parts.messageId ? [`Message-ID: ${parts.messageId}`] : []),
    ...(parts.headers ?? []),
  ];
  return `${lines.join('\n')}\n\n${parts.body}\n`;
}

/** A varied set of messages; `n` picks how many (cycling through the kinds with distinct subjects). */
export function sampleMessages(n: number): string[] {
  const kinds: Array<(i: number) => string> = [
    (i) =>
      mail({
        from: 'Jane Smith <jane.smith@acme.example>',
        subject: `Contract review ${i}`,
        messageId: `<contract-${i}@acme.example>`,
        body: 'Bob,\n\nCould you send me the signed contract by Friday? This is urgent: the board meets tomorrow.\nPlease call Maria Lopez at 555-123-4567.\n\nThanks,\nJane',
      }),
    (i) =>
      mail({
        from: 'Exmh Admin <exmh-workers-admin@example.com>',
        subject: `[Exmh] release notes ${i}`,
        headers: ['List-Id: <exmh-workers.example.com>', 'Precedence: bulk', 'List-Unsubscribe: <mailto:exmh-request@example.com?subject=unsubscribe>'],
        body: 'The new release fixes the folder cache.\n\n_______________________________________________\nTo unsubscribe, visit http://lists.example.com/exmh',
      }),
    (i) =>
      mail({
        from: 'Widget Weekly <news@widgets.example>',
        subject: `Spring catalogue ${i}`,
        headers: ['MIME-Version: 1.0', 'Content-Type: text/html; charset=utf-8'],
        body: '<html><body><h1>Spring sale</h1><p>Save 20% on all widgets until June 3.</p><p><a href="http://widgets.example/u">Unsubscribe</a></p></body></html>',
      }),
    (i) =>
      mail({
        from: 'René Müller <rene@example.de>',
        subject: `Résumé ${i}`,
        headers: ['MIME-Version: 1.0', 'Content-Type: text/plain; charset=iso-8859-1', 'Content-Transfer-Encoding: quoted-printable'],
        body: 'Gr=FC=DFe aus M=FCnchen. Wir treffen uns am Montag um 10 Uhr.',
      }),
    (i) =>
      mail({
        from: 'someone@example.com',
        subject: `Bogus label ${i}`,
        headers: ['MIME-Version: 1.0', 'Content-Type: text/plain; charset="unknown-8bit"'],
        body: 'I am very disappointed with the delay. What happened to my order?',
      }),
    (i) =>
      mail({
        from: 'Pat Lee <pat@example.com>',
        subject: `Re: Budget ${i}`,
        body: 'Agreed, let us go ahead.\n\nOn Mon, 14 May 2001, Bob Jones wrote:\n> Can we approve the $40,000 budget for Houston?\n> Bob',
      }),
  ];
  return Array.from({ length: n }, (_, i) => kinds[i % kinds.length]!(i));
}

/** An mbox: each message after a "From " envelope, body lines starting with "From " escaped. */
export function writeMbox(path: string, messages: string[]): void {
  const parts = messages.map((message, i) => {
    const escaped = message.replace(/^(>*From )/gm, '>$1');
    return `From sender${i}@example.com  Mon May 14 17:37:${String(i % 60).padStart(2, '0')} 2001\n${escaped}${escaped.endsWith('\n') ? '' : '\n'}`;
  });
  writeFileSync(path, parts.join('\n'));
}

/** A maildir: the first message in new/, the others in cur/ (tmp/ empty, as a delivering agent leaves it). */
export function writeMaildir(dir: string, messages: string[]): string[] {
  for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(dir, sub), { recursive: true });
  return messages.map((message, i) => {
    const path = join(dir, i === 0 ? 'new' : 'cur', `${1000 + i}.M${i}P1.host${i === 0 ? '' : ':2,S'}`);
    writeFileSync(path, message);
    return path;
  });
}
