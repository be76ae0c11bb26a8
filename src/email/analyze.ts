/**
 * The email workload's entry points. `analyzeMessage` takes a raw message (bytes), a source item from
 * `readMessages`, or a JSON message, and always resolves (never rejects) to one EmailAnalysis or one
 * coded Failure. It keeps no state between messages except the wink model, loaded once per process,
 * so it is safe to run inside pool workers and to recycle those workers at any time.
 */
import { detectBulk } from './analyze-bulk.js';
import { findDeadlines } from './analyze-deadlines.js';
import { extractEntities } from './analyze-entities.js';
import { guessLanguage } from './analyze-language.js';
import { extractKeyPhrases } from './analyze-phrases.js';
import { scorePriority } from './analyze-priority.js';
import { findQuestions } from './analyze-questions.js';
import { findPatterns, scoreSentiment } from './analyze-sentiment.js';
import { assessUrgency } from './analyze-urgency.js';
import { dayDifference, parseMailDate, type WallTime } from './dates.js';
import { parseJsonMessage } from './json-input.js';
import { readText, type NlpDoc } from './nlp.js';
import { resolveEmailOptions, type EmailOptions } from './options.js';
import { dropLeadingHeaderBlock, segmentBody } from './quotes.js';
import { echoesAnotherMessage } from './subject.js';
import { failure, parseMessage, type RawMessageInput } from './parse.js';
import { readMessageRef, type MessageRef, type SourceItem } from './sources.js';
import { isSpaceCode } from './whitespace.js';
import type { AnalysisResult, AnalyzedText, EmailAnalysis, EmailWarning, ParsedMessage } from './types.js';

export interface JsonMessageInput {
  id: string;
  json: unknown;
}

export type MessageInput = RawMessageInput | SourceItem | JsonMessageInput;

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Builds the analysed text (see AnalyzedText) from the parsed body's sections. */
export function composeText(parsed: ParsedMessage): AnalyzedText {
  const { body, sections } = parsed;
  const take = (kinds: string[]) => {
    let out = '';
    for (const section of sections) {
      if (!kinds.includes(section.kind)) continue;
      const piece = body.slice(section.start, section.end);
      if (out.length > 0 && !out.endsWith('\n')) out += '\n';
      out += piece;
    }
    return out;
  };
  let main = take(['new']);
  const quoted = take(['quoted', 'forwarded']);
  let focus: AnalyzedText['focus'] = 'new';
  let tail = take(['signature', 'footer']).trim();
  if (main.trim().length === 0 && quoted.trim().length > 0) {
    // Nothing new (a bare forward or a reply with only quoted text): analyse the quoted text instead,
    // segmented in turn so its own signature and disclaimers go to the tail.
    const unquoted = dropLeadingHeaderBlock(quoted.replace(/^[ \t]*(?:>[ \t]?)+/gm, ''));
    const inner = segmentBody(unquoted);
    const pick = (kinds: string[]) => inner.filter((s) => kinds.includes(s.kind)).map((s) => unquoted.slice(s.start, s.end)).join('');
    main = pick(['new']);
    if (main.trim().length === 0) main = pick(['new', 'quoted', 'forwarded']);
    const innerTail = pick(['signature', 'footer']).trim();
    if (innerTail.length > 0) tail = tail.length > 0 ? `${innerTail}\n\n${tail}` : innerTail;
    focus = 'quoted';
  }
  main = main.replace(/[ \t]+$/gm, '').replace(/\n{3,}/g, '\n\n').trim();
  const subject = parsed.subject;
  const head = subject.length > 0 ? `${subject}\n\n` : '';
  let analyzed = head + main;
  const bodyStart = head.length;
  let tailStart = analyzed.length;
  if (tail.length > 0) {
    const sep = analyzed.length > 0 ? '\n\n' : '';
    tailStart = analyzed.length + sep.length;
    analyzed += sep + tail.replace(/[ \t]+$/gm, '').replace(/\n{3,}/g, '\n\n');
  }
  return { analyzed, bodyStart, tailStart, focus, quoted, source: parsed.bodySource };
}

/** `text.slice(start, end).trim().length > 0` without the copy (trim removes exactly what \s matches). */
function hasNonSpace(text: string, start: number, end: number): boolean {
  const stop = Math.min(end, text.length);
  for (let i = Math.max(0, start); i < stop; i++) if (!isSpaceCode(text.charCodeAt(i))) return true;
  return false;
}

const EMPTY_DOC: NlpDoc = { text: '', tokens: [], sentences: [], entities: [] };

