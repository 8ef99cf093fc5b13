/**
 * Reporting periods: a month (YYYY-MM), a quarter (YYYY-Qn), a half-year (YYYY-H1 / YYYY-H2)
 * or a year (YYYY), in Asia/Ho_Chi_Minh local dates. Pure.
 */
import { dateToOrdinal, fromLocal, localDate, ordinalToDate } from '../../domain/calendar.js';

export type PeriodKind = 'month' | 'quarter' | 'half' | 'year';

export interface Period {
  /** canonical text: 2026-03, 2026-Q1, 2026-H1, 2026 */
  period: string;
  kind: PeriodKind;
  year: number;
  /** first local day, YYYY-MM-DD */
  from: string;
  /** last local day (inclusive), YYYY-MM-DD */
  to: string;
  /** first instant of the period (00:00 local on `from`) */
  start: Date;
  /** first instant after the period (00:00 local on the day after `to`) */
  end: Date;
  /** Vietnamese label, e.g. "tháng 3/2026", "quý I/2026" */
  label: string;
}

export const PERIOD_PATTERN = '^\\d{4}(-(0[1-9]|1[0-2])|-Q[1-4]|-H[12])?$';
const PERIOD_RE = new RegExp(PERIOD_PATTERN);
export const MONTH_PATTERN = '^\\d{4}-(0[1-9]|1[0-2])$';

const ROMAN = ['I', 'II', 'III', 'IV'];
const MIN_YEAR = 2000;
const MAX_YEAR = 2199;

const pad2 = (n: number) => String(n).padStart(2, '0');

function lastDayOfMonth(year: number, month: number): string {
  // day 0 of the next month
  const d = new Date(Date.UTC(year, month, 0));
  return `${year}-${pad2(month)}-${pad2(d.getUTCDate())}`;
}

function build(period: string, kind: PeriodKind, year: number, firstMonth: number, months: number, label: string): Period {
  const lastMonth = firstMonth + months - 1;
  const from = `${year}-${pad2(firstMonth)}-01`;
  const to = lastDayOfMonth(year, lastMonth);
  return {
    period,
    kind,
    year,
    from,
    to,
    start: fromLocal(from),
    end: fromLocal(ordinalToDate(dateToOrdinal(to) + 1)),
    label,
  };
}

/** Parses a period; returns null when the text is not one. */
export function parsePeriod(text: string): Period | null {
  if (typeof text !== 'string' || !PERIOD_RE.test(text)) return null;
  const year = Number(text.slice(0, 4));
  if (year < MIN_YEAR || year > MAX_YEAR) return null;
  const rest = text.slice(5);
  if (rest === '') return build(text, 'year', year, 1, 12, `năm ${year}`);
  if (rest[0] === 'Q') {
    const q = Number(rest[1]);
    return build(text, 'quarter', year, (q - 1) * 3 + 1, 3, `quý ${ROMAN[q - 1]}/${year}`);
  }
  if (rest[0] === 'H') {
    const h = Number(rest[1]);
    return build(text, 'half', year, h === 1 ? 1 : 7, 6, h === 1 ? `6 tháng đầu năm ${year}` : `6 tháng cuối năm ${year}`);
  }
  const m = Number(rest);
  return build(text, 'month', year, m, 1, `tháng ${m}/${year}`);
}

/** The month (YYYY-MM) before the one containing `now`, in local time. */
export function previousMonth(now: Date): string {
  const [y, m] = localDate(now).split('-').map(Number);
  return m === 1 ? `${y - 1}-12` : `${y}-${pad2(m - 1)}`;
}

/** A range of local dates [from, to] (inclusive) as instants. */
export function dateRange(from: string, to: string): { start: Date; end: Date } {
  return { start: fromLocal(from), end: fromLocal(ordinalToDate(dateToOrdinal(to) + 1)) };
}
