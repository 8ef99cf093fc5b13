import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toLocalIso, toLocalIsoReference } from '../../src/domain/calendar.js';

/** The local time in Asia/Ho_Chi_Minh as Intl computes it from the tz database, as ISO 8601 with +07:00. */
const intl = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Ho_Chi_Minh',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  fractionalSecondDigits: 3,
  hourCycle: 'h23',
});
function viaIntl(d: Date): string {
  const p = Object.fromEntries(intl.formatToParts(d).map((x) => [x.type, x.value]));
  const frac = p.fractionalSecond === '000' ? '' : `.${p.fractionalSecond}`;
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}${frac}+07:00`;
}

describe('toLocalIso (+07:00 without Intl)', () => {
  it('agrees with Intl (Asia/Ho_Chi_Minh) on any instant from 1976 to 2200', () => {
    const from = Date.UTC(1976, 0, 1);
    const to = Date.UTC(2200, 0, 1);
    fc.assert(
      fc.property(fc.integer({ min: from, max: to }), (ms) => {
        const d = new Date(ms);
        expect(toLocalIso(d)).toBe(viaIntl(d));
      }),
      { numRuns: 20_000 },
    );
  });

  it('agrees with Intl on whole seconds, day boundaries and the milliseconds near them', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2_000, max: 80_000 }), fc.constantFrom(0, 1, 9, 10, 99, 100, 999, 17 * 3_600_000, 17 * 3_600_000 - 1), (day, off) => {
        const d = new Date(day * 86_400_000 + off);
        expect(toLocalIso(d)).toBe(viaIntl(d));
        expect(toLocalIso(d)).toBe(toLocalIsoReference(d));
      }),
      { numRuns: 5_000 },
    );
  });

  it('writes known instants as before', () => {
    expect(toLocalIso(new Date('2026-02-12T09:30:00Z'))).toBe('2026-02-12T16:30:00+07:00');
    expect(toLocalIso(new Date('2026-12-31T17:00:00.005Z'))).toBe('2027-01-01T00:00:00.005+07:00');
    expect(toLocalIso(new Date('2026-12-31T16:59:59.999Z'))).toBe('2026-12-31T23:59:59.999+07:00');
    expect(() => toLocalIso(new Date(NaN))).toThrow(RangeError);
  });
});
