/**
 * Bulk (lists, newsletters, marketing, broadcasts) and automated (notifications, auto-replies, bounces)
 * mail, from headers, the sender address and the body's footer. Every signal found is listed in
 * `indicators` as a short readable string, so a reviewer can see why.
 *
 * isBulk: List-* / Mailman / Mailing-List headers, Precedence: bulk|list|junk, a bulk mailer in
 *   X-Mailer, campaign headers (Feedback-ID, X-Campaign*, X-MC-*, X-SG-*...), unsubscribe text in the
 *   footer or the last 2,000 characters (or anywhere in an HTML part), a newsletter-style sender, 25+
 *   recipients, "undisclosed recipients".
 * isAutomated: Auto-Submitted (not "no"), X-Autoreply/X-Autorespond, an empty Return-Path (<>), a
 *   no-reply/mailer-daemon sender, automated-notice wording ("this is an automated message", "do not
 *   reply to this email", delivery failure, out of office).
 */
import type { ParsedMessage } from './types.js';

const BULK_MAILERS =
  /mailchimp|constant ?contact|sendgrid|exacttarget|salesforce marketing|campaign ?monitor|mailgun|sendinblue|brevo|hubspot|marketo|listmanager|lyris|listserv|majordomo|mailking|group ?mail|mass ?mail|bulk ?mail|e-?mail ?blaster|dynamic ?mailer|stormpost|mailloop|worldmerge|advanced mass sender|send-safe|atomic mail|express mail sender|infacta|mach5/i;
const CAMPAIGN_HEADERS = /^(?:feedback-id|x-campaign.*|x-mailchimp.*|x-mc-.*|x-sg-.*|x-sfmc-.*|x-rpcampaign|x-listmember|x-mailer-lid|x-cmae-.*|x-emv-.*|x-job|x-mailgun-.*|x-ems-.*)$/;
const LIST_HEADERS = /^(?:list-(?:id|unsubscribe|post|help|subscribe|archive|owner)|mailing-list|x-mailing-list|x-mailman-version|x-beenthere|x-list|x-loop|x-ml-name|x-list-unsubscribe)$/;
const NOREPLY_SENDER = /(?:^|[._+-])(?:no-?reply|do-?not-?reply|donotreply|noreply|mailer-daemon|postmaster|bounces?|auto-?(?:reply|mailer|responder|confirm)|daemon)(?:$|[._+-])/i;
const BULK_SENDER = /(?:^|[._+-])(?:newsletters?|news|announce(?:ments?)?|marketing|promo(?:tions?)?|offers?|deals|notifications?|alerts?|updates|digest|listserv|majordomo|owner-[\w.-]+|[\w.-]+-(?:admin|request|owner|bounces))(?:$|[._+-])/i;
const UNSUBSCRIBE =
  /\bunsubscribe\b|\bopt[- ]?out\b|\bto be removed from\b|\bremove (?:me|yourself) from\b|\bremoved from (?:our|this|the) (?:mailing |e-?mail )?list\b|\bmanage (?:your )?(?:subscriptions?|e-?mail preferences)\b|\bno longer wish to receive\b|\bmailing list\b.*\b(?:listinfo|mailman)\b|\/listinfo\//i;
const AUTOMATED =
  /\bthis (?:is an? )?(?:automated|automatic(?:ally generated)?|auto-generated|system[- ]generated|computer[- ]generated) (?:message|e-?mail|notification|notice|response|reply)\b|\b(?:please )?(?:do not|don't) (?:reply|respond) (?:to )?(?:this|directly)\b|\bthis (?:message|e-?mail|notification) (?:was|is|has been) (?:sent|generated) automatically\b|\bthis (?:mailbox|address) is not monitored\b|\bdelivery status notification\b|\bundeliverable\b|\breturned mail\b|\bmail delivery (?:failed|subsystem)\b|\bout of (?:the )?office\b|\bauto(?:matic)?[- ]?reply\b/i;

export interface BulkResult {
  isBulk: boolean;
  isAutomated: boolean;
  indicators: string[];
}

export function detectBulk(message: ParsedMessage): BulkResult {
  const bulk: string[] = [];
  const automated: string[] = [];
  const headers = message.headers;
  const names = Object.keys(headers);

  const listHeaders = names.filter((n) => LIST_HEADERS.test(n));
  if (headers['list-id']) bulk.push('List-Id header');
  if (headers['list-unsubscribe']) bulk.push('List-Unsubscribe header');
  const otherList = listHeaders.filter((n) => n !== 'list-id' && n !== 'list-unsubscribe');
  if (otherList.length > 0) bulk.push(`mailing-list headers (${otherList.slice(0, 4).join(', ')})`);

  const precedence = headers['precedence']?.[0]?.trim().toLowerCase();
  if (precedence && /^(?:bulk|list|junk)\b/.test(precedence)) bulk.push(`Precedence: ${precedence}`);

  const mailer = headers['x-mailer']?.[0] ?? headers['user-agent']?.[0] ?? '';
  const bulkMailer = BULK_MAILERS.exec(mailer);
  if (bulkMailer) bulk.push(`bulk mailer (${mailer.trim().slice(0, 60)})`);

  const campaign = names.filter((n) => CAMPAIGN_HEADERS.test(n));
  if (campaign.length > 0) bulk.push(`campaign headers (${campaign.slice(0, 3).join(', ')})`);

  const body = message.body;
  let unsubscribe = message.htmlMentionsUnsubscribe;
  if (!unsubscribe) {
    for (const section of message.sections) {
      if (section.kind === 'footer' && UNSUBSCRIBE.test(body.slice(section.start, section.end))) unsubscribe = true;
    }
  }
  if (!unsubscribe && UNSUBSCRIBE.test(body.slice(Math.max(0, body.length - 2000)))) unsubscribe = true;
  if (unsubscribe) bulk.push('unsubscribe text');

  const address = message.from?.address.toLowerCase() ?? '';
  const local = address.split('@')[0] ?? '';
  if (NOREPLY_SENDER.test(local)) automated.push(`no-reply sender (${address})`);
  else if (BULK_SENDER.test(local)) bulk.push(`newsletter-style sender (${address})`);

  const recipients = message.to.length + message.cc.length;
  if (recipients >= 25) bulk.push(`many recipients (${recipients})`);
  const toHeader = headers['to']?.join(' ') ?? '';
  if (/undisclosed[- ]recipients?|recipient list suppressed/i.test(toHeader)) bulk.push('undisclosed recipients');

  const autoSubmitted = headers['auto-submitted']?.[0]?.trim().toLowerCase();
  if (autoSubmitted && autoSubmitted !== 'no') automated.push(`Auto-Submitted: ${autoSubmitted}`);
  if (names.some((n) => n === 'x-autoreply' || n === 'x-autorespond' || n === 'x-autoresponder')) automated.push('auto-reply header');
  const returnPath = headers['return-path']?.[0]?.trim();
  if (returnPath !== undefined && /^<\s*>$/.test(returnPath)) automated.push('empty Return-Path (<>)');
  const notice = AUTOMATED.exec(`${message.subject}\n${body.slice(0, 3000)}\n${body.slice(Math.max(3000, body.length - 1500))}`);
  if (notice) automated.push(`automated-notice wording ("${notice[0].toLowerCase()}")`);

  return { isBulk: bulk.length > 0, isAutomated: automated.length > 0, indicators: [...bulk, ...automated] };
}
