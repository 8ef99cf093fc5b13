/**
 * Working calendar for Asia/Ho_Chi_Minh (UTC+7, no daylight saving).
 *
 * All arithmetic is done on local day ordinals (days since 1970-01-01, local)
 * and milliseconds since local midnight. Each year gets precomputed arrays
 * (day kind, cumulative working-day count, index of working days), so adding
 * N working days or measuring office time between two instants is O(1) per
 * year crossed.
 */
import type { DayEntry, YearTable } from './calendar-types.js';

export interface OfficePeriod {
  start: string;
  end: string;
}

export const DEFAULT_OFFICE_HOURS: OfficePeriod[] = [
  { start: '07:30', end: '11:30' },
  { start: '13:30', end: '17:00' },
];

export interface WorkingCalendar {
  readonly officeHours: OfficePeriod[];
  /** Office time in one working day, in milliseconds. */
  readonly officeDayMs: number;
}

export type DayReason = 'weekday' | 'weekend' | 'holiday' | 'working_saturday';

export interface DayInfo {
  working: boolean;
  reason: DayReason;
  name?: string;
  generated: boolean;
}

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;
export const VN_OFFSET_MS = 7 * HOUR_MS;
export const MIN_YEAR = 1900;
export const MAX_YEAR = 2200;

const K_WEEKDAY = 0;
const K_WEEKEND = 1;
const K_HOLIDAY = 2;
const K_WORKING_SAT = 3;

const REASONS: DayReason[] = ['weekday', 'weekend', 'holiday', 'working_saturday'];

// ---------------------------------------------------------------------------
// Local date helpers
// ---------------------------------------------------------------------------

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Local day ordinal (days since 1970-01-01) of a "YYYY-MM-DD" string. */
export function dateToOrdinal(date: string): number {
  const m = DATE_RE.exec(date);
  if (!m) throw new Error(`Invalid date "${date}": expected YYYY-MM-DD`);
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const ms = Date.UTC(y, mo - 1, d);
  const check = new Date(ms);
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) {
    throw new Error(`Invalid date "${date}": no such calendar day`);
  }
  return ms / DAY_MS;
}

/** Civil year/month/day of a day ordinal (proleptic Gregorian). */
export function ordinalToYmd(day: number): { y: number; m: number; d: number } {
  const z = day + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return { y: yoe + era * 400 + (m <= 2 ? 1 : 0), m, d };
}

