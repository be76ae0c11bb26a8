import type { GrayImage } from '../pdf/gray-image.js';
import type { OcrWord } from './tsv.js';

/**
 * Finds text that an OCR reading left out. tesseract's automatic layout (psm 3) sometimes drops whole
 * lines: on a curved phone photo of a dev deed it read every line but "Also excepting and reserving
 * all of the Oil and Gas in and underlying the premises conveyed", the one that decides the deed.
 * Its page quality stays high (0.88), because what it did read, it read well.
 *
 * `missedTextShare` looks at the image instead: it finds the character-sized ink marks, and counts
 * those that sit in text lines (rows of such marks) but under no word the reading returned. Stamps,
 * seals, signatures and specks are not character-sized or not in rows, so they barely count.
 * `missedLines` then takes, from a second reading of the same image with another layout, the lines
 * whose words fall where the first reading found nothing.
 *
 * Measured on the 140 pages of the dev deeds (native tesseract, 300 DPI): median share 0.00, the
 * curved photo 0.070, handwriting 0.29-0.58. Adding the missed lines of a psm-6 reading to every page
 * changed no decision but those of the two deeds whose lines were lost (Monroe, Marshall), so the
 * threshold only decides how many pages pay for a second reading.
 */

/**
 * A page whose reading left at least this share of its character marks unread gets a second reading
 * with the block layout (src/deeds/handler.ts). 29 of the 140 dev pages reach it.
 */
export const MISSED_TEXT_SHARE = 0.04;

/** The image is analysed at half resolution: characters stay separate, memory and time drop 4x. */
const SCALE = 2;
/** Half-width of the window whose mean gray is the local paper level (in half-resolution pixels). */
const BACKGROUND_RADIUS = 10;
/** A pixel is ink when this much darker than its local paper level. */
const INK_CONTRAST = 40;
/** Word boxes are widened by this much (full-resolution pixels): ink touching a word belongs to it. */
const BOX_PAD = 6;
/** A row of at least this many uncovered marks is a line of text left unread. */
const MIN_MARKS_IN_LINE = 8;

export interface MissedText {
  /** Uncovered character marks in text lines / all character marks; 0 when the page has no text marks. */
  share: number;
  characterMarks: number;
  missedMarks: number;
}

/** Ink is judged against the local paper level, so shadows and gray photo backgrounds do not count. */
function halfScaleInk(image: GrayImage): { ink: Uint8Array; width: number; height: number } {
  const width = Math.floor(image.width / SCALE);
  const height = Math.floor(image.height / SCALE);
  const gray = new Uint8Array(width * height);
  const { pixels } = image;
  for (let y = 0; y < height; y++) {
    const top = y * SCALE * image.width;
    const bottom = top + image.width;
    for (let x = 0; x < width; x++) {
      const at = x * SCALE;
      gray[y * width + x] = (pixels[top + at]! + pixels[top + at + 1]! + pixels[bottom + at]! + pixels[bottom + at + 1]! + 2) >> 2;
    }
  }
  // Summed-area table: the mean of any window in four reads. 255 * 2^24 pixels still fits in uint32.
  const stride = width + 1;
  const sums = new Uint32Array(stride * (height + 1));
  for (let y = 0; y < height; y++) {
    let row = 0;
    for (let x = 0; x < width; x++) {
      row += gray[y * width + x]!;
      sums[(y + 1) * stride + x + 1] = sums[y * stride + x + 1]! + row;
    }
  }
  const ink = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const y0 = Math.max(0, y - BACKGROUND_RADIUS);
    const y1 = Math.min(height, y + BACKGROUND_RADIUS + 1);
    for (let x = 0; x < width; x++) {
      const x0 = Math.max(0, x - BACKGROUND_RADIUS);
      const x1 = Math.min(width, x + BACKGROUND_RADIUS + 1);
      const sum = sums[y1 * stride + x1]! - sums[y0 * stride + x1]! - sums[y1 * stride + x0]! + sums[y0 * stride + x0]!;
      if (gray[y * width + x]! < sum / ((y1 - y0) * (x1 - x0)) - INK_CONTRAST) ink[y * width + x] = 1;
    }
  }
  return { ink, width, height };
}

function medianWordHeight(words: OcrWord[]): number | undefined {
  const heights = words.filter((w) => w.confidence > 50 && w.height > 0).map((w) => w.height).sort((a, b) => a - b);
  return heights.length > 0 ? heights[heights.length >> 1] : undefined;
}

