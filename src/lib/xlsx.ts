import type ExcelJS from 'exceljs';
import { onFirstUse } from './on-first-use.js';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Excel workbooks (XLSX) for people: Vietnamese headers, dates as dates (the local time of
 * Hà Nội, UTC+7, which has no daylight saving), rates as numbers shown as percentages, counts
 * as numbers. Every text is written as a string value, never as a formula.
 */
export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export type XlsxKind = 'text' | 'number' | 'integer' | 'rate' | 'date' | 'datetime' | 'boolean';
export interface XlsxColumn {
  header: string;
  kind?: XlsxKind;
  width?: number;
}
export interface XlsxSheet {
  name: string;
  columns: XlsxColumn[];
  rows: unknown[][];
  /** per-cell kind, overriding the column's (a long-form table mixes counts and rates in one column) */
  cellKind?: (row: unknown[], col: number) => XlsxKind | undefined;
}

const LOCAL_OFFSET_MS = 7 * 3600_000;
const WALL_CLOCK = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?/;

/**
 * A date as Excel stores it: the local wall-clock time written as if it were UTC (Excel has no
 * time zones). A string is read as the local time it shows; a Date is moved to UTC+7.
 */
export function excelDate(v: unknown): Date | null {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : new Date(v.getTime() + LOCAL_OFFSET_MS);
  if (typeof v !== 'string') return null;
  const m = WALL_CLOCK.exec(v);
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0'] = m;
  return new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)));
}

const FORMATS: Partial<Record<XlsxKind, string>> = {
  rate: '0.0%',
  date: 'dd/mm/yyyy',
  datetime: 'dd/mm/yyyy hh:mm',
  number: '0.0#',
  integer: '0',
};

function cellValue(v: unknown, kind: XlsxKind): ExcelJS.CellValue {
  if (v === null || v === undefined || v === '') return null;
  switch (kind) {
    case 'date':
    case 'datetime':
      return excelDate(v) ?? String(v);
    case 'rate':
    case 'number':
    case 'integer':
      return typeof v === 'number' ? v : Number.isFinite(Number(v)) && String(v).trim() !== '' ? Number(v) : String(v);
    case 'boolean':
      return typeof v === 'boolean' ? v : String(v);
    default:
      return v instanceof Date ? v.toISOString() : typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
}

/**
 * exceljs is loaded on the first export, not at start: it is ~9 MB of heap in every process for
 * a few downloads a day (docs/benchmarks.md, memory).
 */
const loadExcel = onFirstUse(() => import('exceljs').then((m) => m.default));

export async function toXlsx(sheets: XlsxSheet[], meta: { title: string; created: Date }): Promise<Buffer> {
  const { Workbook } = await loadExcel();
  const wb = new Workbook();
  wb.creator = 'pakn';
  wb.title = meta.title;
  wb.created = meta.created;
  wb.modified = meta.created;
  for (const sheet of sheets) {
    const ws = wb.addWorksheet(sheet.name.slice(0, 31), { views: [{ state: 'frozen', ySplit: 1 }] });
    ws.columns = sheet.columns.map((c) => ({ header: c.header, width: c.width ?? Math.min(40, Math.max(10, c.header.length + 2)) }));
    ws.getRow(1).font = { bold: true };
    for (const row of sheet.rows) {
      const r = ws.addRow(sheet.columns.map((c, i) => cellValue(row[i], sheet.cellKind?.(row, i) ?? c.kind ?? 'text')));
      sheet.columns.forEach((c, i) => {
        const fmt = FORMATS[sheet.cellKind?.(row, i) ?? c.kind ?? 'text'];
        const cell = r.getCell(i + 1);
        if (fmt && (typeof cell.value === 'number' || cell.value instanceof Date)) cell.numFmt = fmt;
      });
    }
    ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: Math.max(1, sheet.columns.length) } };
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export type ExportFormat = 'json' | 'csv' | 'xlsx';

/** What a list route answers: `format` when given, else what Accept asks for (XLSX, CSV), else JSON. */
export function exportFormat(req: FastifyRequest, format: ExportFormat | undefined): ExportFormat {
  if (format) return format;
  const accept = req.headers.accept ?? '';
  if (accept.includes(XLSX_TYPE)) return 'xlsx';
  if (/\btext\/csv\b/.test(accept)) return 'csv';
  return 'json';
}

export function sendXlsx(reply: FastifyReply, filename: string, body: Buffer) {
  return reply.header('content-type', XLSX_TYPE).header('content-disposition', `attachment; filename="${filename}"`).send(body);
}
