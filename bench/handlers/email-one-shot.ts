/**
 * The original email design, reproduced for the benchmark: a fresh process for each batch of five
 * messages. It starts, loads the NLP model, analyses the messages given on its command line (as
 * references, JSON in argv[2]), prints one JSON line per result and exits.
 */
import { analyzeBatch } from '../../src/email/analyze-batch.js';
import type { EmailTaskItem } from '../../src/email/batch.js';
import { getNlp } from '../../src/email/nlp.js';

const items = JSON.parse(process.argv[2] ?? '[]') as EmailTaskItem[];
getNlp();
const results = await analyzeBatch({ items });
process.stdout.write(results.map((result) => JSON.stringify(result)).join('\n') + '\n');
