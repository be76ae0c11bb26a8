/**
 * Limits and switches for the email workload, as plain data (Docling's pipeline_options habit): the
 * code that acts on them lives elsewhere, and a job row can store them as JSON.
 */
export interface EmailOptions {
  /**
   * Bytes of one raw message that are read and parsed. A bigger message is still read up to this many
   * bytes and analysed (flagged `truncated` with a W_SOURCE_TRUNCATED warning), so a 200 MB attachment
   * costs at most this much memory, a few times over while postal-mime decodes it.
   */
  maxMessageBytes: number;
  /** Characters of body text kept for analysis; beyond it the text is cut and `truncated` is set. */
  maxTextChars: number;
  /** Most entities reported per message (the first ones in text order are kept). */
  maxEntities: number;
  maxKeyPhrases: number;
  maxQuestions: number;
  maxDeadlines: number;
  /** Also report wink's CARDINAL and ORDINAL numbers (noisy in mail, so off by default). */
  includeNumbers: boolean;
  /**
   * ISO 8601 time used to resolve relative deadlines ("by Friday") when a message has no usable Date
   * header. Null leaves such deadlines unresolved (date: null) rather than guessing from the clock.
   */
  referenceDate: string | null;
}

export const defaultEmailOptions: Readonly<EmailOptions> = Object.freeze({
  maxMessageBytes: 16 * 1024 * 1024,
  maxTextChars: 50_000,
  maxEntities: 200,
  maxKeyPhrases: 10,
  maxQuestions: 25,
  maxDeadlines: 20,
  includeNumbers: false,
  referenceDate: null,
});

export function resolveEmailOptions(options: Partial<EmailOptions> | undefined): EmailOptions {
  if (!options) return { ...defaultEmailOptions };
  const merged: EmailOptions = { ...defaultEmailOptions };
  for (const key of Object.keys(defaultEmailOptions) as (keyof EmailOptions)[]) {
    const value = options[key];
    if (value !== undefined) (merged as unknown as Record<string, unknown>)[key] = value;
  }
  for (const key of ['maxMessageBytes', 'maxTextChars', 'maxEntities', 'maxKeyPhrases', 'maxQuestions', 'maxDeadlines'] as const) {
    const value = merged[key];
    if (!Number.isFinite(value) || value < 0) merged[key] = defaultEmailOptions[key];
    else merged[key] = Math.floor(value);
  }
  return merged;
}
