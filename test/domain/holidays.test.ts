import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { generateYearTable, legalHolidays, lunarDates } from '../../src/domain/holidays.js';
import { OFFICIAL_2025, OFFICIAL_2026, OFFICIAL_YEAR_TABLES } from '../../src/domain/calendar-data.js';
import { createWorkingCalendar, dayInfo, MAX_YEAR, MIN_YEAR } from '../../src/domain/calendar.js';
import Holidays from 'date-holidays';
import { computeLunarDates } from '../../scripts/lunar-dates.js';

function weekday(date: string): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay();
}

function dates(year: number): string[] {
  return generateYearTable(year).holidays.map((h) => h.date);
}

describe('lunar dates (Vietnamese calendar, UTC+7)', () => {
  it.each([
    [2024, '2024-02-10', '2024-04-18'],
    [2025, '2025-01-29', '2025-04-07'],
    [2026, '2026-02-17', '2026-04-26'],
    [2027, '2027-02-06', '2027-04-16'],
    // Tết 2030 is one day earlier in Viet Nam than in China (new moon just before midnight UTC+8)
    [2030, '2030-02-02', '2030-04-12'],
  ])('%i: Tết %s, Giỗ Tổ Hùng Vương %s', (year, tet, hung) => {
    expect(lunarDates(year)).toEqual({ tet, hungKings: hung });
  });

  it('the generated table agrees with date-holidays (country VN) for every year the calendar supports', () => {
    const vn = new Holidays('VN');
    const differ: string[] = [];
    for (let y = MIN_YEAR; y <= MAX_YEAR; y++) {
      const expected = computeLunarDates(vn, y);
      const got = lunarDates(y);
      if (got.tet !== expected.tet || got.hungKings !== expected.hungKings) differ.push(`${y}: ${JSON.stringify(got)} ≠ ${JSON.stringify(expected)}`);
    }
    expect(differ).toEqual([]);
  }, 60_000);

  it.each([MIN_YEAR - 1, MAX_YEAR + 1, 2026.5, Number.NaN])('%s is outside the table: a RangeError, not a made-up date', (year) => {
    expect(() => lunarDates(year)).toThrow(RangeError);
  });
});

