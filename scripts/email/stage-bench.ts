/**
 * CPU time per message by stage, on messages preloaded into memory (so file reading is not counted):
 * parse (postal-mime + our clean-up), then analysis broken down into its steps (the same calls
 * analyzeParsed makes, in the same order). Each stage is timed with process.cpuUsage() over the whole
 * corpus, then the corpus is run again end to end (parseMessage + analyzeParsed) for the total.
 *
 * A step's gain here is not yet a gain. Reusing wink's token strings instead of slicing the text saved
 * 15% of readText here (4 interleaved rounds) and nothing end to end (--only e2e, and `keel emails`
 * with its workers); holding the whole corpus in memory, as this script does, likely makes allocation
 * dearer than in a worker. Confirm a change with --only e2e and an isolated run before keeping it.
 *
 *   node dist/scripts/email/stage-bench.js [path ...] [--limit N] [--rounds R] [--only e2e|parse|analyze|analyzers] [--reps N] [--step name]
 */
import { resolve } from 'node:path';
import { detectBulk } from '../../src/email/analyze-bulk.js';
import { findDeadlines } from '../../src/email/analyze-deadlines.js';
import { extractEntities } from '../../src/email/analyze-entities.js';
import { guessLanguage } from '../../src/email/analyze-language.js';
import { extractKeyPhrases } from '../../src/email/analyze-phrases.js';
import { findQuestions } from '../../src/email/analyze-questions.js';
import { findPatterns, scoreSentiment } from '../../src/email/analyze-sentiment.js';
import { assessUrgency } from '../../src/email/analyze-urgency.js';
import { analyzeParsed, composeText } from '../../src/email/analyze.js';
import { parseMailDate } from '../../src/email/dates.js';
import { getNlp, readText } from '../../src/email/nlp.js';
import { parseMessage } from '../../src/email/parse.js';
import { readMessages, type SourceMessage } from '../../src/email/sources.js';
import type { ParsedMessage } from '../../src/email/types.js';

