/**
 * Public surface of the email workload (sources, parsing, analysis). Worker-pool wiring lives in the
 * engine (src/core) and in handler/pipeline modules, not here.
 */
export { analyzeMessage, analyzeParsed, analyzeRef, composeText, type JsonMessageInput, type MessageInput } from './analyze.js';
export { parseMessage, type RawMessageInput } from './parse.js';
export { parseJsonMessage, type JsonMessage } from './json-input.js';
export { readMessages, readMessageRef, defaultInclude, type MessageRef, type SourceItem, type SourceMessage, type SourceFailure, type SourceOptions } from './sources.js';
export { splitMbox, type MboxMessage } from './mbox.js';
export { htmlToText } from './html-to-text.js';
export { segmentBody } from './quotes.js';
export { getNlp, nlpLoaded } from './nlp.js';
export { charsetFallbackInstalled, installCharsetFallback } from './charset.js';
export { defaultEmailOptions, resolveEmailOptions, type EmailOptions } from './options.js';
export type * from './types.js';
