import type { DeedScanReport } from '../deeds/report.js';

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

/** The human summary `keel scan` prints by default: the answer first, then one line per deed. */
export function formatScanTable(report: DeedScanReport): string {
  const verdict = report.has_reservation ? 'RESERVATION FOUND' : 'no reservation found';
  const lines = [
    `${report.file}: ${verdict} (confidence ${Math.round(report.confidence * 100)}%, policy ${report.policy}, ` +
      `${report.pages_processed}/${report.pages_total} pages${report.stopped_early ? ', stopped early' : ''}, OCR ${report.ocr_engine ?? 'none'})`,
    '',
  ];
  const header = ['deed', 'pages', 'reservation', 'conf.', 'evidence'];
  const rows = report.deeds.map((deed) => {
    const deciding = deed.evidence.find((e) => e.counts) ?? deed.evidence[0];
    const evidence = deciding ? `p.${deciding.page} ${LABELS[deciding.clause_type] ?? deciding.clause_type}: "${clip(deciding.quote, 70)}"` : '-';
    const pages = deed.page_start === deed.page_end ? `${deed.page_start}` : `${deed.page_start}-${deed.page_end}`;
    return [String(deed.deed), pages, deed.has_reservation ? 'yes' : 'no', `${Math.round(deed.confidence * 100)}%`, evidence];
  });
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const format = (row: string[]) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ');
  lines.push(format(header), ...rows.map(format));
  if (report.review_flags.length > 0) lines.push('', `review: ${report.review_flags.join(', ')}`);
  const failed = report.pages.filter((page) => page.error);
  for (const page of failed) lines.push(`page ${page.page} unreadable: ${page.error!.message} [${page.error!.code}]`);
  return lines.join('\n') + '\n';
}
