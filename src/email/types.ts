/**
 * Shapes shared by the email workload: what a source yields, what parsing produces and what analysis
 * returns. Everything here is plain data, so it crosses a child-process IPC channel or goes into a
 * store row as JSON without conversion.
 */

/** A stable, coded problem that did not stop the message from being analysed. */
export interface EmailWarning {
  code: string;
  message: string;
}

export interface Mailbox {
  name: string;
  address: string;
}

export interface AttachmentInfo {
  filename: string | null;
  mimeType: string;
  /** Decoded size in bytes. */
  size: number;
  disposition: string | null;
}

/**
 * How the body splits up. Offsets are into `ParsedMessage.body`; sections are in order, do not overlap
 * and together cover the whole body.
 * - new: what the sender wrote in this message
 * - quoted: "> " lines, "On ... wrote:" attributions, "-----Original Message-----" and Outlook/Lotus
 *   header blocks with everything after them
 * - forwarded: like quoted, but introduced by a forward marker ("---- Forwarded by", "Begin forwarded
 *   message:") or in a message whose subject starts with Fw:/Fwd:
 * - signature: "-- " signature blocks, the lines after a sign-off ("Thanks,", "Regards,") and
 *   "Sent from my ..." lines
 * - footer: a mailing-list or unsubscribe footer at the end of the new text
 */
export type SectionKind = 'new' | 'quoted' | 'forwarded' | 'signature' | 'footer';

export interface Section {
  kind: SectionKind;
  start: number;
  end: number;
}

export type BodySource = 'text' | 'html' | 'json' | 'none';

/** The result of parsing one message: everything analysis needs and nothing that needs the raw bytes. */
export interface ParsedMessage {
  id: string;
  subject: string;
  from: Mailbox | null;
  to: Mailbox[];
  cc: Mailbox[];
  /** Sending time as ISO 8601 in the sender's own offset (2001-05-14T17:37:00-07:00), or null. */
  date: string | null;
  messageId: string | null;
  /** Header values by lower-case name, in message order; only the top-level message's headers. */
  headers: Record<string, string[]>;
  /** Plain text of the body (HTML converted when there is no usable text part), LF line ends. */
  body: string;
  bodySource: BodySource;
  sections: Section[];
  /** True when an HTML part (even one not used for `body`) mentions unsubscribing or opting out. */
  htmlMentionsUnsubscribe: boolean;
  attachments: AttachmentInfo[];
  /** The body text or the raw message was cut at a configured limit. */
  truncated: boolean;
  warnings: EmailWarning[];
  /** Raw size in bytes as it was on disk (or as given), before any cap. */
  size: number;
}

export interface Failure {
  id: string;
  ok: false;
  code: string;
  message: string;
}

export type ParseResult = ({ ok: true } & ParsedMessage) | Failure;

// ---------------------------------------------------------------------------------------------
// Analysis result

export type EntityType =
  | 'PERSON'
  | 'ORG'
  | 'PLACE'
  | 'PHONE'
  | 'EMAIL'
  | 'URL'
  | 'DATE'
  | 'TIME'
  | 'DURATION'
  | 'MONEY'
  | 'PERCENT'
  | 'HASHTAG'
  | 'MENTION'
  | 'CARDINAL'
  | 'ORDINAL';

/** `start`/`end` are UTF-16 offsets into `EmailAnalysis.text.analyzed`; `text === analyzed.slice(start, end)`. */
export interface Entity {
  type: EntityType;
  text: string;
  start: number;
  end: number;
}

export interface KeyPhrase {
  text: string;
  count: number;
  score: number;
}

export interface Question {
  /** The sentence exactly as in the analysed text (`analyzed.slice(start, end)`, line ends included). */
  text: string;
  /** direct: a sentence ending in '?'; request: asks for an action ("please ...", "could you ..."). */
  kind: 'direct' | 'request';
  start: number;
  end: number;
}

export type Polarity = 'positive' | 'neutral' | 'negative';

export interface PatternHits {
  matched: boolean;
  phrases: string[];
}

export type UrgencyLevel = 'none' | 'low' | 'medium' | 'high';

export interface Deadline {
  /** The matched words with whitespace collapsed ("by 5pm Friday"); start/end give the exact span. */
  phrase: string;
  /** YYYY-MM-DD, or YYYY-MM-DDTHH:MM:00±HH:MM when a time is known; null when it cannot be resolved. */
  date: string | null;
  start: number;
  end: number;
}

export interface AnalyzedText {
  /**
   * The text every offset in the result refers to: the subject, a blank line ("\n\n", only when there is
   * a subject), the new (unquoted) body sections joined by "\n", then the signature/footer sections.
   * Trailing spaces are dropped and runs of 3+ line ends become 2. Quoted and forwarded text is not in
   * it (see `quoted`), unless the message has no new text at all (a bare forward): then the quoted text,
   * with "> " prefixes and its opening header block removed and segmented again, is analysed instead
   * (`focus: 'quoted'`), its own signature/disclaimer going to the tail.
   */
  analyzed: string;
  /** Offset in `analyzed` where the body starts (after the subject line and blank line). */
  bodyStart: number;
  /**
   * Offset in `analyzed` where signature/footer text starts (=== analyzed.length when none). Entities
   * are taken from the whole text; questions, sentiment, patterns, urgency and deadlines only before it.
   */
  tailStart: number;
  focus: 'new' | 'quoted';
  /** Quoted and forwarded text, kept so callers can show it; not analysed (unless focus is 'quoted'). */
  quoted: string;
  source: BodySource;
}

export interface EmailAnalysis {
  id: string;
  ok: true;
  /** The Message-ID header (with its angle brackets), or null: the id a mail client knows the message by. */
  messageId: string | null;
  subject: string;
  from: Mailbox | null;
  to: Mailbox[];
  date: string | null;
  /** ISO 639-1 guess from script and stop words; null when unsure. */
  language: string | null;
  truncated: boolean;
  warnings: EmailWarning[];
  text: AnalyzedText;
  entities: Entity[];
  keyPhrases: KeyPhrase[];
  sentenceCount: number;
  questions: Question[];
  sentiment: { score: number; polarity: Polarity };
  patterns: { gratitude: PatternHits; agreement: PatternHits; dissatisfaction: PatternHits; demand: PatternHits };
  urgency: { level: UrgencyLevel; score: number; triggers: string[] };
  deadlines: Deadline[];
  bulk: { isBulk: boolean; isAutomated: boolean; indicators: string[] };
  priority: { score: number; reasons: string[] };
  attachments: AttachmentInfo[];
  /** Milliseconds spent parsing and analysing this message in-process. */
  elapsedMs: number;
}

export type AnalysisResult = EmailAnalysis | Failure;
