/**
 * Priority 0-100 from the other signals, with a reason for every point moved. Starts at 30:
 *   urgency high +30 / medium +18 / low +8
 *   direct questions +6 each (max 2), requests +7 each (max 2)
 *   a resolved deadline within a week of sending +8
 *   sender looks like a person (not bulk, not automated, not a role/no-reply address) +10
 *   a reply (Re:) +4; dissatisfaction +6; demand +5
 *   bulk -30; automated -25; no new text at all -10
 * and is clamped to 0..100. Urgent + a direct question + a person sender lands around 75-85; a
 * newsletter lands near 0.
 */
import type { BulkResult } from './analyze-bulk.js';
import type { UrgencyResult } from './analyze-urgency.js';
import type { Deadline, Mailbox, PatternHits, Question } from './types.js';

export interface PriorityInput {
  subject: string;
  from: Mailbox | null;
  urgency: UrgencyResult;
  questions: Question[];
  deadlines: Deadline[];
  /** Deadlines within 7 days of sending (computed by the caller, who knows the sending time). */
  nearDeadlines: number;
  patterns: { dissatisfaction: PatternHits; demand: PatternHits };
  bulk: BulkResult;
  hasNewText: boolean;
}

const ROLE_LOCAL = /^(?:info|sales|support|admin|office|contact|help|service|team|hello|webmaster|jobs|billing|accounts?|noreply|no-reply)$/i;

export function scorePriority(input: PriorityInput): { score: number; reasons: string[] } {
  let score = 30;
  const reasons: string[] = ['base 30'];
  const add = (points: number, reason: string) => {
    score += points;
    reasons.push(`${points > 0 ? '+' : ''}${points} ${reason}`);
  };
  const u = input.urgency;
  if (u.level === 'high') add(30, `urgency high (${u.triggers.slice(0, 3).join(', ')})`);
  else if (u.level === 'medium') add(18, `urgency medium (${u.triggers.slice(0, 3).join(', ')})`);
  else if (u.level === 'low') add(8, `urgency low (${u.triggers.slice(0, 3).join(', ')})`);

  const direct = input.questions.filter((q) => q.kind === 'direct').length;
  const requests = input.questions.length - direct;
  if (direct > 0) add(6 * Math.min(2, direct), `${direct} direct question${direct > 1 ? 's' : ''}`);
  if (requests > 0) add(7 * Math.min(2, requests), `${requests} request${requests > 1 ? 's' : ''}`);
  if (input.nearDeadlines > 0) add(8, `deadline within a week ("${input.deadlines[0]?.phrase ?? ''}")`);

  const local = input.from?.address.split('@')[0] ?? '';
  const person = Boolean(input.from?.address) && !input.bulk.isBulk && !input.bulk.isAutomated && !ROLE_LOCAL.test(local);
  if (person) add(10, 'sender looks like a person');
  if (/^\s*re\s*:/i.test(input.subject)) add(4, 'reply in a conversation');
  if (input.patterns.dissatisfaction.matched) add(6, `dissatisfaction (${input.patterns.dissatisfaction.phrases.slice(0, 2).join(', ')})`);
  if (input.patterns.demand.matched) add(5, `demand (${input.patterns.demand.phrases.slice(0, 2).join(', ')})`);
  if (input.bulk.isBulk) add(-30, 'bulk or list mail');
  if (input.bulk.isAutomated) add(-25, 'automated message');
  if (!input.hasNewText) add(-10, 'no new text (only quoted or forwarded content)');
  return { score: Math.max(0, Math.min(100, score)), reasons };
}
