/**
 * CSV for machines (RFC 4180, UTF-8 with a byte-order mark so spreadsheet programs read
 * Vietnamese correctly) that no spreadsheet opens as a formula, whether it splits the lines
 * on `,` or on `;` (Vietnamese Excel's list separator), following OWASP's CSV-injection advice:
 *
 * - a cell that starts with `=`, `+`, `-`, `@`, tab or CR (and is not a plain number) is
 *   prefixed with `'`, which spreadsheets show as text;
 * - inside a cell, `=`, `+`, `-`, `@` or tab right after a `,`, a `;` or a line break get the
 *   same `'`: a program splitting on the other separator loses track of the quotes and would
 *   start a new cell (or row) there. So a line of an answer that starts with "- " reads "'- ";
 *   that is the price of a file that is safe in every spreadsheet;
 * - a cell holding `"`, `,`, `;`, CR or LF is quoted, inner quotes doubled.
 */
const FORMULA_START = /^[=+\-@\t\r]/;
const FORMULA_AFTER_SEPARATOR = /([,;\r\n])([=+\-@\t])/g;
const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;

/** One cell's text, made safe and quoted when needed. */
export function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = v instanceof Date ? v.toISOString() : String(v);
  if (PLAIN_NUMBER.test(s)) return s;
  let safe = s.replace(FORMULA_AFTER_SEPARATOR, "$1'$2");
  if (FORMULA_START.test(safe)) safe = `'${safe}`;
  return /[",;\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** RFC 4180 CSV with a UTF-8 BOM; see the module comment for what is escaped. */
export function toCsv(header: string[], rows: Array<Array<unknown>>): string {
  return '\uFEFF' + [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