function yearOfOrdinal(day: number): number {
  return ordinalToYmd(day).y;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** "YYYY-MM-DD" of a day ordinal. */
export function ordinalToDate(day: number): string {
  const { y, m, d } = ordinalToYmd(day);
  return `${String(y).padStart(4, '0')}-${pad2(m)}-${pad2(d)}`;
}

/** 0 = Sunday … 6 = Saturday. */
export function weekdayOfOrdinal(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

function assertInstant(t: Date, what = 'instant'): number {
  const ms = t instanceof Date ? t.getTime() : NaN;
  if (!Number.isFinite(ms)) throw new RangeError(`Invalid ${what}: expected a valid Date`);
  return ms;
}

/** Local day ordinal of an instant. */
export function localDayOrdinal(instant: Date): number {
  return Math.floor((assertInstant(instant) + VN_OFFSET_MS) / DAY_MS);
}

/** VN local "YYYY-MM-DD" of an instant. */
export function localDate(instant: Date): string {
  return ordinalToDate(localDayOrdinal(instant));
}

/** VN local "HH:MM" of an instant. */
export function localTime(instant: Date): string {
  const local = assertInstant(instant) + VN_OFFSET_MS;
  const tod = local - Math.floor(local / DAY_MS) * DAY_MS;
  const minutes = Math.floor(tod / 60_000);
  return `${pad2(Math.floor(minutes / 60))}:${pad2(minutes % 60)}`;
}

/** The instant of a VN local date and time ("HH:MM" or "HH:MM:SS"). */
export function fromLocal(date: string, time = '00:00'): Date {
  const m = /^(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(time);
  if (!m) throw new Error(`Invalid time "${time}": expected HH:MM`);
  const h = Number(m[1]);
  const mi = Number(m[2]);
  const s = m[3] ? Number(m[3]) : 0;
  if (h > 23 || mi > 59 || s > 59) throw new Error(`Invalid time "${time}"`);
  return new Date(dateToOrdinal(date) * DAY_MS + h * HOUR_MS + mi * 60_000 + s * 1000 - VN_OFFSET_MS);
}

/** "00".."99", for the time of day. */
const TWO = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
/** "YYYY-MM-DDT" of the last few local days formatted (responses list cases of a few days). */
const dayPrefix = new Map<number, string>();

/**
 * ISO 8601 with the +07:00 offset, e.g. "2026-02-12T16:30:00+07:00" (milliseconds only when not
 * zero). Vietnam has kept +07:00 all year since 1975 (no daylight saving), so this is arithmetic on
 * the instant: the day's date is formatted once per local day, the time of day from a table.
 * test/domain/local-iso.test.ts checks it against Intl's Asia/Ho_Chi_Minh for instants after 1976.
 */
export function toLocalIso(instant: Date): string {
  const local = assertInstant(instant) + VN_OFFSET_MS;
  // four-digit years only (toISOString writes others as ±YYYYYY)
  if (local < -62_167_219_200_000 || local >= 253_402_300_800_000) return toLocalIsoReference(instant);
  const day = Math.floor(local / DAY_MS);
  let prefix = dayPrefix.get(day);
  if (prefix === undefined) {
    prefix = new Date(day * DAY_MS).toISOString().slice(0, 11);
    if (dayPrefix.size >= 4096) dayPrefix.clear();
    dayPrefix.set(day, prefix);
  }
  let rest = local - day * DAY_MS;
  const ms = rest % 1000;
  rest = (rest - ms) / 1000;
  const sec = rest % 60;
  rest = (rest - sec) / 60;
  const min = rest % 60;
  const hour = (rest - min) / 60;
  // joined, not concatenated: one flat string instead of a tree of partial ones (the monthly
  // report keeps two per listed case, half a million of them)
  return ms === 0
    ? [prefix, TWO[hour], ':', TWO[min], ':', TWO[sec], '+07:00'].join('')
    : [prefix, TWO[hour], ':', TWO[min], ':', TWO[sec], ms < 10 ? '.00' : ms < 100 ? '.0' : '.', ms, '+07:00'].join('');
}

/** The former formatter (Date#toISOString of the shifted instant), kept as the reference of the property test. */
export function toLocalIsoReference(instant: Date): string {
  const local = assertInstant(instant) + VN_OFFSET_MS;
  const iso = new Date(local).toISOString();
  const frac = iso.slice(19, 23);
  return `${iso.slice(0, 19)}${frac === '.000' ? '' : frac}+07:00`;
}

// ---------------------------------------------------------------------------
// Office hours
// ---------------------------------------------------------------------------

const HHMM_RE = /^(\d{1,2}):(\d{2})$/;

function hhmmToMs(s: string, ctx: string): number {
  const m = HHMM_RE.exec(s.trim());
  if (!m) throw new Error(`Invalid office hours ${ctx}: "${s}" is not HH:MM`);
  const h = Number(m[1]);
  const mi = Number(m[2]);
  if (h > 23 || mi > 59) throw new Error(`Invalid office hours ${ctx}: "${s}" is not a time of day (00:00–23:59)`);
  return h * HOUR_MS + mi * 60_000;
}

function validateOfficeHours(periods: OfficePeriod[]): { starts: number[]; ends: number[] } {
  if (!Array.isArray(periods) || periods.length === 0) {
    throw new Error('Invalid office hours: at least one period is required, e.g. "07:30-11:30,13:30-17:00"');
  }
  const starts: number[] = [];
  const ends: number[] = [];
  let prevEnd = -1;
  periods.forEach((p, i) => {
    const ctx = `period ${i + 1}`;
    const s = hhmmToMs(p.start, ctx);
    const e = hhmmToMs(p.end, ctx);
    if (e <= s) throw new Error(`Invalid office hours ${ctx}: end ${p.end} must be after start ${p.start}`);
    if (s < prevEnd) {
      throw new Error(`Invalid office hours ${ctx}: ${p.start}-${p.end} overlaps or precedes the previous period`);
    }
    starts.push(s);
    ends.push(e);
    prevEnd = e;
  });
  return { starts, ends };
}

function normHHMM(s: string): string {
  const m = HHMM_RE.exec(s.trim());
  return m ? `${pad2(Number(m[1]))}:${m[2]}` : s;
}

/** Parses "07:30-11:30,13:30-17:00"; throws an Error with a clear message on bad input. */
export function parseOfficeHours(spec: string): OfficePeriod[] {
  if (typeof spec !== 'string' || spec.trim() === '') {
    throw new Error('Invalid office hours: empty value, expected e.g. "07:30-11:30,13:30-17:00"');
  }
  const periods = spec.split(',').map((part, i) => {
    const bits = part.split(/[-–]/);
    if (bits.length !== 2) {
      throw new Error(`Invalid office hours period ${i + 1}: "${part.trim()}" must look like HH:MM-HH:MM`);
    }
    return { start: normHHMM(bits[0]), end: normHHMM(bits[1]) };
  });
  validateOfficeHours(periods);
  return periods;
}

// ---------------------------------------------------------------------------
// Year data
// ---------------------------------------------------------------------------

interface YearData {
  readonly year: number;
  readonly firstDay: number;
  readonly length: number;
  readonly kind: Uint8Array;
  /** cum[i] = number of working days among the first i days of the year. */
  readonly cum: Int32Array;
  /** Day offsets (from Jan 1) of the working days, in order. */
  readonly workIdx: Int32Array;
  readonly total: number;
  readonly names: Map<number, string>;
  readonly generated: boolean;
}

function buildYear(table: YearTable, year: number): YearData {
  if (!table || table.year !== year) {
    throw new Error(`Calendar table for ${year} has year ${table ? table.year : 'undefined'}`);
  }
  const firstDay = Date.UTC(year, 0, 1) / DAY_MS;
  const length = Date.UTC(year + 1, 0, 1) / DAY_MS - firstDay;
  const kind = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    const wd = weekdayOfOrdinal(firstDay + i);
    kind[i] = wd === 0 || wd === 6 ? K_WEEKEND : K_WEEKDAY;
  }
  const names = new Map<number, string>();
  for (const h of table.holidays ?? []) {
    const off = dateToOrdinal(h.date) - firstDay;
    if (off < 0 || off >= length) throw new Error(`Holiday ${h.date} is listed in the table for ${year}`);
    if (kind[off] === K_HOLIDAY) continue;
    kind[off] = K_HOLIDAY;
    names.set(off, h.name);
  }
  for (const w of table.workingSaturdays ?? []) {
    const off = dateToOrdinal(w.date) - firstDay;
    if (off < 0 || off >= length) throw new Error(`Working day ${w.date} is listed in the table for ${year}`);
    if (kind[off] === K_HOLIDAY) throw new Error(`${w.date} is listed both as a holiday and as a working day`);
    if (kind[off] !== K_WEEKEND && kind[off] !== K_WORKING_SAT) {
      throw new Error(`Working day ${w.date} is not a Saturday or Sunday`);
    }
    kind[off] = K_WORKING_SAT;
    names.set(off, w.name);
  }
  const cum = new Int32Array(length + 1);
  let total = 0;
  for (let i = 0; i < length; i++) {
    cum[i] = total;
    if (kind[i] === K_WEEKDAY || kind[i] === K_WORKING_SAT) total++;
  }
  cum[length] = total;
  const workIdx = new Int32Array(total);
  for (let i = 0, j = 0; i < length; i++) {
    if (kind[i] === K_WEEKDAY || kind[i] === K_WORKING_SAT) workIdx[j++] = i;
  }
  return { year, firstDay, length, kind, cum, workIdx, total, names, generated: !!table.generated };
}

class Calendar implements WorkingCalendar {
  readonly officeHours: OfficePeriod[];
  readonly officeDayMs: number;
  /** Period starts/ends in ms since local midnight. */
  readonly starts: number[];
  readonly ends: number[];
  /** Office ms elapsed at the start of each period. */
  readonly cumStart: number[];
  readonly open: number;
  readonly close: number;
  private readonly tables = new Map<number, YearTable>();
  private readonly years = new Map<number, YearData>();
  private readonly fallback: (year: number) => YearTable;
  private last: YearData | undefined;

  constructor(officeHours: OfficePeriod[], years: YearTable[], fallback: (year: number) => YearTable) {
    const { starts, ends } = validateOfficeHours(officeHours);
    this.officeHours = officeHours.map((p) => ({ start: normHHMM(p.start), end: normHHMM(p.end) }));
    this.starts = starts;
    this.ends = ends;
    this.cumStart = [];
    let acc = 0;
    for (let i = 0; i < starts.length; i++) {
      this.cumStart.push(acc);
      acc += ends[i] - starts[i];
    }
    this.officeDayMs = acc;
    this.open = starts[0];
    this.close = ends[ends.length - 1];
    this.fallback = fallback;
    for (const t of years) {
      if (this.tables.has(t.year)) throw new Error(`Calendar table for ${t.year} is given twice`);
      this.tables.set(t.year, t);
      this.years.set(t.year, buildYear(t, t.year));
    }
  }

  year(y: number): YearData {
    let yd = this.years.get(y);
    if (yd) return yd;
    if (!Number.isInteger(y) || y < MIN_YEAR || y > MAX_YEAR) {
      throw new RangeError(`Year ${y} is outside the supported range ${MIN_YEAR}–${MAX_YEAR}`);
    }
    yd = buildYear(this.fallback(y), y);
    this.years.set(y, yd);
    return yd;
  }

  yearOf(day: number): YearData {
    const l = this.last;
    if (l !== undefined && day >= l.firstDay && day < l.firstDay + l.length) return l;
    const yd = this.year(yearOfOrdinal(day));
    this.last = yd;
    return yd;
  }

  kindOf(day: number): number {
    const yd = this.yearOf(day);
    return yd.kind[day - yd.firstDay];
  }

  isWorking(day: number): boolean {
    const k = this.kindOf(day);
    return k === K_WEEKDAY || k === K_WORKING_SAT;
  }

  /** The n-th working day strictly after `day` (n >= 1). */
  nthWorkingAfter(day: number, n: number): number {
    let yd = this.yearOf(day);
    let target = yd.cum[day - yd.firstDay + 1] + n;
    while (target > yd.total) {
      target -= yd.total;
      yd = this.year(yd.year + 1);
    }
    return yd.firstDay + yd.workIdx[target - 1];
  }

  workingOnOrAfter(day: number): number {
    return this.isWorking(day) ? day : this.nthWorkingAfter(day, 1);
  }

  /** Number of working days in [a, b). */
  countWorking(a: number, b: number): number {
    if (b <= a) return 0;
    const ya = this.yearOf(a);
    const yb = this.yearOf(b);
    if (ya === yb) return ya.cum[b - ya.firstDay] - ya.cum[a - ya.firstDay];
    let n = ya.total - ya.cum[a - ya.firstDay];
    for (let y = ya.year + 1; y < yb.year; y++) n += this.year(y).total;
    n += yb.cum[b - yb.firstDay];
    return n;
  }

  /** Office ms elapsed on a working day at time-of-day `tod`. */
  officeMsBefore(tod: number): number {
    const s = this.starts;
    const e = this.ends;
    let acc = 0;
    for (let i = 0; i < s.length; i++) {
      if (tod <= s[i]) break;
      if (tod >= e[i]) acc += e[i] - s[i];
      else {
        acc += tod - s[i];
        break;
      }
    }
    return acc;
  }

  /** Time of day at which `x` office ms have elapsed, for x in (0, officeDayMs]; lands on period ends exactly. */
  todAtOffice(x: number): number {
    const s = this.starts;
    const e = this.ends;
    const c = this.cumStart;
    for (let i = 0; i < s.length; i++) {
      if (x <= c[i] + (e[i] - s[i])) return s[i] + (x - c[i]);
    }
    return this.close;
  }

  /** Next opening at or after the local instant (ms since epoch, UTC). */
  nextOpeningMs(t: number): number {
    const local = t + VN_OFFSET_MS;
    const day = Math.floor(local / DAY_MS);
    const tod = local - day * DAY_MS;
    if (this.isWorking(day)) {
      const s = this.starts;
      const e = this.ends;
      for (let i = 0; i < s.length; i++) {
        if (tod < e[i]) return tod >= s[i] ? t : day * DAY_MS + s[i] - VN_OFFSET_MS;
      }
    }
    return this.nthWorkingAfter(day, 1) * DAY_MS + this.open - VN_OFFSET_MS;
  }

  closeOf(day: number): number {
    return day * DAY_MS + this.close - VN_OFFSET_MS;
  }

  addWorkingDaysMs(t: number, n: number): number {
    const eff = this.nextOpeningMs(t);
    const day = Math.floor((eff + VN_OFFSET_MS) / DAY_MS);
    return this.closeOf(n === 0 ? day : this.nthWorkingAfter(day, n));
  }

  addCalendarDaysMs(t: number, n: number): number {
    const eff = this.nextOpeningMs(t);
    const day = Math.floor((eff + VN_OFFSET_MS) / DAY_MS);
    return this.closeOf(this.workingOnOrAfter(day + n));
  }

  addWorkingMsMs(t: number, ms: number): number {
    if (ms === 0) return t;
    const start = this.nextOpeningMs(t);
    const local = start + VN_OFFSET_MS;
    const day = Math.floor(local / DAY_MS);
    const used = this.officeMsBefore(local - day * DAY_MS);
    const dayLen = this.officeDayMs;
    const remToday = dayLen - used;
    if (ms <= remToday) return day * DAY_MS + this.todAtOffice(used + ms) - VN_OFFSET_MS;
    const rest = ms - remToday;
    const k = Math.ceil(rest / dayLen);
    const within = rest - (k - 1) * dayLen;
    return this.nthWorkingAfter(day, k) * DAY_MS + this.todAtOffice(within) - VN_OFFSET_MS;
  }

  workingMsBetweenMs(a: number, b: number): number {
    if (b <= a) return 0;
    const la = a + VN_OFFSET_MS;
    const lb = b + VN_OFFSET_MS;
    const da = Math.floor(la / DAY_MS);
    const db = Math.floor(lb / DAY_MS);
    const ma = this.isWorking(da) ? this.officeMsBefore(la - da * DAY_MS) : 0;
    const mb = this.isWorking(db) ? this.officeMsBefore(lb - db * DAY_MS) : 0;
    return this.countWorking(da, db) * this.officeDayMs - ma + mb;
  }

  info(day: number): DayInfo {
    const yd = this.yearOf(day);
    const off = day - yd.firstDay;
    const k = yd.kind[off];
    const out: DayInfo = {
      working: k === K_WEEKDAY || k === K_WORKING_SAT,
      reason: REASONS[k],
      generated: yd.generated,
    };
    const name = yd.names.get(off);
    if (name !== undefined) out.name = name;
    return out;
  }
}

function impl(cal: WorkingCalendar): Calendar {
  if (!(cal instanceof Calendar)) throw new TypeError('Expected a calendar made by createWorkingCalendar()');
  return cal;
}

function assertCount(n: number, what: string): void {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`${what} must be a non-negative integer, got ${n}`);
}

function assertAmount(n: number, what: string): void {
  if (!Number.isFinite(n) || n < 0) throw new RangeError(`${what} must be a non-negative finite number, got ${n}`);
}

// ---------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------

/**
 * Years not in `years` use `fallback` (the service passes `generateYearTable` from holidays.ts,
 * the Labour Code defaults), computed on first use and cached.
 */
export function createWorkingCalendar(opts: {
  officeHours?: OfficePeriod[];
  years: YearTable[];
  fallback: (year: number) => YearTable;
}): WorkingCalendar {
  return new Calendar(opts.officeHours ?? DEFAULT_OFFICE_HOURS, opts.years ?? [], opts.fallback);
}

export function isWorkingDay(cal: WorkingCalendar, date: string): boolean {
  return impl(cal).isWorking(dateToOrdinal(date));
}

export function dayInfo(cal: WorkingCalendar, date: string): DayInfo {
  return impl(cal).info(dateToOrdinal(date));
}

/** Inside office hours of a working day (period start inclusive, end exclusive). */
export function isWorkingInstant(cal: WorkingCalendar, t: Date): boolean {
  const ms = assertInstant(t);
  return impl(cal).nextOpeningMs(ms) === ms;
}

/** True when `t` is the end of an office period on a working day (e.g. 11:30 or 17:00). */
export function isOfficePeriodEnd(cal: WorkingCalendar, t: Date): boolean {
  const c = impl(cal);
  const local = assertInstant(t) + VN_OFFSET_MS;
  const day = Math.floor(local / DAY_MS);
  const tod = local - day * DAY_MS;
  return c.ends.includes(tod) && c.isWorking(day);
}

/** `t` itself if it is a working instant, else the next office opening. */
export function nextOpening(cal: WorkingCalendar, t: Date): Date {
  return new Date(impl(cal).nextOpeningMs(assertInstant(t)));
}

/** Close of office hours on the n-th working day after the day of (effective) receipt. */
export function addWorkingDays(cal: WorkingCalendar, receivedAt: Date, n: number): Date {
  assertCount(n, 'Number of working days');
  return new Date(impl(cal).addWorkingDaysMs(assertInstant(receivedAt, 'receivedAt'), n));
}

/** Close of office hours on the n-th calendar day after the day of (effective) receipt, moved to the next working day. */
export function addCalendarDays(cal: WorkingCalendar, receivedAt: Date, n: number): Date {
  assertCount(n, 'Number of days');
  return new Date(impl(cal).addCalendarDaysMs(assertInstant(receivedAt, 'receivedAt'), n));
}

/** Adds office time; a count landing exactly on the end of a period gives that end instant. 0 returns `start`. */
export function addWorkingMs(cal: WorkingCalendar, start: Date, ms: number): Date {
  assertAmount(ms, 'Working time');
  return new Date(impl(cal).addWorkingMsMs(assertInstant(start, 'start'), Math.round(ms)));
}

export function addWorkingHours(cal: WorkingCalendar, start: Date, hours: number): Date {
  assertAmount(hours, 'Number of working hours');
  return new Date(impl(cal).addWorkingMsMs(assertInstant(start, 'start'), Math.round(hours * HOUR_MS)));
}

/** Office time in [a, b); 0 if b <= a. */
export function workingMsBetween(cal: WorkingCalendar, a: Date, b: Date): number {
  return impl(cal).workingMsBetweenMs(assertInstant(a), assertInstant(b));
}

/** Office time in [a, b) divided by the length of a full office day. */
export function workingDaysBetween(cal: WorkingCalendar, a: Date, b: Date): number {
  const c = impl(cal);
  return c.workingMsBetweenMs(assertInstant(a), assertInstant(b)) / c.officeDayMs;
}

/** Non-working days in [fromDate, toDate] (inclusive). */
export function skippedDays(
  cal: WorkingCalendar,
  fromDate: string,
  toDate: string,
): Array<{ date: string; reason: 'weekend' | 'holiday'; name?: string }> {
  const c = impl(cal);
  const a = dateToOrdinal(fromDate);
  const b = dateToOrdinal(toDate);
  const out: Array<{ date: string; reason: 'weekend' | 'holiday'; name?: string }> = [];
  for (let d = a; d <= b; d++) {
    const yd = c.yearOf(d);
    const off = d - yd.firstDay;
    const k = yd.kind[off];
    if (k === K_WEEKEND) out.push({ date: ordinalToDate(d), reason: 'weekend' });
    else if (k === K_HOLIDAY) {
      const e: { date: string; reason: 'holiday'; name?: string } = { date: ordinalToDate(d), reason: 'holiday' };
      const name = yd.names.get(off);
      if (name !== undefined) e.name = name;
      out.push(e);
    }
  }
  return out;
}

/** Make-up working days (weekend days worked) in [fromDate, toDate] (inclusive). */
export function makeUpWorkingDays(cal: WorkingCalendar, fromDate: string, toDate: string): DayEntry[] {
  const c = impl(cal);
  const a = dateToOrdinal(fromDate);
  const b = dateToOrdinal(toDate);
  const out: DayEntry[] = [];
  for (let d = a; d <= b; d++) {
    const yd = c.yearOf(d);
    const off = d - yd.firstDay;
    if (yd.kind[off] === K_WORKING_SAT) out.push({ date: ordinalToDate(d), name: yd.names.get(off) ?? '' });
  }
  return out;
}

/** Close of office hours on the n-th working day after the local day of `due` (used for extensions). */
export function workingDaysAfterDay(cal: WorkingCalendar, due: Date, n: number): Date {
  assertCount(n, 'Number of working days');
  const c = impl(cal);
  const day = Math.floor((assertInstant(due) + VN_OFFSET_MS) / DAY_MS);
  return new Date(c.closeOf(n === 0 ? c.workingOnOrAfter(day) : c.nthWorkingAfter(day, n)));
}

/** Close of office hours n calendar days after the local day of `due`, moved to the next working day (used for extensions). */
export function calendarDaysAfterDay(cal: WorkingCalendar, due: Date, n: number): Date {
  assertCount(n, 'Number of days');
  const c = impl(cal);
  const day = Math.floor((assertInstant(due) + VN_OFFSET_MS) / DAY_MS);
  return new Date(c.closeOf(c.workingOnOrAfter(day + n)));
}

/** Internal fast paths on epoch milliseconds (no Date allocation, no validation). */
export const calendarFast = {
  nextOpeningMs: (cal: WorkingCalendar, t: number): number => impl(cal).nextOpeningMs(t),
  addWorkingDaysMs: (cal: WorkingCalendar, t: number, n: number): number => impl(cal).addWorkingDaysMs(t, n),
  addCalendarDaysMs: (cal: WorkingCalendar, t: number, n: number): number => impl(cal).addCalendarDaysMs(t, n),
  addWorkingMsMs: (cal: WorkingCalendar, t: number, ms: number): number => impl(cal).addWorkingMsMs(t, ms),
  workingMsBetweenMs: (cal: WorkingCalendar, a: number, b: number): number => impl(cal).workingMsBetweenMs(a, b),
  /** Number of working days among the local day ordinals [a, b). */
  countWorkingDays: (cal: WorkingCalendar, a: number, b: number): number => impl(cal).countWorking(a, b),
  workingDaysAfterDayMs: (cal: WorkingCalendar, t: number, n: number): number => {
    const c = impl(cal);
    const day = Math.floor((t + VN_OFFSET_MS) / DAY_MS);
    return c.closeOf(n === 0 ? c.workingOnOrAfter(day) : c.nthWorkingAfter(day, n));
  },
  calendarDaysAfterDayMs: (cal: WorkingCalendar, t: number, n: number): number => {
    const c = impl(cal);
    const day = Math.floor((t + VN_OFFSET_MS) / DAY_MS);
    return c.closeOf(c.workingOnOrAfter(day + n));
  },
};