export function missedTextShare(image: GrayImage, words: OcrWord[]): MissedText {
  const none = { share: 0, characterMarks: 0, missedMarks: 0 };
  const wordHeight = medianWordHeight(words);
  // Without words read confidently there is no letter size to look for, and nothing to compare:
  // an unreadable page is the quality score's business.
  if (wordHeight === undefined) return none;
  const letter = wordHeight / SCALE;
  const { ink, width, height } = halfScaleInk(image);

  const covered = new Uint8Array(width * height);
  for (const word of words) {
    const x0 = Math.max(0, Math.floor((word.left - BOX_PAD) / SCALE));
    const x1 = Math.min(width, Math.ceil((word.left + word.width + BOX_PAD) / SCALE));
    const y0 = Math.max(0, Math.floor((word.top - BOX_PAD) / SCALE));
    const y1 = Math.min(height, Math.ceil((word.top + word.height + BOX_PAD) / SCALE));
    for (let y = y0; y < y1; y++) covered.fill(1, y * width + x0, y * width + x1);
  }

  // Connected ink marks (8-neighbour flood fill); `ink` is cleared as it is visited.
  let stack = new Int32Array(1024);
  let characterMarks = 0;
  const uncoveredRows = new Map<number, number>();
  for (let start = 0; start < ink.length; start++) {
    if (!ink[start]) continue;
    ink[start] = 0;
    let top = 1;
    stack[0] = start;
    let minX = width, maxX = 0, minY = height, maxY = 0, size = 0, coveredSize = 0;
    while (top > 0) {
      const p = stack[--top]!;
      const x = p % width;
      const y = (p - x) / width;
      size++;
      coveredSize += covered[p]!;
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if (xx < 0 || xx >= width) continue;
          const q = yy * width + xx;
          if (!ink[q]) continue;
          ink[q] = 0;
          if (top === stack.length) {
            const grown = new Int32Array(stack.length * 2);
            grown.set(stack);
            stack = grown;
          }
          stack[top++] = q;
        }
      }
    }
    const markHeight = maxY - minY + 1;
    const markWidth = maxX - minX + 1;
    // About a letter's height and no wider than a wide letter; enough ink not to be a speck.
    if (markHeight < letter * 0.35 || markHeight > letter * 1.3 || markWidth > letter * 1.5 || size < 5) continue;
    characterMarks++;
    if (coveredSize * 2 < size) {
      const row = Math.round(minY / letter);
      uncoveredRows.set(row, (uncoveredRows.get(row) ?? 0) + 1);
    }
  }
  let missedMarks = 0;
  for (const count of uncoveredRows.values()) if (count >= MIN_MARKS_IN_LINE) missedMarks += count;
  return { share: characterMarks > 0 ? missedMarks / characterMarks : 0, characterMarks, missedMarks };
}

/** A word with a letter or digit in it: tesseract also reads specks and rules as ".", "_" or "—". */
const HAS_TEXT = /[\p{L}\p{N}]/u;

/**
 * Lines of `second` (a reading of the same image) that `first` did not read: lines of three words or
 * more of which at least half the words have their centre outside every word box of `first`. Only
 * words with a letter or digit count, so specks read as punctuation next to a word that `first`
 * did read ("." "_" "contained." "—") do not make a line of their own.
 */
export function missedLines(first: OcrWord[], second: OcrWord[]): string[] {
  const insideFirst = (word: OcrWord) => {
    const cx = word.left + word.width / 2;
    const cy = word.top + word.height / 2;
    return first.some((f) => cx >= f.left - BOX_PAD && cx <= f.left + f.width + BOX_PAD && cy >= f.top - BOX_PAD && cy <= f.top + f.height + BOX_PAD);
  };
  const lines = new Map<string, OcrWord[]>();
  for (const word of second) {
    const key = `${word.block}.${word.paragraph}.${word.line}`;
    const line = lines.get(key);
    if (line) line.push(word);
    else lines.set(key, [word]);
  }
  const found: string[] = [];
  for (const line of lines.values()) {
    const words = line.filter((word) => HAS_TEXT.test(word.text));
    if (words.length < 3) continue;
    const outside = words.filter((word) => !insideFirst(word)).length;
    if (outside * 2 >= words.length) found.push(line.map((word) => word.text).join(' '));
  }
  return found;
}