function cpuMs(since: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1000;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const paths: string[] = [];
  let limit = Number.POSITIVE_INFINITY;
  let rounds = 1;
  let only: string | undefined;
  let reps = 3;
  let step: string | undefined;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--limit') limit = parseInt(args[++i]!, 10);
    else if (args[i] === '--rounds') rounds = parseInt(args[++i]!, 10);
    else if (args[i] === '--reps') reps = parseInt(args[++i]!, 10);
    else if (args[i] === '--step') step = args[++i]; // with --only analyzers: that step alone
    else if (args[i] === '--only') only = args[++i]; // parse | analyze: that stage alone, for profiling
    else paths.push(args[i]!);
  }
  if (paths.length === 0) paths.push(resolve(process.cwd(), '..', 'shared', 'emails'));
  getNlp();
  const messages: SourceMessage[] = [];
  for await (const item of readMessages(paths)) {
    if (messages.length >= limit) break;
    if (item.kind === 'message') messages.push(item);
  }
  const n = messages.length;
  for (let round = 0; round < rounds; round++) {
    const stages = new Map<string, number>();
    const time = (name: string, fn: () => void) => {
      const t = process.cpuUsage();
      fn();
      stages.set(name, (stages.get(name) ?? 0) + cpuMs(t));
    };
    let t = process.cpuUsage();
    if (only === 'e2e') {
      // parseMessage + analyzeParsed message by message, as a worker does; round 1 is a cold process.
      for (const m of messages) {
        const p = await parseMessage(m);
        if (p.ok) analyzeParsed(p);
      }
      console.log(`round ${round + 1}: end to end ${(cpuMs(t) / n).toFixed(3)} ms per message`);
      continue;
    }
    const parsed: ParsedMessage[] = [];
    for (const m of messages) {
      const p = await parseMessage(m);
      if (p.ok) parsed.push(p);
    }
    stages.set('parse', cpuMs(t));
    if (only === 'parse') {
      console.log(`round ${round + 1}: parse ${(stages.get('parse')! / n).toFixed(3)} ms per message`);
      continue;
    }
    if (only === 'analyzers') {
      // Each analyser alone, repeated over precomputed texts and wink docs: stable numbers for small steps.
      const inputs = parsed.map((p) => {
        const text = composeText(p);
        const doc = text.analyzed.trim().length > 0 ? readText(text.analyzed) : { text: '', tokens: [], sentences: [], entities: [] };
        const ref = parseMailDate(p.date);
        return { p, text, doc, ref, deadlines: findDeadlines(text.analyzed, text.tailStart, ref, 20) };
      });
      const steps: [string, (x: (typeof inputs)[number]) => unknown][] = [
        ['composeText', (x) => composeText(x.p)],
        ['readText', (x) => (x.text.analyzed.trim().length > 0 ? readText(x.text.analyzed) : null)],
        ['entities', (x) => extractEntities(x.doc, { from: x.p.from, recipients: [...x.p.to, ...x.p.cc], extraSenderNames: [...(x.p.headers['x-from'] ?? [])], tailStart: x.text.tailStart, includeNumbers: false, maxEntities: 200 })],
        ['keyPhrases', (x) => extractKeyPhrases(x.text.analyzed, x.doc.tokens, x.text.bodyStart, x.text.tailStart, 10)],
        ['questions', (x) => findQuestions(x.text.analyzed, x.doc.tokens, x.doc.sentences, 0, x.text.tailStart, 25)],
        ['sentiment', (x) => scoreSentiment(x.doc.sentences, x.text.tailStart)],
        ['patterns', (x) => findPatterns(x.text.analyzed, x.text.tailStart)],
        ['deadlines', (x) => findDeadlines(x.text.analyzed, x.text.tailStart, x.ref, 20)],
        ['urgency', (x) => assessUrgency(x.text.analyzed, x.text.bodyStart, x.text.tailStart, x.p.headers, x.deadlines, x.ref)],
        ['bulk', (x) => detectBulk(x.p)],
        ['language', (x) => {
          const sample = x.text.analyzed.slice(x.text.bodyStart, x.text.tailStart);
          return guessLanguage(sample.trim().length > 0 ? sample : x.text.analyzed);
        }],
      ];
      console.log(`round ${round + 1}: CPU ms per message, each step alone (x${reps})`);
      for (const [name, fn] of steps) {
        if (step && step !== name) continue;
        const t0 = process.cpuUsage();
        for (let r = 0; r < reps; r++) for (const x of inputs) fn(x);
        console.log(`  ${name.padEnd(14)} ${(cpuMs(t0) / n / reps).toFixed(4)}`);
      }
      continue;
    }
    if (only === 'analyze') {
      t = process.cpuUsage();
      for (const p of parsed) analyzeParsed(p);
      console.log(`round ${round + 1}: analyzeParsed ${(cpuMs(t) / n).toFixed(3)} ms per message`);
      continue;
    }
    for (const p of parsed) {
      let text!: ReturnType<typeof composeText>;
      time('composeText', () => (text = composeText(p)));
      const { analyzed, bodyStart, tailStart } = text;
      let doc!: ReturnType<typeof readText>;
      time('wink readText', () => (doc = analyzed.trim().length > 0 ? readText(analyzed) : { text: '', tokens: [], sentences: [], entities: [] }));
      const ref = parseMailDate(p.date);
      time('entities', () => extractEntities(doc, { from: p.from, recipients: [...p.to, ...p.cc], extraSenderNames: [...(p.headers['x-from'] ?? [])], tailStart, includeNumbers: false, maxEntities: 200 }));
      time('keyPhrases', () => extractKeyPhrases(analyzed, doc.tokens, bodyStart, tailStart, 10));
      time('questions', () => findQuestions(analyzed, doc.tokens, doc.sentences, 0, tailStart, 25));
      time('sentiment+patterns', () => {
        scoreSentiment(doc.sentences, tailStart);
        findPatterns(analyzed, tailStart);
      });
      let deadlines: ReturnType<typeof findDeadlines> = [];
      time('deadlines', () => (deadlines = findDeadlines(analyzed, tailStart, ref, 20)));
      time('urgency', () => assessUrgency(analyzed, bodyStart, tailStart, p.headers, deadlines, ref));
      time('bulk', () => detectBulk(p));
      time('language', () => {
        const sample = analyzed.slice(bodyStart, tailStart);
        guessLanguage(sample.trim().length > 0 ? sample : analyzed);
      });
    }
    t = process.cpuUsage();
    for (const p of parsed) analyzeParsed(p);
    stages.set('analyzeParsed (whole)', cpuMs(t));
    t = process.cpuUsage();
    for (const m of messages) {
      const p = await parseMessage(m);
      if (p.ok) analyzeParsed(p);
    }
    stages.set('end to end (parse + analyze)', cpuMs(t));
    console.log(`round ${round + 1}: ${n} messages, CPU ms per message`);
    for (const [name, ms] of stages) console.log(`  ${name.padEnd(30)} ${(ms / n).toFixed(3)}`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
