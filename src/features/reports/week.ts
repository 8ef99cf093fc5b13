/**
 * ISO weeks (YYYY-Www, Monday to Sunday) in Asia/Ho_Chi_Minh local dates. Pure.
 */
import { dateToOrdinal, fromLocal, localDayOrdinal, ordinalToDate, weekdayOfOrdinal } from '../../domain/calendar.js';

export const WEEK_PATTERN = '^\\d{4}-W(0[1-9]|[1-4]\\d|5[0-3])$';
const WEEK_RE = new RegExp(WEEK_PATTERN);

export interface IsoWeek {
  /** 2026-W10 */
  week: string;
  year: number;
  number: number;
  /** Monday, YYYY-MM-DD */
  from: string;
  /** Sunday, YYYY-MM-DD */
  to: string;
  /** 00:00 local on Monday */
  start: Date;
  /** 00:00 local on the next Monday */
  end: Date;
  /** "tuần 10/2026 (02/03–08/03/2026)" */
  label: string;
}

/** Monday (day ordinal) of ISO week 1 of a year: the week with 4 January. */
function mondayOfWeek1(year: number): number {
  const jan4 = dateToOrdinal(`${String(year).padStart(4, '0')}-01-04`);
  return jan4 - ((weekdayOfOrdinal(jan4) + 6) % 7);
}

const dm = (date: string) => `${date.slice(8, 10)}/${date.slice(5, 7)}`;

function build(year: number, n: number, monday: number): IsoWeek {
  const from = ordinalToDate(monday);
  const to = ordinalToDate(monday + 6);
  const week = `${year}-W${String(n).padStart(2, '0')}`;
  return {
    week,
    year,
    number: n,
    from,
    to,
    start: fromLocal(from),
    end: fromLocal(ordinalToDate(monday + 7)),
    label: `tuần ${n}/${year} (${dm(from)}–${dm(to)}/${to.slice(0, 4)})`,
  };
}

/** Parses "2026-W10"; null when the text is not an ISO week (week 53 only in years that have one). */
export function parseIsoWeek(text: string): IsoWeek | null {
  if (typeof text !== 'string' || !WEEK_RE.test(text)) return null;
  const year = Number(text.slice(0, 4));
  const n = Number(text.slice(6));
  if (year < 2000 || year > 2199) return null;
  const monday = mondayOfWeek1(year) + (n - 1) * 7;
  // the week belongs to the year of its Thursday
  if (Number(ordinalToDate(monday + 3).slice(0, 4)) !== year) return null;
  return build(year, n, monday);
}

/** The ISO week of a local day ordinal. */
export function isoWeekOfOrdinal(day: number): IsoWeek {
  const thursday = day - ((weekdayOfOrdinal(day) + 6) % 7) + 3;
  const year = Number(ordinalToDate(thursday).slice(0, 4));
  const n = Math.floor((thursday - 3 - mondayOfWeek1(year)) / 7) + 1;
  return build(year, n, thursday - 3);
}

/** The ISO week before the one containing `now` (local time). */
export function previousIsoWeek(now: Date): IsoWeek {
  return isoWeekOfOrdinal(localDayOrdinal(now) - 7);
}
