import { existsSync, writeFileSync } from 'node:fs';
import * as mupdf from 'mupdf';

/**
 * A born-digital deed book with a real text layer (deed text written for Keel's benchmarks), built
 * once at `path`: every page holds the same deed, with its page number at the foot. Its text passes
 * the quality check, so Keel reads it without OCR, hundreds of pages a second.
 */
export function buildTextLayerBook(path: string, pages: number): string {
  if (existsSync(path)) return path;
  const document = new mupdf.PDFDocument();
  const font = document.addSimpleFont(new mupdf.Font('Times-Roman'));
  const lines = [
    'THIS DEED, made this first day of June, in the year nineteen hundred and fifty-two, between',
    'JOHN A. EXAMPLE and MARY B. EXAMPLE, his wife, of the Township of Center, parties of the first part,',
    'and ROBERT C. SAMPLE, party of the second part. WITNESSETH, that in consideration of the sum of',
    'One Dollar and other good and valuable consideration, the parties of the first part do grant and',
    'convey unto the party of the second part all that certain tract of land bounded and described as',
    'follows: beginning at a stone corner; thence North forty-five degrees East one hundred perches to a',
    'post; thence South to the place of beginning, containing fifty acres, more or less. EXCEPTING AND',
    'RESERVING unto the grantors, their heirs and assigns, all the oil and gas underlying the said tract,',
    'with the right to drill for and remove the same. TO HAVE AND TO HOLD the premises unto the grantee.',
  ];
  for (let i = 0; i < pages; i++) {
    const resources = document.addObject({ Font: { F1: font } });
    const text = lines.map((line, index) => `BT /F1 11 Tf 54 ${720 - index * 16} Td (${line}) Tj ET`).join('\n');
    const contents = `${text}\nBT /F1 9 Tf 54 40 Td (Page ${i + 1}) Tj ET`;
    const page = document.addPage([0, 0, 612, 792], 0, resources, contents);
    document.insertPage(-1, page);
  }
  writeFileSync(path, document.saveToBuffer('compress').asUint8Array());
  return path;
}

