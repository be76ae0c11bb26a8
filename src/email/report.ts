/**
 * Output of the email workload, one message at a time: JSON lines (every field), CSV (the main
 * signals, one row per message) and a compact table for people, plus a running tally for the
 * summary. Each is written as results arrive, so no format needs the whole mailbox in memory.
 */
import type { AnalysisResult, EmailAnalysis, Mailbox } from './types.js';

export const OUTPUT_FORMATS = ['jsonl', 'csv', 'table'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export function toJsonLine(result: AnalysisResult): string {
  return JSON.stringify(result) + '\n';
}

// ---- CSV --------------------------------------------------------------------------------------

export const CSV_COLUMNS = [
  'id',
  'ok',
  'error_code',
  'error_message',
  'message_id',
  'date',
  'from',
  'subject',
  'language',
  'priority',
  'priority_reasons',
  'urgency',
  'urgency_score',
  'urgency_triggers',
  'first_deadline',
  'deadlines',
  'questions',
  'sentiment',
  'polarity',
  'patterns',
  'is_bulk',
  'is_automated',
  'bulk_indicators',
  'people',
  'organisations',
  'places',
  'entities',
  'key_phrases',
  'attachments',
  'truncated',
  'warnings',
] as const;

function csvField(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  // Spreadsheets run cells that start with = + - @ as formulas; a leading quote keeps them text.
  const safe = typeof value === 'string' && /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function mailbox(box: Mailbox | null): string {
  if (!box) return '';
  return box.name ? `${box.name} <${box.address}>` : box.address;
}

const unique = (values: string[]) => [...new Set(values)];
const list = (values: string[], max = 10) => values.slice(0, max).join('; ');

export function csvHeader(): string {
  return CSV_COLUMNS.join(',') + '\n';
}

export function toCsvRow(result: AnalysisResult): string {
  let cells: Array<string | number | boolean | null>;
  if (!result.ok) {
    cells = [result.id, false, result.code, result.message, ...Array<null>(CSV_COLUMNS.length - 4).fill(null)];
  } else {
    const r = result;
    const patterns = (Object.keys(r.patterns) as Array<keyof EmailAnalysis['patterns']>).filter((name) => r.patterns[name].matched);
    const entitiesOf = (type: string) => unique(r.entities.filter((e) => e.type === type).map((e) => e.text.replace(/\s+/g, ' ')));
    cells = [
      r.id,
      true,
      null,
      null,
      r.messageId,
      r.date,
      mailbox(r.from),
      r.subject,
      r.language,
      r.priority.score,
      list(r.priority.reasons),
      r.urgency.level,
      r.urgency.score,
      list(r.urgency.triggers),
      r.deadlines.find((d) => d.date !== null)?.date ?? null,
      list(r.deadlines.map((d) => d.phrase)),
      r.questions.length,
      r.sentiment.score,
      r.sentiment.polarity,
      patterns.join('; '),
      r.bulk.isBulk,
      r.bulk.isAutomated,
      list(r.bulk.indicators),
      list(entitiesOf('PERSON')),
      list(entitiesOf('ORG')),
      list(entitiesOf('PLACE')),
      r.entities.length,
      list(r.keyPhrases.map((p) => p.text), 5),
      r.attachments.length,
      r.truncated,
      list(r.warnings.map((w) => w.code)),
    ];
  }
  return cells.map(csvField).join(',') + '\n';
}

// ---- table ------------------------------------------------------------------------------------

function fit(text: string, width: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > width ? flat.slice(0, width - 1) + '…' : flat.padEnd(width);
}

export function tableHeader(): string {
  return `${'#'.padStart(5)}  PRI  URGENCY  BULK  SENT   Q  DL  ${fit('FROM', 26)}  SUBJECT\n`;
}

/** One line per message; `position` is 1-based. */
export function toTableRow(result: AnalysisResult, position: number): string {
  const n = String(position).padStart(5);
  if (!result.ok) return `${n}  ERR  ${result.code}: ${fit(result.message, 70).trimEnd()}  (${fit(result.id, 60).trimEnd()})\n`;
  const r = result;
  const bulk = r.bulk.isAutomated ? 'auto' : r.bulk.isBulk ? 'bulk' : '-';
  const sentiment = (r.sentiment.score >= 0 ? '+' : '') + r.sentiment.score.toFixed(2);
  const from = mailbox(r.from) || '(no sender)';
  return (
    `${n}  ${String(r.priority.score).padStart(3)}  ${r.urgency.level.padEnd(7)}  ${bulk.padEnd(4)}  ${sentiment.padStart(5)}  ` +
    `${String(r.questions.length).padStart(2)}  ${String(r.deadlines.length).padStart(2)}  ${fit(from, 26)}  ${fit(r.subject || '(no subject)', 60).trimEnd()}\n`
  );
}

// ---- tally ------------------------------------------------------------------------------------

export interface EmailTallySummary {
  messages: number;
  ok: number;
  failed: number;
  errors: Record<string, number>;
  bulk: number;
  automated: number;
  truncated: number;
  urgency: Record<string, number>;
  with_questions: number;
  with_deadlines: number;
  /** Messages with a priority score of 60 or more. */
  high_priority: number;
}

/** Running counts over results (a few integers, whatever the number of messages). */
export class EmailTally {
  private readonly counts: EmailTallySummary = {
    messages: 0,
    ok: 0,
    failed: 0,
    errors: {},
    bulk: 0,
    automated: 0,
    truncated: 0,
    urgency: { none: 0, low: 0, medium: 0, high: 0 },
    with_questions: 0,
    with_deadlines: 0,
    high_priority: 0,
  };

  add(result: AnalysisResult): void {
    const c = this.counts;
    c.messages++;
    if (!result.ok) {
      c.failed++;
      c.errors[result.code] = (c.errors[result.code] ?? 0) + 1;
      return;
    }
    c.ok++;
    if (result.bulk.isBulk) c.bulk++;
    if (result.bulk.isAutomated) c.automated++;
    if (result.truncated) c.truncated++;
    c.urgency[result.urgency.level] = (c.urgency[result.urgency.level] ?? 0) + 1;
    if (result.questions.length > 0) c.with_questions++;
    if (result.deadlines.length > 0) c.with_deadlines++;
    if (result.priority.score >= 60) c.high_priority++;
  }

  get messages(): number {
    return this.counts.messages;
  }

  summary(): EmailTallySummary {
    return structuredClone(this.counts);
  }
}
