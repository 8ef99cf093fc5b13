/**
 * The SQL measure of office time (a calendar day table joined with the office periods) against
 * the domain's working calendar, on random intervals across Tết 2026, New Year, the 30/4–1/5
 * holidays of 2025 and the Saturday 26/4/2025 that was worked.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.js';
import { seedBaseline } from '../../src/db/seed.js';
import { createClockService } from '../../src/features/clock/service.js';
import { officeMsOfIntervals, sqlCalendar } from '../../src/features/reports/metrics-sql.js';
import { workingMsBetween } from '../../src/domain/calendar.js';
import { FixedClock } from '../../src/lib/clock.js';
import { createTestDatabase, dbLabel } from '../helpers/db.js';
import { vn } from './helpers.js';

let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
  await seedBaseline(database.db);
});
afterAll(async () => database?.close());

async function check(from: string, to: string, officeHours = '07:30-11:30,13:30-17:00') {
  const cs = createClockService({ db: database.db, clock: new FixedClock('2026-04-01T00:00:00Z'), officeHours });
  const cal = await cs.loadCalendar();
  const lo = vn(from).getTime();
  const hi = vn(to).getTime();
  const sqlCal = await sqlCalendar(database.db, cal, cs.officeHours, new Date(hi), new Date(lo));
  const minute = 60_000;
  const arb = fc.tuple(fc.integer({ min: 0, max: (hi - lo) / minute }), fc.integer({ min: 0, max: (hi - lo) / minute })).map(([x, y]) => {
    const a = new Date(lo + Math.min(x, y) * minute);
    const b = new Date(lo + Math.max(x, y) * minute);
    return [a, b] as [Date, Date];
  });
  const intervals = fc.sample(arb, { numRuns: 400, seed: 20260301 });
  // some fixed edges: an empty interval, one office period, a whole office day
  intervals.push([vn('2026-03-02 07:30'), vn('2026-03-02 07:30')], [vn('2026-03-02 07:30'), vn('2026-03-02 11:30')], [vn('2026-03-02 00:00'), vn('2026-03-03 00:00')]);
  const got = await officeMsOfIntervals(database.db, sqlCal, intervals.filter(([a, b]) => a >= new Date(lo) && b <= new Date(hi)));
  const want = intervals.filter(([a, b]) => a >= new Date(lo) && b <= new Date(hi)).map(([a, b]) => workingMsBetween(cal, a, b));
  expect(got).toEqual(want);
}

describe(`office time measured in SQL on ${dbLabel}`, () => {
  it('equals the domain calendar across Tết 2026 and New Year', async () => {
    await check('2025-12-20 00:00', '2026-03-10 00:00');
  });
  it('equals the domain calendar across 30/4–1/5/2025 with the worked Saturday 26/4', async () => {
    await check('2025-04-18 00:00', '2025-05-12 00:00');
  });
  it('follows configured office hours', async () => {
    await check('2026-02-25 00:00', '2026-03-10 00:00', '08:00-12:00,13:00-17:30');
  });
});
