/**
 * CSV as RFC 4180 writes it: comma-separated, CRLF line ends, fields quoted when they need it. Every CSV export of
 * the app (the Results view's tables, the paired tests, the ablation) writes its fields here.
 */

export type CsvValue = string | number | boolean | null | undefined;

/**
 * The digits a number keeps in a CSV: whole numbers exactly, others to 6 significant digits. Sums and means of
 * accuracies carry binary noise (0.6745000000000001 for 67.45%); 6 digits keep every digit a measured fraction
 * has (a top-1 over 2,000 images has 4 decimals, a mean over seeds a few more) and drop the noise.
 */
export const CSV_SIGNIFICANT_DIGITS = 6;

/** A number as a CSV field: empty when not finite, whole numbers as they are, others rounded (see above). */
export function csvNumber(value: number): string {
  if (!Number.isFinite(value)) return '';
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toPrecision(CSV_SIGNIFICANT_DIGITS)));
}

/** One field: quoted (inner quotes doubled) when it holds a comma, a quote, CR or LF, or edge spaces. */
export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'number' ? csvNumber(value) : String(value);
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Rows to a CSV document (every record ends with CRLF, as RFC 4180 allows for the last one). */
export function toCsv(rows: readonly (readonly CsvValue[])[]): string {
  return rows.map((row) => `${row.map(csvField).join(',')}\r\n`).join('');
}
