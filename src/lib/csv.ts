/** RFC 4180 CSV with a UTF-8 BOM so spreadsheet programs read Vietnamese correctly. */
export function toCsv(header: string[], rows: Array<Array<unknown>>): string {
  const esc = (v: unknown): string => {
    if (v === null || v === undefined) return '';
    const s = v instanceof Date ? v.toISOString() : String(v);
    // a leading = + - @ would be read as a formula by spreadsheets
    const safe = /^[=+\-@]/.test(s) && !/^-?\d+(\.\d+)?$/.test(s) ? `'${s}` : s;
    return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  return '\uFEFF' + [header, ...rows].map((r) => r.map(esc).join(',')).join('\r\n') + '\r\n';
}