/** Analysis of an already parsed message. Synchronous; never throws. */
export function analyzeParsed(parsed: ParsedMessage, options?: Partial<EmailOptions>): AnalysisResult {
  const started = performance.now();
  const opts = resolveEmailOptions(options);
  try {
    const warnings: EmailWarning[] = [...parsed.warnings];
    const text = composeText(parsed);
    const { analyzed, bodyStart, tailStart } = text;
    const doc = analyzed.trim().length > 0 ? readText(analyzed) : EMPTY_DOC;

    let ref: WallTime | null = parseMailDate(parsed.date);
    if (!ref && opts.referenceDate) ref = parseMailDate(opts.referenceDate);

    const extraNames = [...(parsed.headers['x-from'] ?? [])];
    const entities = extractEntities(doc, {
      from: parsed.from,
      recipients: [...parsed.to, ...parsed.cc],
      extraSenderNames: extraNames,
      tailStart,
      includeNumbers: opts.includeNumbers,
      maxEntities: opts.maxEntities,
    });
    const keyPhrases = extractKeyPhrases(analyzed, doc.tokens, bodyStart, tailStart, opts.maxKeyPhrases);
    // A reply's or forward's subject repeats the message it answers: its question is not this sender's.
    const questionsFrom = echoesAnotherMessage(parsed.subject) ? bodyStart : 0;
    const questions = findQuestions(analyzed, doc.tokens, doc.sentences, questionsFrom, tailStart, opts.maxQuestions);
    const sentiment = scoreSentiment(doc.sentences, tailStart);
    const patterns = findPatterns(analyzed, tailStart);
    const deadlines = findDeadlines(analyzed, tailStart, ref, opts.maxDeadlines);
    if (!parsed.date && ref && deadlines.length > 0) {
      warnings.push({ code: 'W_REFERENCE_DATE', message: 'no message date: relative deadlines were resolved against options.referenceDate' });
    }
    const urgency = assessUrgency(analyzed, bodyStart, tailStart, parsed.headers, deadlines, ref);
    const bulk = detectBulk(parsed);
    let nearDeadlines = 0;
    if (ref) {
      for (const d of deadlines) {
        const target = d.date ? parseMailDate(d.date.slice(0, 19)) : null;
        if (!target) continue;
        const days = dayDifference(ref, { wall: target.wall, offset: ref.offset });
        if (days >= 0 && days <= 7) nearDeadlines++;
      }
    }
    const hasNewText = text.focus === 'new' && analyzed.slice(bodyStart, tailStart).trim().length > 0;
    const priority = scorePriority({ subject: parsed.subject, from: parsed.from, urgency, questions, deadlines, nearDeadlines, patterns, bulk, hasNewText });
    let sentenceCount = 0;
    for (const s of doc.sentences) if (s.start < tailStart && hasNonSpace(analyzed, s.start, s.end)) sentenceCount++;
    const languageSample = analyzed.slice(bodyStart, tailStart);
    const result: EmailAnalysis = {
      id: parsed.id,
      ok: true,
      messageId: parsed.messageId,
      subject: parsed.subject,
      from: parsed.from,
      to: parsed.to,
      date: parsed.date,
      // The new text decides; too little of it ("Thanks, Melissa") and the subject and signature help.
      language: (languageSample.trim().length > 0 ? guessLanguage(languageSample) : null) ?? guessLanguage(analyzed),
      truncated: parsed.truncated,
      warnings,
      text,
      entities,
      keyPhrases,
      sentenceCount,
      questions,
      sentiment,
      patterns,
      urgency,
      deadlines,
      bulk,
      priority,
      attachments: parsed.attachments,
      elapsedMs: 0,
    };
    result.elapsedMs = Math.round((performance.now() - started) * 100) / 100;
    return result;
  } catch (error) {
    return failure(parsed.id, 'E_ANALYSIS_FAILED', `analysis failed: ${errorText(error)}`);
  }
}

/** A Buffer that crossed a JSON channel (child_process IPC without 'advanced' serialisation). */
function isSerialisedBuffer(value: unknown): value is { type: 'Buffer'; data: number[] } {
  return typeof value === 'object' && value !== null && (value as { type?: unknown }).type === 'Buffer' && Array.isArray((value as { data?: unknown }).data);
}

function isJsonInput(input: MessageInput): input is JsonMessageInput {
  return 'json' in input;
}

/** Parses and analyses one message. Never rejects. */
export async function analyzeMessage(input: MessageInput, options?: Partial<EmailOptions>): Promise<AnalysisResult> {
  const started = performance.now();
  const id = typeof input?.id === 'string' ? input.id : '(no id)';
  try {
    if ('kind' in input && input.kind === 'error') return failure(input.id, input.code, input.message);
    let parsed;
    if (isJsonInput(input)) parsed = parseJsonMessage(input.id, input.json, options);
    else if ('raw' in input && input.raw instanceof Uint8Array) parsed = await parseMessage(input, options);
    else if ('raw' in input && isSerialisedBuffer(input.raw)) parsed = await parseMessage({ ...input, raw: Buffer.from(input.raw.data) }, options);
    else return failure(id, 'E_INVALID_INPUT', 'expected {id, raw: Uint8Array}, {id, json} or a source item');
    if (!parsed.ok) return parsed;
    const result = analyzeParsed(parsed, options);
    if (result.ok) result.elapsedMs = Math.round((performance.now() - started) * 100) / 100;
    return result;
  } catch (error) {
    return failure(id, 'E_INTERNAL', `unexpected failure: ${errorText(error)}`);
  }
}

/** Reads a message by its reference (as a pool worker would) and analyses it. Never rejects. */
export async function analyzeRef(ref: MessageRef, options?: Partial<EmailOptions> & { id?: string }): Promise<AnalysisResult> {
  const readOptions: { maxMessageBytes?: number; id?: string } = {};
  if (options?.maxMessageBytes !== undefined) readOptions.maxMessageBytes = options.maxMessageBytes;
  if (options?.id !== undefined) readOptions.id = options.id;
  const item = await readMessageRef(ref, readOptions);
  return analyzeMessage(item, options);
}