describe('generateYearTable', () => {
  it('2025: legal days plus compensatory 3/2 for mùng 4 on Saturday', () => {
    const t = generateYearTable(2025);
    expect(t.generated).toBe(true);
    expect(t.year).toBe(2025);
    expect(t.workingSaturdays).toEqual([]);
    expect(t.holidays.map((h) => h.date)).toEqual([
      '2025-01-01',
      '2025-01-28',
      '2025-01-29',
      '2025-01-30',
      '2025-01-31',
      '2025-02-01',
      '2025-02-03',
      '2025-04-07',
      '2025-04-30',
      '2025-05-01',
      '2025-09-01',
      '2025-09-02',
    ]);
    expect(t.holidays.find((h) => h.date === '2025-02-03')?.name).toMatch(/^Nghỉ bù/);
  });

  it('2026: Hùng Kings on Sunday 26/4 gives 27/4 off', () => {
    expect(dates(2026)).toEqual([
      '2026-01-01',
      '2026-02-16',
      '2026-02-17',
      '2026-02-18',
      '2026-02-19',
      '2026-02-20',
      '2026-04-26',
      '2026-04-27',
      '2026-04-30',
      '2026-05-01',
      '2026-09-01',
      '2026-09-02',
    ]);
  });

  it('2024: Tết over a weekend gives two compensatory days; 2/9 on Monday pairs with 3/9', () => {
    expect(dates(2024)).toEqual([
      '2024-01-01',
      '2024-02-09',
      '2024-02-10',
      '2024-02-11',
      '2024-02-12',
      '2024-02-13',
      '2024-02-14',
      '2024-02-15',
      '2024-04-18',
      '2024-04-30',
      '2024-05-01',
      '2024-09-02',
      '2024-09-03',
    ]);
  });

  it('2028: 1/1 on Saturday, 30/4 on Sunday, 2/9 on Saturday', () => {
    const d = dates(2028);
    expect(d).toContain('2028-01-03');
    expect(d).toEqual(expect.arrayContaining(['2028-04-30', '2028-05-01', '2028-05-02']));
    expect(d).toEqual(expect.arrayContaining(['2028-09-01', '2028-09-02', '2028-09-04']));
  });

  it('2029: 1/9 Saturday and 2/9 Sunday give 3/9 and 4/9', () => {
    expect(dates(2029)).toEqual(expect.arrayContaining(['2029-09-01', '2029-09-02', '2029-09-03', '2029-09-04']));
  });

  it('returns independent copies', () => {
    const a = generateYearTable(2025);
    a.holidays.push({ date: '2025-12-25', name: 'x' });
    expect(generateYearTable(2025).holidays.some((h) => h.date === '2025-12-25')).toBe(false);
  });

  it('every generated year follows the Labour Code rules', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2000, max: 2099 }), (year) => {
        const legal = legalHolidays(year).map((h) => h.date);
        const table = generateYearTable(year);
        const all = table.holidays.map((h) => h.date);
        expect(legal).toHaveLength(11);
        expect(new Set(all).size).toBe(all.length);
        expect([...all].sort()).toEqual(all);
        expect(all.every((d) => d.startsWith(`${year}-`))).toBe(true);
        for (const d of legal) expect(all).toContain(d);
        const weekendLegal = legal.filter((d) => weekday(d) === 0 || weekday(d) === 6).length;
        const extra = all.filter((d) => !legal.includes(d));
        expect(extra).toHaveLength(weekendLegal);
        for (const d of extra) expect([0, 6]).not.toContain(weekday(d));
        // Tết: 5 consecutive days ending on lunar 4/1
        const { tet } = lunarDates(year);
        const tetMs = Date.parse(`${tet}T00:00:00Z`);
        for (let i = -1; i <= 3; i++) expect(legal).toContain(new Date(tetMs + i * 86_400_000).toISOString().slice(0, 10));
        expect(legal).toContain(`${year}-09-02`);
        expect(legal).toContain(weekday(`${year}-09-02`) === 1 ? `${year}-09-03` : `${year}-09-01`);
      }),
      { numRuns: 25 },
    );
  });
});

describe('official tables 2025 and 2026', () => {
  it('are marked official and stay inside their year', () => {
    for (const t of OFFICIAL_YEAR_TABLES) {
      expect(t.generated).toBe(false);
      for (const e of [...t.holidays, ...t.workingSaturdays]) expect(e.date.startsWith(`${t.year}-`)).toBe(true);
      expect(new Set(t.holidays.map((h) => h.date)).size).toBe(t.holidays.length);
    }
  });

  it('contain every legal holiday of the Labour Code', () => {
    for (const t of [OFFICIAL_2025, OFFICIAL_2026]) {
      const off = new Set(t.holidays.map((h) => h.date));
      for (const h of legalHolidays(t.year)) expect(off.has(h.date)).toBe(true);
    }
  });

  it('2025 days off and the worked Saturday', () => {
    const d = OFFICIAL_2025.holidays.map((h) => h.date);
    expect(d).toHaveLength(1 + 9 + 1 + 5 + 4);
    expect(d).toEqual(expect.arrayContaining(['2025-01-25', '2025-02-02', '2025-04-07', '2025-05-02', '2025-05-04', '2025-08-30']));
    expect(OFFICIAL_2025.workingSaturdays.map((w) => w.date)).toEqual(['2025-04-26']);
  });

  it('2026 days off', () => {
    const d = OFFICIAL_2026.holidays.map((h) => h.date);
    expect(d).toHaveLength(1 + 9 + 2 + 2 + 5);
    expect(d).toEqual(expect.arrayContaining(['2026-02-14', '2026-02-22', '2026-04-27', '2026-05-01', '2026-08-29', '2026-09-02']));
    expect(OFFICIAL_2026.workingSaturdays).toEqual([]);
  });

  it('load into a calendar', () => {
    const cal = createWorkingCalendar({ years: OFFICIAL_YEAR_TABLES, fallback: generateYearTable });
    expect(dayInfo(cal, '2025-02-03')).toMatchObject({ working: true, generated: false });
    expect(dayInfo(cal, '2025-04-26')).toMatchObject({ working: true, reason: 'working_saturday' });
  });
});
