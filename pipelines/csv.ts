/**
 * CSV for people who open it in Excel: RFC 4180 quoting, and text that a spreadsheet would run as
 * a formula (=, +, -, @, tab, CR at the start; plain numbers excepted) gets a leading apostrophe —
 * the same rule the ingest applies to stored text (queries/ingest/macros.sql, hp_safe_text).
 */

export type CsvValue = unknown;

const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^[-+]?[0-9][0-9.,]*%?$/;

/** Text a spreadsheet would execute, made inert; anything else unchanged. */
export function spreadsheetSafe(text: string): string {
  return FORMULA_START.test(text) && !PLAIN_NUMBER.test(text) ? `'${text}` : text;
}

export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  const raw = typeof value === 'object' ? JSON.stringify(value) : String(value);
  const text = typeof value === 'string' || typeof value === 'object' ? spreadsheetSafe(raw) : raw;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** A whole CSV document. `bom` and CRLF line ends for downloads that Excel opens directly. */
export function toCsv(headers: string[], rows: CsvValue[][], options: { bom?: boolean; crlf?: boolean } = {}): string {
  const eol = options.crlf ? '\r\n' : '\n';
  return (options.bom ? '\uFEFF' : '') + [headers, ...rows].map((row) => row.map(csvCell).join(',')).join(eol) + eol;
}
