/**
 * Tesseract's TSV output, which both engines produce (the CLI with the `tsv` config, tesseract.js with
 * `{tsv: true}`), so text and confidences are derived the same way whichever engine ran.
 * Columns: level page_num block_num par_num line_num word_num left top width height conf text;
 * level 5 rows are words, with conf 0..100 (-1 on the structural rows).
 */
export interface OcrWord {
  text: string;
  /** 0..100 */
  confidence: number;
  block: number;
  paragraph: number;
  line: number;
  /** Where the word is on the image read, in pixels. */
  left: number;
  top: number;
  width: number;
  height: number;
}

export function parseTesseractTsv(tsv: string): OcrWord[] {
  const words: OcrWord[] = [];
  for (const row of tsv.split('\n')) {
    const cells = row.split('\t');
    if (cells.length < 12 || cells[0] !== '5') continue; // the header and structural rows
    const text = cells.slice(11).join('\t').trim();
    if (!text) continue;
    const confidence = Number(cells[10]);
    words.push({
      text,
      confidence: Number.isFinite(confidence) ? Math.max(0, Math.min(100, confidence)) : 0,
      block: Number(cells[2]),
      paragraph: Number(cells[3]),
      line: Number(cells[4]),
      left: Number(cells[6]),
      top: Number(cells[7]),
      width: Number(cells[8]),
      height: Number(cells[9]),
    });
  }
  return words;
}

/** Rebuilds page text: a space between words, "\n" between lines, a blank line between paragraphs. */
export function wordsToText(words: OcrWord[]): string {
  let text = '';
  let previous: OcrWord | undefined;
  for (const word of words) {
    if (previous) {
      if (word.block !== previous.block || word.paragraph !== previous.paragraph) text += '\n\n';
      else if (word.line !== previous.line) text += '\n';
      else text += ' ';
    }
    text += word.text;
    previous = word;
  }
  return text;
}
