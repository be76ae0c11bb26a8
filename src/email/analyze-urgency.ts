/**
 * Urgency from words ("urgent", "ASAP", "immediately", ...), priority headers (X-Priority, Importance,
 * Priority, X-MSMail-Priority) and how close the nearest deadline is to the sending time.
 *
 * Points: each trigger counts once with its weight, +1 when it is in the subject; the nearest deadline
 * adds 3 (same day), 2.5 (next day), 1.5 (within 3 days), 0.5 (within a week), 1 (unresolved).
 * level: none (0 points), low (< 2.5), medium (< 5), high (>= 5); score = min(1, points / 8).
 */
import { dayDifference, parseMailDate, type WallTime } from './dates.js';
import type { Deadline, UrgencyLevel } from './types.js';

const TRIGGERS: [RegExp, number, string][] = [
  [/\burgent(?:ly)?\b/i, 3, 'urgent'],
  [/\basap\b|\ba\.s\.a\.p\b/i, 3, 'asap'],
  [/\bas soon as (?:possible|you can)\b/i, 2.5, 'as soon as possible'],
  [/\bemergency\b/i, 3, 'emergency'],
  [/\bimmediate(?:ly)?\b|\bright away\b|\bat once\b/i, 2.5, 'immediately'],
  [/\btime[- ]sensitive\b/i, 2.5, 'time-sensitive'],
  [/\b(?:high|top|highest) priority\b/i, 2.5, 'high priority'],
  [/\baction (?:is )?required\b|\bresponse (?:is )?(?:needed|required)\b|\bplease respond (?:today|now)\b/i, 2, 'action required'],
  [/\bwithout delay\b|\bpromptly\b/i, 1.5, 'promptly'],
  [/\bat your earliest convenience\b/i, 1.5, 'at your earliest convenience'],
  [/\bdeadline\b/i, 1.5, 'deadline'],
  [/\bcritical\b/i, 1.5, 'critical'],
  [/\bimportant\b/i, 1, 'important'],
  [/!{2,}/, 0.5, 'repeated exclamation marks'],
];

export interface UrgencyResult {
  level: UrgencyLevel;
  score: number;
  triggers: string[];
}

function headerPoints(headers: Record<string, string[]>): [number, string][] {
  const out: [number, string][] = [];
  const xPriority = headers['x-priority']?.[0];
  const level = xPriority ? /^\s*([1-5])/.exec(xPriority)?.[1] : undefined;
  if (level === '1') out.push([2, 'header X-Priority: 1']);
  else if (level === '2') out.push([1, 'header X-Priority: 2']);
  for (const name of ['importance', 'priority', 'x-msmail-priority']) {
    const value = headers[name]?.[0];
    if (value && /^\s*(?:high|urgent)\b/i.test(value)) out.push([2, `header ${name}: ${value.trim().toLowerCase()}`]);
  }
  return out;
}

export function sendingTime(date: string | null): WallTime | null {
  return date ? parseMailDate(date) : null;
}

export function assessUrgency(
  text: string,
  bodyStart: number,
  end: number,
  headers: Record<string, string[]>,
  deadlines: Deadline[],
  ref: WallTime | null,
): UrgencyResult {
  const scope = text.slice(0, end);
  const subject = text.slice(0, bodyStart);
  let points = 0;
  const triggers: string[] = [];
  for (const [re, weight, label] of TRIGGERS) {
    if (!re.test(scope)) continue;
    const inSubject = bodyStart > 0 && re.test(subject);
    points += weight + (inSubject ? 1 : 0);
    triggers.push(inSubject ? `${label} (subject)` : label);
  }
  // Outlook sets X-Priority, Importance and X-MSMail-Priority together: count the strongest once.
  const fromHeaders = headerPoints(headers);
  if (fromHeaders.length > 0) {
    points += Math.max(...fromHeaders.map(([weight]) => weight));
    for (const [, label] of fromHeaders) triggers.push(label);
  }
  let best = 0;
  let bestLabel = '';
  for (const deadline of deadlines) {
    let weight: number;
    if (!deadline.date || !ref) weight = 1;
    else {
      // Deadlines are written in the sender's offset, so their wall time compares directly with ref's.
      const target = parseMailDate(deadline.date.slice(0, 19));
      const days = target ? dayDifference(ref, { wall: target.wall, offset: ref.offset }) : null;
      weight = days === null ? 1 : days <= 0 ? 3 : days === 1 ? 2.5 : days <= 3 ? 1.5 : days <= 7 ? 0.5 : 0;
    }
    if (weight > best) {
      best = weight;
      bestLabel = `deadline "${deadline.phrase}"`;
    }
  }
  if (best > 0) {
    points += best;
    triggers.push(bestLabel);
  }
  const level: UrgencyLevel = points === 0 ? 'none' : points < 2.5 ? 'low' : points < 5 ? 'medium' : 'high';
  return { level, score: Math.round(Math.min(1, points / 8) * 100) / 100, triggers };
}
