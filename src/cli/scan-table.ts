import { failedPages, type DeedReport, type DeedScanSummary, type PageReader } from '../deeds/report.js';

const LABELS: Record<string, string> = {
  new_reservation: 'new reservation',
  prior_reservation: 'prior reservation',
  subject_to_specific: 'subject to specific',
  conveyance: 'conveyance',
  coal_only: 'coal only',
  generic_of_record: 'generic (of record)',
};

function clip(text: string, width: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > width ? flat.slice(0, width - 1) + '…' : flat;
}

/**
 * The human summary `keel scan` prints by default, line by line: the answer first, then one line per
 * deed (per page in page_by_page), then any unreadable pages. Column widths come from the summary
 * (how many deeds and pages there can be), so no line waits for the ones after it.
 */
export function* formatScanTable(summary: DeedScanSummary, deeds: Iterable<DeedReport>, readPages: PageReader): Generator<string> {
  const verdict = summary.has_reservation ? 'RESERVATION FOUND' : 'no reservation found';
  yield `${summary.file}: ${verdict} (confidence ${Math.round(summary.confidence * 100)}%, policy ${summary.policy}, ` +
    `${summary.pages_processed}/${summary.pages_total} pages${summary.stopped_early ? ', stopped early' : ''}, OCR ${summary.ocr_engine ?? 'none'})\n\n`;
  const header = ['deed', 'pages', 'reservation', 'conf.', 'evidence'];
  // The widest "pages" cell: one page number, the whole file, or (multi_deed) any range of two page numbers.
  const last = Math.max(1, summary.pages_total);
  const widestPages = summary.mode === 'page_by_page' || last === 1 ? String(last).length : summary.mode === 'single_deed' ? `1-${last}`.length : 2 * String(last).length + 1;
  const widths = [
    Math.max(header[0]!.length, String(summary.deeds_found).length),
    Math.max(header[1]!.length, widestPages),
    header[2]!.length,
    header[3]!.length,
  ];
  const format = (row: string[]) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ') + '\n';
  yield format(header);
  for (const deed of deeds) {
    const deciding = deed.evidence.find((e) => e.counts) ?? deed.evidence[0];
    const evidence = deciding ? `p.${deciding.page} ${LABELS[deciding.clause_type] ?? deciding.clause_type}: "${clip(deciding.quote, 70)}"` : '-';
    const pages = deed.page_start === deed.page_end ? `${deed.page_start}` : `${deed.page_start}-${deed.page_end}`;
    yield format([String(deed.deed), pages, deed.has_reservation ? 'yes' : 'no', `${Math.round(deed.confidence * 100)}%`, evidence]);
  }
  if (summary.review_flags.length > 0) yield `\nreview: ${summary.review_flags.join(', ')}\n`;
  if (summary.pages_failed > 0) for (const page of failedPages(readPages)) yield `page ${page.page} unreadable: ${page.error.message} [${page.error.code}]\n`;
}
