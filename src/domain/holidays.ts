/**
 * Default year tables generated from the Labour Code 2019, art. 112:
 * - 1/1 (Tết Dương lịch);
 * - Tết Nguyên đán: the last day of the lunar year and the first 4 days of the new year (5 days);
 * - Giỗ Tổ Hùng Vương: 10/3 lunar;
 * - 30/4 and 1/5;
 * - Quốc khánh: 2/9 plus one adjacent day (1/9, or 3/9 when 2/9 is a Monday);
 * - a legal holiday on a Saturday or Sunday gives a compensatory day off on the next working day.
 *
 * Lunar dates come from the table in lunar-dates.ts (generated from `date-holidays`, country VN,
 * computed for UTC+7, and checked against it in the tests), 1900–2200.
 * The Government's yearly decisions (bridging days, make-up Saturdays) are not
 * derivable; those come from the official tables (see calendar-data.ts).
 */
import type { DayEntry, YearTable } from './calendar-types.js';
import { LUNAR_DATES, LUNAR_FIRST_YEAR } from './lunar-dates.js';

const DAY_MS = 86_400_000;

function ordinal(y: number, m: number, d: number): number {
  return Date.UTC(y, m - 1, d) / DAY_MS;
}

function toDate(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

function weekday(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

function isWeekend(day: number): boolean {
  const wd = weekday(day);
  return wd === 0 || wd === 6;
}

/** Local dates of lunar 1/1 and lunar 10/3 falling in the Gregorian `year` (1900–2200). */
export function lunarDates(year: number): { tet: string; hungKings: string } {
  const row = Number.isInteger(year) ? LUNAR_DATES[year - LUNAR_FIRST_YEAR] : undefined;
  if (row === undefined) throw new RangeError(`No lunar dates for ${year}: the calendar covers ${LUNAR_FIRST_YEAR}–${LUNAR_FIRST_YEAR + LUNAR_DATES.length - 1}`);
  return { tet: `${year}-${row.slice(0, 5)}`, hungKings: `${year}-${row.slice(6, 11)}` };
}

const TET_NAMES = [
  'Tết Nguyên đán (ngày cuối năm âm lịch)',
  'Tết Nguyên đán (mùng 1)',
  'Tết Nguyên đán (mùng 2)',
  'Tết Nguyên đán (mùng 3)',
  'Tết Nguyên đán (mùng 4)',
];

const cache = new Map<number, YearTable>();

function copy(t: YearTable): YearTable {
  return {
    year: t.year,
    holidays: t.holidays.map((h) => ({ ...h })),
    workingSaturdays: t.workingSaturdays.map((h) => ({ ...h })),
    generated: t.generated,
  };
}

/** The legal days off of `year` (before compensatory days). */
export function legalHolidays(year: number): DayEntry[] {
  const { tet, hungKings } = lunarDates(year);
  const legal: Array<{ day: number; name: string }> = [];
  legal.push({ day: ordinal(year, 1, 1), name: 'Tết Dương lịch' });
  const tetDay = Date.parse(`${tet}T00:00:00Z`) / DAY_MS;
  for (let i = 0; i < 5; i++) legal.push({ day: tetDay - 1 + i, name: TET_NAMES[i] });
  legal.push({ day: Date.parse(`${hungKings}T00:00:00Z`) / DAY_MS, name: 'Giỗ Tổ Hùng Vương (10/3 âm lịch)' });
  legal.push({ day: ordinal(year, 4, 30), name: 'Ngày Giải phóng miền Nam, thống nhất đất nước (30/4)' });
  legal.push({ day: ordinal(year, 5, 1), name: 'Ngày Quốc tế Lao động (1/5)' });
  const nationalDay = ordinal(year, 9, 2);
  legal.push({ day: nationalDay, name: 'Quốc khánh (2/9)' });
  const adjacent = weekday(nationalDay) === 1 ? nationalDay + 1 : nationalDay - 1;
  legal.push({ day: adjacent, name: 'Quốc khánh (ngày liền kề 2/9)' });
  legal.sort((a, b) => a.day - b.day);
  return legal.map((h) => ({ date: toDate(h.day), name: h.name }));
}

/** Generated default table for a year: legal holidays plus compensatory days off. */
export function generateYearTable(year: number): YearTable {
  if (!Number.isInteger(year)) throw new RangeError(`Invalid year ${year}`);
  const hit = cache.get(year);
  if (hit) return copy(hit);
  const legal = legalHolidays(year).map((h) => ({ day: Date.parse(`${h.date}T00:00:00Z`) / DAY_MS, name: h.name }));
  const taken = new Set(legal.map((h) => h.day));
  const all = [...legal];
  for (const h of legal) {
    if (!isWeekend(h.day)) continue;
    let d = h.day + 1;
    while (isWeekend(d) || taken.has(d)) d++;
    taken.add(d);
    all.push({ day: d, name: `Nghỉ bù cho ${h.name}, ngày ${toDate(h.day).slice(8, 10)}/${toDate(h.day).slice(5, 7)} trùng ngày nghỉ hằng tuần` });
  }
  all.sort((a, b) => a.day - b.day);
  const table: YearTable = {
    year,
    holidays: all.map((h) => ({ date: toDate(h.day), name: h.name })),
    workingSaturdays: [],
    generated: true,
  };
  cache.set(year, table);
  return copy(table);
}
