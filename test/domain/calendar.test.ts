import { describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import {
  addCalendarDays,
  addWorkingDays,
  addWorkingHours,
  addWorkingMs,
  createWorkingCalendar,
  DEFAULT_OFFICE_HOURS,
  dayInfo,
  fromLocal,
  isOfficePeriodEnd,
  isWorkingDay,
  isWorkingInstant,
  localDate,
  localTime,
  nextOpening,
  parseOfficeHours,
  skippedDays,
  toLocalIso,
  workingDaysBetween,
  workingMsBetween,
} from '../../src/domain/calendar.js';
import type { YearTable } from '../../src/domain/calendar-types.js';
import { generateYearTable } from '../../src/domain/holidays.js';
import { OFFICIAL_YEAR_TABLES } from '../../src/domain/calendar-data.js';
import { at, show } from '../helpers/local-time.js';

const cal = createWorkingCalendar({ years: OFFICIAL_YEAR_TABLES, fallback: generateYearTable });
const H = 3_600_000;
const DAY = 86_400_000;


describe('local time helpers', () => {
  it('converts with a fixed +07:00 offset', () => {
    expect(at('2026-02-12 10:00').toISOString()).toBe('2026-02-12T03:00:00.000Z');
    expect(localDate(new Date('2026-02-12T16:59:59.999Z'))).toBe('2026-02-12');
    expect(localDate(new Date('2026-02-12T17:00:00.000Z'))).toBe('2026-02-13');
    expect(toLocalIso(at('2026-02-12 16:30'))).toBe('2026-02-12T16:30:00+07:00');
  });

  it('rejects impossible dates', () => {
    expect(() => fromLocal('2025-02-29')).toThrow(/no such calendar day/);
    expect(() => fromLocal('2025-2-1')).toThrow(/YYYY-MM-DD/);
    expect(() => localDate(new Date('nope'))).toThrow(RangeError);
  });
});

describe('parseOfficeHours', () => {
  it('parses the default spec', () => {
    expect(parseOfficeHours('07:30-11:30,13:30-17:00')).toEqual(DEFAULT_OFFICE_HOURS);
    expect(parseOfficeHours(' 7:30 - 11:30 , 13:30–17:00 ')).toEqual(DEFAULT_OFFICE_HOURS);
    expect(parseOfficeHours('08:00-17:00')).toEqual([{ start: '08:00', end: '17:00' }]);
  });

  it.each([
    ['', /empty/],
    ['07:30', /HH:MM-HH:MM/],
    ['07:30-11:30;13:30-17:00', /HH:MM/],
    ['7-11', /not HH:MM/],
    ['11:30-07:30', /must be after start/],
    ['07:30-11:30,11:00-17:00', /overlaps/],
    ['13:30-17:00,07:30-11:30', /overlaps or precedes/],
    ['07:30-24:00', /00:00–23:59/],
    ['07:60-11:00', /00:00–23:59/],
  ])('rejects %j', (spec, msg) => {
    expect(() => parseOfficeHours(spec)).toThrow(msg);
    expect(() => parseOfficeHours(spec)).toThrow(/office hours/i);
  });
});

describe('createWorkingCalendar', () => {
  it('rejects inconsistent tables', () => {
    const t = (over: Partial<YearTable>): YearTable => ({
      year: 2025,
      holidays: [],
      workingSaturdays: [],
      generated: false,
      ...over,
    });
    expect(() => createWorkingCalendar({ years: [t({}), t({})], fallback: generateYearTable })).toThrow(/twice/);
    expect(() => createWorkingCalendar({ years: [t({ holidays: [{ date: '2026-01-01', name: 'x' }] })], fallback: generateYearTable })).toThrow(
      /table for 2025/,
    );
    expect(() =>
      createWorkingCalendar({ years: [t({ workingSaturdays: [{ date: '2025-04-25', name: 'x' }] })], fallback: generateYearTable }),
    ).toThrow(/not a Saturday or Sunday/);
    expect(() =>
      createWorkingCalendar({
        years: [t({ holidays: [{ date: '2025-04-26', name: 'x' }], workingSaturdays: [{ date: '2025-04-26', name: 'y' }] })],
        fallback: generateYearTable,
      }),
    ).toThrow(/both/);
    expect(() => createWorkingCalendar({ officeHours: [], years: [], fallback: generateYearTable })).toThrow(/office hours/);
  });

  it('uses the fallback lazily, once per year', () => {
    const fallback = vi.fn((year: number): YearTable => ({ year, holidays: [], workingSaturdays: [], generated: true }));
    const c = createWorkingCalendar({ years: OFFICIAL_YEAR_TABLES, fallback });
    expect(fallback).not.toHaveBeenCalled();
    expect(isWorkingDay(c, '2026-02-17')).toBe(false);
    expect(fallback).not.toHaveBeenCalled();
    expect(isWorkingDay(c, '2027-02-08')).toBe(true);
    expect(isWorkingDay(c, '2027-02-09')).toBe(true);
    expect(fallback).toHaveBeenCalledTimes(1);
    expect(fallback).toHaveBeenCalledWith(2027);
  });

  it('defaults to the generated Labour Code table for unknown years', () => {
    expect(dayInfo(cal, '2027-02-08')).toMatchObject({ working: false, reason: 'holiday', generated: true });
    expect(dayInfo(cal, '2027-02-12')).toMatchObject({ working: true, reason: 'weekday', generated: true });
  });

  it('supports other office hours', () => {
    const c = createWorkingCalendar({ officeHours: parseOfficeHours('08:00-12:00,13:00-17:00'), years: OFFICIAL_YEAR_TABLES, fallback: generateYearTable });
    expect(c.officeDayMs).toBe(8 * H);
    expect(show(addWorkingHours(c, at('2026-03-02 11:00'), 2))).toBe('2026-03-02 14:00');
    expect(show(addWorkingDays(c, at('2026-03-02 11:00'), 1))).toBe('2026-03-03 17:00');
  });
});

describe('dayInfo and skippedDays', () => {
  it.each([
    ['2026-03-05', { working: true, reason: 'weekday', generated: false }],
    ['2026-03-07', { working: false, reason: 'weekend', generated: false }],
    ['2026-03-08', { working: false, reason: 'weekend', generated: false }],
    ['2025-04-26', { working: true, reason: 'working_saturday', generated: false }],
    ['2025-05-02', { working: false, reason: 'holiday', generated: false }],
    ['2026-04-27', { working: false, reason: 'holiday', generated: false }],
    ['2026-02-17', { working: false, reason: 'holiday', generated: false }],
    ['2026-02-14', { working: false, reason: 'holiday', generated: false }],
    ['2025-09-01', { working: false, reason: 'holiday', generated: false }],
    ['2026-01-01', { working: false, reason: 'holiday', generated: false }],
    ['2026-01-02', { working: true, reason: 'weekday', generated: false }],
  ] as const)('%s', (date, expected) => {
    expect(dayInfo(cal, date)).toMatchObject(expected);
    expect(isWorkingDay(cal, date)).toBe(expected.working);
  });

  it('names holidays and make-up days', () => {
    expect(dayInfo(cal, '2026-04-27').name).toMatch(/Hùng Vương/);
    expect(dayInfo(cal, '2025-04-26').name).toMatch(/02\/05\/2025/);
    expect(dayInfo(cal, '2026-03-07').name).toBeUndefined();
  });

  it('lists the Tết 2026 days off', () => {
    const s = skippedDays(cal, '2026-02-12', '2026-02-24');
    expect(s.map((d) => d.date)).toEqual([
      '2026-02-14',
      '2026-02-15',
      '2026-02-16',
      '2026-02-17',
      '2026-02-18',
      '2026-02-19',
      '2026-02-20',
      '2026-02-21',
      '2026-02-22',
    ]);
    expect(s.every((d) => d.reason === 'holiday' && /Tết/.test(d.name ?? ''))).toBe(true);
  });

  it('lists weekends and excludes the worked Saturday', () => {
    expect(skippedDays(cal, '2025-04-25', '2025-05-05')).toEqual([
      { date: '2025-04-27', reason: 'weekend' },
      { date: '2025-04-30', reason: 'holiday', name: expect.any(String) },
      { date: '2025-05-01', reason: 'holiday', name: expect.any(String) },
      { date: '2025-05-02', reason: 'holiday', name: expect.any(String) },
      { date: '2025-05-03', reason: 'holiday', name: expect.any(String) },
      { date: '2025-05-04', reason: 'holiday', name: expect.any(String) },
    ]);
  });
});

describe('working instants and openings', () => {
  it.each([
    ['2026-03-05 07:30', true],
    ['2026-03-05 07:29', false],
    ['2026-03-05 11:29', true],
    ['2026-03-05 11:30', false],
    ['2026-03-05 12:15', false],
    ['2026-03-05 13:30', true],
    ['2026-03-05 16:59', true],
    ['2026-03-05 17:00', false],
    ['2026-03-07 09:00', false],
    ['2025-04-26 09:00', true],
    ['2026-04-27 09:00', false],
    ['2026-01-01 09:00', false],
  ])('isWorkingInstant(%s) = %s', (s, expected) => {
    expect(isWorkingInstant(cal, at(s))).toBe(expected);
  });

  it.each([
    ['2026-03-05 10:00', '2026-03-05 10:00'],
    ['2026-03-05 06:00', '2026-03-05 07:30'],
    ['2026-03-05 12:00', '2026-03-05 13:30'],
    ['2026-03-05 17:01', '2026-03-06 07:30'],
    ['2026-03-06 17:00', '2026-03-09 07:30'],
    ['2026-03-08 10:00', '2026-03-09 07:30'],
    ['2026-02-13 17:30', '2026-02-23 07:30'],
    ['2025-04-25 17:30', '2025-04-26 07:30'],
    ['2025-12-31 17:30', '2026-01-02 07:30'],
    ['2026-04-25 09:00', '2026-04-28 07:30'],
  ])('nextOpening(%s) = %s', (s, expected) => {
    expect(show(nextOpening(cal, at(s)))).toBe(expected);
  });
});

describe('addWorkingDays (close of the Nth working day after the day of receipt)', () => {
  it.each([
    // spec examples
    ['Tết 2026 inside the period', '2026-02-12 10:00', 10, '2026-03-05 17:00'],
    ['worked Saturday 26/4/2025 and 30/4–4/5', '2025-04-25 16:00', 10, '2025-05-13 17:00'],
    ['16:59 counts on the same day', '2026-03-05 16:59', 1, '2026-03-06 17:00'],
    ['17:01 counts as the next opening', '2026-03-05 17:01', 1, '2026-03-09 17:00'],
    ['17:00 exactly is after hours', '2026-03-05 17:00', 1, '2026-03-09 17:00'],
    ['received on a Sunday', '2026-03-08 10:00', 1, '2026-03-10 17:00'],
    ['received during the lunch break', '2026-03-05 12:00', 1, '2026-03-06 17:00'],
    ['received before opening', '2026-03-05 06:00', 1, '2026-03-06 17:00'],
    // Tết 2025: 25/1–2/2
    ['Tết 2025, received the Friday before', '2025-01-24 10:00', 1, '2025-02-03 17:00'],
    ['Tết 2025, received during Tết', '2025-01-29 09:00', 1, '2025-02-04 17:00'],
    ['Tết 2025, 10 working days', '2025-01-20 09:00', 10, '2025-02-10 17:00'],
    // Tết 2026: 14/2–22/2
    ['Tết 2026, received Friday evening before', '2026-02-13 18:00', 1, '2026-02-24 17:00'],
    ['Tết 2026, received on mùng 1', '2026-02-17 10:00', 5, '2026-03-02 17:00'],
    // 30/4–1/5
    ['30/4–1/5 2025 (with the swapped 2/5)', '2025-04-29 10:00', 1, '2025-05-05 17:00'],
    ['30/4–1/5 2026', '2026-04-29 10:00', 1, '2026-05-04 17:00'],
    // the worked Saturday
    ['received on the worked Saturday', '2025-04-26 09:00', 1, '2025-04-28 17:00'],
    ['Friday evening before the worked Saturday', '2025-04-25 17:30', 1, '2025-04-28 17:00'],
    ['worked Saturday counted as a working day', '2025-04-24 10:00', 2, '2025-04-26 17:00'],
    // compensatory 27/4/2026
    ['compensatory Hùng Kings day 27/4/2026', '2026-04-24 10:00', 1, '2026-04-28 17:00'],
    ['Hùng Kings 7/4/2025', '2025-04-04 10:00', 1, '2025-04-08 17:00'],
    // 2/9
    ['2/9 2025 (30/8–2/9)', '2025-08-29 10:00', 1, '2025-09-03 17:00'],
    ['2/9 2026 (29/8–2/9)', '2026-08-28 10:00', 1, '2026-09-03 17:00'],
    // year end
    ['year end: 1/1/2026 off', '2025-12-31 10:00', 1, '2026-01-02 17:00'],
    ['year end: evening of 31/12', '2025-12-31 17:30', 1, '2026-01-05 17:00'],
    ['year end into a generated year', '2026-12-30 10:00', 2, '2027-01-04 17:00'],
    ['generated Tết 2027', '2027-02-04 10:00', 1, '2027-02-12 17:00'],
    ['zero days: close of the day of receipt', '2026-03-05 10:00', 0, '2026-03-05 17:00'],
    ['zero days, received on a weekend', '2026-03-07 10:00', 0, '2026-03-09 17:00'],
  ])('%s: %s + %i', (_name, received, n, expected) => {
    expect(show(addWorkingDays(cal, at(received), n))).toBe(expected);
  });

  it('rejects negative or fractional counts', () => {
    expect(() => addWorkingDays(cal, at('2026-03-05 10:00'), -1)).toThrow(RangeError);
    expect(() => addWorkingDays(cal, at('2026-03-05 10:00'), 1.5)).toThrow(RangeError);
  });
});

describe('addCalendarDays (close of the Nth day, moved to a working day)', () => {
  it.each([
    ['ends on a working day', '2026-03-02 10:00', 30, '2026-04-01 17:00'],
    ['ends on a Saturday', '2026-03-05 10:00', 30, '2026-04-06 17:00'],
    ['received Saturday, ends in Tết', '2026-01-17 12:00', 30, '2026-02-23 17:00'],
    ['45 days, ends in Tết', '2026-01-02 10:00', 45, '2026-02-23 17:00'],
    ['ends on 30/4/2025', '2025-03-31 10:00', 30, '2025-05-05 17:00'],
    ['ends on the worked Saturday', '2025-03-27 10:00', 30, '2025-04-26 17:00'],
    ['ends on the compensatory day 27/4/2026', '2026-03-27 10:00', 31, '2026-04-28 17:00'],
    ['ends on the weekend before 27/4/2026', '2026-03-26 10:00', 30, '2026-04-28 17:00'],
    ['received 17:01 counts from the next day', '2026-03-05 17:01', 1, '2026-03-09 17:00'],
    ['across the year end', '2025-12-02 10:00', 30, '2026-01-02 17:00'],
  ])('%s: %s + %i', (_name, received, n, expected) => {
    expect(show(addCalendarDays(cal, at(received), n))).toBe(expected);
  });
});

describe('addWorkingHours', () => {
  it.each([
    ['4h from 10:00 Monday', '2026-03-02 10:00', 4, '2026-03-02 16:00'],
    ['8h from 16:00 Friday', '2026-03-06 16:00', 8, '2026-03-09 16:30'],
    ['lands exactly on 11:30', '2026-03-02 09:30', 2, '2026-03-02 11:30'],
    ['lands exactly on 17:00', '2026-03-02 13:30', 3.5, '2026-03-02 17:00'],
    ['a full office day', '2026-03-02 07:30', 7.5, '2026-03-02 17:00'],
    ['two full office days', '2026-03-02 07:30', 15, '2026-03-03 17:00'],
    ['from the lunch break', '2026-03-02 12:00', 1, '2026-03-02 14:30'],
    ['from the evening', '2026-03-02 18:00', 1, '2026-03-03 08:30'],
    ['half an hour across lunch', '2026-03-02 11:15', 0.5, '2026-03-02 13:45'],
    ['from a Sunday', '2026-03-08 10:00', 4, '2026-03-09 11:30'],
    ['across Tết 2026', '2026-02-13 16:00', 2, '2026-02-23 08:30'],
    ['onto the worked Saturday', '2025-04-25 16:00', 2, '2025-04-26 08:30'],
    ['across 30/4–4/5 2025', '2025-04-29 16:00', 8, '2025-05-05 16:30'],
    ['across the year end', '2025-12-31 16:00', 2, '2026-01-02 08:30'],
  ])('%s', (_name, start, hours, expected) => {
    expect(show(addWorkingHours(cal, at(start), hours))).toBe(expected);
  });

  it('zero returns the start itself', () => {
    const t = at('2026-03-06 17:00');
    expect(addWorkingMs(cal, t, 0).getTime()).toBe(t.getTime());
  });

  it('rejects negative amounts', () => {
    expect(() => addWorkingHours(cal, at('2026-03-02 10:00'), -1)).toThrow(RangeError);
  });
});

describe('workingMsBetween / workingDaysBetween', () => {
  it.each([
    ['2026-03-02 10:00', '2026-03-02 16:00', 4 * H],
    ['2026-03-06 16:00', '2026-03-09 08:30', 2 * H],
    ['2026-03-02 12:00', '2026-03-02 13:00', 0],
    ['2026-03-02 16:00', '2026-03-02 10:00', 0],
    ['2025-12-31 16:00', '2026-01-02 08:30', 2 * H],
    ['2026-02-13 07:30', '2026-02-23 17:00', 15 * H],
    ['2025-04-25 07:30', '2025-04-28 07:30', 15 * H],
  ])('%s → %s', (a, b, expected) => {
    expect(workingMsBetween(cal, at(a), at(b))).toBe(expected);
  });

  it('expresses office time in office days', () => {
    expect(workingDaysBetween(cal, at('2026-03-02 07:30'), at('2026-03-09 07:30'))).toBe(5);
    expect(workingDaysBetween(cal, at('2026-03-02 07:30'), at('2026-03-02 11:15'))).toBe(0.5);
  });
});

// ---------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------

const FROM = Date.parse('2024-07-01T00:00:00+07:00');
const TO = Date.parse('2027-06-30T00:00:00+07:00');
const BOUNDARIES = [7.5 * H, 11.5 * H, 13.5 * H, 17 * H, 0, 12 * H];

/** Random instants, biased towards office-hour boundaries (±1 ms). */
const instantArb = fc.oneof(
  fc.integer({ min: FROM, max: TO }).map((ms) => new Date(ms)),
  fc
    .tuple(
      fc.integer({ min: 0, max: Math.floor((TO - FROM) / DAY) }),
      fc.constantFrom(...BOUNDARIES),
      fc.constantFrom(-1, 0, 1),
    )
    .map(([d, tod, eps]) => new Date(FROM + d * DAY + tod + eps)),
);

function isDeadlineShape(t: Date): boolean {
  return isWorkingInstant(cal, t) || isOfficePeriodEnd(cal, t);
}

/** Straightforward day-by-day reference implementation. */
function naiveAddWorkingDays(received: Date, n: number): string {
  let day = localDate(nextOpening(cal, received));
  const next = (d: string): string => localDate(new Date(fromLocal(d).getTime() + DAY));
  for (let i = 0; i < n; ) {
    day = next(day);
    if (isWorkingDay(cal, day)) i++;
  }
  return `${day} 17:00`;
}

describe('calendar properties', () => {
  it('working-day deadlines are office closes on working days, and match a day-by-day count', () => {
    fc.assert(
      fc.property(instantArb, fc.integer({ min: 0, max: 45 }), (a, n) => {
        const d = addWorkingDays(cal, a, n);
        expect(isOfficePeriodEnd(cal, d)).toBe(true);
        expect(localTime(d)).toBe('17:00');
        expect(show(d)).toBe(naiveAddWorkingDays(a, n));
      }),
      { numRuns: 400 },
    );
  });

  it('working-hour and calendar-day deadlines are working instants or office-period ends', () => {
    fc.assert(
      fc.property(instantArb, fc.integer({ min: 1, max: 200 * 60 }), fc.integer({ min: 0, max: 60 }), (a, minutes, days) => {
        expect(isDeadlineShape(addWorkingMs(cal, a, minutes * 60_000))).toBe(true);
        expect(isDeadlineShape(addCalendarDays(cal, a, days))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('more working days (or hours) never give an earlier deadline', () => {
    fc.assert(
      fc.property(instantArb, fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 20 }), (a, n, k) => {
        expect(addWorkingDays(cal, a, n + k).getTime()).toBeGreaterThanOrEqual(addWorkingDays(cal, a, n).getTime());
        expect(addCalendarDays(cal, a, n + k).getTime()).toBeGreaterThanOrEqual(addCalendarDays(cal, a, n).getTime());
        expect(addWorkingHours(cal, a, n + k + 0.25).getTime()).toBeGreaterThanOrEqual(
          addWorkingHours(cal, a, n + 0.25).getTime(),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('a later receipt never gives an earlier deadline', () => {
    fc.assert(
      fc.property(instantArb, fc.integer({ min: 0, max: 10 * DAY }), fc.integer({ min: 0, max: 30 }), (a, delta, n) => {
        const b = new Date(a.getTime() + delta);
        expect(addWorkingDays(cal, b, n).getTime()).toBeGreaterThanOrEqual(addWorkingDays(cal, a, n).getTime());
        expect(addWorkingHours(cal, b, n + 1).getTime()).toBeGreaterThanOrEqual(addWorkingHours(cal, a, n + 1).getTime());
      }),
      { numRuns: 300 },
    );
  });

  it('workingMsBetween(a, addWorkingMs(a, x)) == x for a working instant a', () => {
    fc.assert(
      fc.property(instantArb, fc.integer({ min: 0, max: 120 * 7.5 * H }), (t, x) => {
        const a = nextOpening(cal, t);
        expect(isWorkingInstant(cal, a)).toBe(true);
        expect(workingMsBetween(cal, a, addWorkingMs(cal, a, x))).toBe(x);
      }),
      { numRuns: 500 },
    );
  });

  it('addWorkingMs composes: (a + x) + y == a + (x + y)', () => {
    fc.assert(
      fc.property(instantArb, fc.integer({ min: 1, max: 30 * 7.5 * H }), fc.integer({ min: 1, max: 30 * 7.5 * H }), (a, x, y) => {
        expect(addWorkingMs(cal, addWorkingMs(cal, a, x), y).getTime()).toBe(addWorkingMs(cal, a, x + y).getTime());
      }),
      { numRuns: 300 },
    );
  });

  it('workingMsBetween is additive and bounded by elapsed time', () => {
    fc.assert(
      fc.property(instantArb, instantArb, instantArb, (p, q, r) => {
        const [a, b, c] = [p, q, r].sort((x, y) => x.getTime() - y.getTime());
        const ab = workingMsBetween(cal, a, b);
        const bc = workingMsBetween(cal, b, c);
        expect(workingMsBetween(cal, a, c)).toBe(ab + bc);
        expect(ab).toBeLessThanOrEqual(b.getTime() - a.getTime());
        expect(ab).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 300 },
    );
  });

  it('nextOpening is idempotent and never earlier', () => {
    fc.assert(
      fc.property(instantArb, (t) => {
        const o = nextOpening(cal, t);
        expect(o.getTime()).toBeGreaterThanOrEqual(t.getTime());
        expect(nextOpening(cal, o).getTime()).toBe(o.getTime());
        expect(workingMsBetween(cal, t, o)).toBe(0);
      }),
      { numRuns: 300 },
    );
  });
});
