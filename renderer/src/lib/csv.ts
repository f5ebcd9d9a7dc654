/** CSV as RFC 4180 writes it: comma-separated, CRLF line ends, fields quoted when they need it. */

export type CsvValue = string | number | boolean | null | undefined;

/** One field: quoted (inner quotes doubled) when it holds a comma, a quote, CR or LF, or edge spaces. */
export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : String(value);
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Rows to a CSV document (every record ends with CRLF, as RFC 4180 allows for the last one). */
export function toCsv(rows: readonly (readonly CsvValue[])[]): string {
  return rows.map((row) => `${row.map(csvField).join(',')}\r\n`).join('');
}
