/**
 * The report's answered-case figures are aggregated from the answered cases it lists
 * (resolvedGroupsOf over resolvedCases) instead of a second SQL aggregate. They must be the
 * numbers of that aggregate, exactly: here both are computed on a generated month with varied
 * data (every outcome, extensions true/false/null, pauses, cases without agency or category,
 * groups of one, two, odd and even sizes, working days with ties, cases answered outside the
 * month or not answered at all) and on empty months, and compared number for number, medians
 * and 90th percentiles included, before and after the report's rounding.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.js';
import { seedDemo } from '../../src/db/seed.js';
import { createClockService } from '../../src/features/clock/service.js';
import { resolvedCases, resolvedGroups, sqlCalendar, type ResolvedGroupRow, type SqlCalendar } from '../../src/features/reports/metrics-sql.js';
import { parsePeriod } from '../../src/features/reports/period.js';
import { computeReport } from '../../src/features/reports/report.js';
import { alongside, rows } from '../../src/db/client.js';
import { percentileContOf, resolvedGroupsOf } from '../../src/features/reports/resolved-groups.js';
import { FixedClock } from '../../src/lib/clock.js';
import { createTestDatabase, dbLabel } from '../helpers/db.js';
import { vn } from './helpers.js';

const DIMS = ['agency', 'category', 'channel', 'kind', 'total'] as const;
const start = vn('2026-03-01 00:00');
const end = vn('2026-04-01 00:00');
let database: Database;
let cal: SqlCalendar;
let clockService: ReturnType<typeof createClockService>;

const byDimKey = (a: ResolvedGroupRow, b: ResolvedGroupRow) =>
  a.dim < b.dim ? -1 : a.dim > b.dim ? 1 : String(a.key) < String(b.key) ? -1 : String(a.key) > String(b.key) ? 1 : 0;
const num = (x: unknown) => (x == null ? null : Number(x));
const norm = (list: ResolvedGroupRow[]) =>
  list
    .map((r) => ({ ...r, median: num(r.median), p90: num(r.p90) }))
    .sort(byDimKey);
/** percentile_cont's formula over ascending values: the reference of the selection */
function overSorted(sorted: Float64Array, p: number): number | null {
  if (sorted.length === 0) return null;
  const pos = p * (sorted.length - 1);
  const lo = Math.floor(pos);
  return sorted[lo] + (pos - lo) * (sorted[Math.ceil(pos)] - sorted[lo]);
}
const round2 = (x: number | null) => (x == null ? null : Math.round(x * 100 + (x >= 0 ? 1e-9 : -1e-9)) / 100);

beforeAll(async () => {
  database = await createTestDatabase();
  await seedDemo(database.db);
  const db = database.db;
  // 400 cases received from mid-February to the end of March, answered at varied times
  await db.execute(sql`
    with a as (select array_agg(id order by id) ids from agencies where kind <> 'coordinator'),
         c as (select array_agg(id order by id) ids from categories)
    insert into cases (tracking_code, access_key_hash, kind, priority, category_id, channel, title, content, search_text,
      business_name, contact_name, phone, status, agency_id, received_at, sla_policy, resolve_due_at, resolved_at,
      outcome, resolved_with_extension, reason, public_answer, created_at, updated_at)
    select 'RG.' || g, md5(g::text),
      (array['phan_anh','kien_nghi','to_cao','khieu_nai'])[1 + (g * 7) % 4], 'normal',
      case when g % 11 = 0 then null else c.ids[1 + (g * 3) % 5] end,
      (array['web','hotline','zalo','email','api'])[1 + (g * 13) % 5],
      'T' || g, 'N' || g, 't' || g, 'Công ty ' || g, 'Người ' || g, '0912345678',
      case when g % 17 = 0 then 'in_progress' when g % 2 = 0 then 'resolved' else 'closed' end,
      case when g % 9 = 0 then null else a.ids[1 + (g * 5) % 6] end,
      r.received, '{}'::jsonb, r.received + interval '15 days',
      case when g % 17 = 0 then null else r.received + interval '1 hour' * ((g * 37) % 400) end,
      case when g % 17 = 0 then null when g % 23 = 0 then null else (array['early','on_time','late'])[1 + (g * 11) % 3] end,
      case when g % 5 = 0 then true when g % 5 = 1 then null else false end,
      'answered', 'Đã trả lời.', r.received, r.received
    from generate_series(1, 400) g cross join a cross join c
    cross join lateral (select ${vn('2026-02-15 07:00').toISOString()}::timestamptz + interval '137 minutes' * ((g * 7919) % 400) as received) r`);
  // pauses, some of them open or reaching past the answer (clipped to the case)
  await db.execute(sql`
    insert into case_pauses (case_id, started_at, ended_at, reason)
    select c.id, c.received_at + interval '3 hours', case when c.id % 3 = 0 then null else c.received_at + interval '50 hours' end, 'info'
    from cases c where c.tracking_code like 'RG.%' and c.id % 4 = 0`);
  const cs = createClockService({ db, clock: new FixedClock('2026-04-05T02:00:00Z'), officeHours: '07:30-11:30,13:30-17:00' });
  clockService = cs;
  cal = await sqlCalendar(db, await cs.loadCalendar(), cs.officeHours, end, start);
});
afterAll(async () => database?.close());

async function compare(from: Date, to: Date) {
  const db = database.db;
  const want = norm(await resolvedGroups(db, cal, from, to, [...DIMS]));
  const list = await resolvedCases(db, cal, from, to);
  const got = norm(resolvedGroupsOf(list, DIMS));
  expect(got).toEqual(want);
  // and after the report's rounding
  expect(got.map((r) => [r.dim, r.key, round2(r.median), round2(r.p90)])).toEqual(want.map((r) => [r.dim, r.key, round2(r.median), round2(r.p90)]));
  return { want, list };
}

describe(`answered-case figures from the listed cases on ${dbLabel}`, () => {
  it('equal the SQL aggregate on a varied month', async () => {
    const { want, list } = await compare(start, end);
    // the data does exercise what it is meant to
    const total = want.find((r) => r.dim === 'total')!;
    expect(total.resolved).toBe(list.length);
    expect(total.resolved).toBeGreaterThan(150);
    expect(want.some((r) => r.dim === 'agency' && r.key == null)).toBe(true);
    expect(want.some((r) => r.dim === 'category' && r.key == null)).toBe(true);
    expect(want.some((r) => r.resolved % 2 === 0) && want.some((r) => r.resolved % 2 === 1)).toBe(true);
    expect(total.with_extension).toBeGreaterThan(0);
    expect(total.strict_on_time).toBeLessThan(total.early + total.on_time);
    expect(list.some((c) => c.resolved_with_extension == null)).toBe(true);
    expect(new Set(list.map((c) => c.wdays)).size).toBeLessThan(list.length); // ties
    expect(list.some((c) => !Number.isInteger(c.wdays * 100))).toBe(true); // not only round values
  });

  it('equal the SQL aggregate on small groups (one, two, three cases) and single days', async () => {
    for (const [from, to] of [
      ['2026-03-02 00:00', '2026-03-03 00:00'],
      ['2026-03-02 09:00', '2026-03-02 15:00'],
      ['2026-03-05 00:00', '2026-03-07 00:00'],
      ['2026-03-20 00:00', '2026-03-31 00:00'],
    ]) {
      await compare(vn(from), vn(to));
    }
  });

  it('equal the SQL aggregate on a month without answered cases (the total row, null percentiles)', async () => {
    const { want } = await compare(vn('2025-06-01 00:00'), vn('2025-07-01 00:00'));
    expect(want).toEqual([{ dim: 'total', key: '', resolved: 0, early: 0, on_time: 0, late: 0, with_extension: 0, strict_on_time: 0, median: null, p90: null }]);
  });

  it('percentile_cont: interpolates between the two nearest ranks like PostgreSQL', async () => {
    const values = [[4], [4, 1], [3, 1, 2], [0.1, 0.7, 0.2, 0.4], [5, 5, 5, 1, 9, 2.25, 7.125]];
    for (const v of values) {
      const { rows } = (await database.db.execute(
        sql`select percentile_cont(0.5) within group (order by x) as m, percentile_cont(0.9) within group (order by x) as p
            from unnest(${`{${v.join(',')}}`}::float8[]) as t(x)`,
      )) as unknown as { rows: Array<{ m: number; p: number }> };
      expect([percentileContOf(Float64Array.from(v), 0.5), percentileContOf(Float64Array.from(v), 0.9)]).toEqual([Number(rows[0].m), Number(rows[0].p)]);
    }
    expect(percentileContOf(new Float64Array([]), 0.5)).toBeNull();
    expect(percentileContOf(Float64Array.from([4, 1, 3, 2]), 0.5)).toBe(2.5);
  });

  it('percentile_cont by selection: the same number as over the sorted values, for any order and ties', () => {
    let seed = 42;
    const rnd = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    expect(percentileContOf(new Float64Array([]), 0.5)).toBeNull();
    for (let trial = 0; trial < 400; trial++) {
      const n = 1 + Math.floor(rnd() * (trial < 200 ? 12 : 3000));
      // few distinct values (many ties), or many; some sorted, some reversed
      const distinct = rnd() < 0.5 ? 1 + Math.floor(rnd() * 4) : 1000;
      let v = Array.from({ length: n }, () => Math.floor(rnd() * distinct) / 8);
      if (trial % 7 === 0) v = v.sort((a, b) => a - b);
      if (trial % 11 === 0) v = v.sort((a, b) => b - a);
      const sorted = Float64Array.from(v).sort();
      const work = Float64Array.from(v);
      for (const p of [0.5, 0.9, 0, 1, 0.25]) expect(percentileContOf(work, p)).toBe(overSorted(sorted, p));
    }
  });

  it('are listed by the instant of the answer, then by tracking code in code-point order, whatever order the rows arrive in', async () => {
    const db = database.db;
    // answered at one instant (to the microsecond), codes whose order differs between collations,
    // and a case a microsecond earlier; inserted in an order unlike the published one
    const codes = ['ORD.z', 'ORD.a.1', 'ORD.Z', 'ORD.ä', 'ORD.a-2', 'ORD.a1'];
    await db.execute(sql`
      insert into cases (tracking_code, access_key_hash, kind, priority, channel, title, content, search_text, status,
        received_at, sla_policy, resolve_due_at, resolved_at, outcome, reason, created_at, updated_at)
      select code, md5(code), 'phan_anh', 'normal', 'web', 'T', 'N', 't', 'closed',
        '2026-05-04 08:00:00+07', '{}'::jsonb, '2026-05-30 08:00:00+07',
        case when code = 'ORD.ä' then '2026-05-11 10:00:00.123455+07'::timestamptz else '2026-05-11 10:00:00.123456+07'::timestamptz end,
        'on_time', 'answered', '2026-05-04 08:00:00+07', '2026-05-04 08:00:00+07'
      from unnest(${`{${codes.map((c) => `"${c}"`).join(',')}}`}::text[]) as code`);
    const list = await resolvedCases(db, cal, vn('2026-05-01 00:00'), vn('2026-06-01 00:00'));
    expect(list.map((c) => c.tracking_code)).toEqual(['ORD.ä', 'ORD.Z', 'ORD.a-2', 'ORD.a.1', 'ORD.a1', 'ORD.z']);
    // the same as the database orders them in code-point order
    const want = await rows<{ code: string }>(
      db,
      sql`select tracking_code as code from cases where tracking_code like 'ORD.%' order by resolved_at, tracking_code collate "C"`,
    );
    expect(list.map((c) => c.tracking_code)).toEqual(want.map((r) => r.code));
  });

  it('make the same report whether the other figures are read on a second connection or after the list', async () => {
    const db = database.db;
    const period = parsePeriod('2026-03')!;
    const now = new Date('2026-04-05T02:00:00Z');
    const calendar = await clockService.loadCalendar();
    const run = (parallel: boolean) =>
      db.transaction(
        (tx) =>
          computeReport(
            tx,
            { alongside: parallel ? (fn) => alongside(db, tx, fn) : async (fn) => () => fn(tx), calendar, officeHours: clockService.officeHours, minCell: 5 },
            period,
            now,
            1,
          ),
        { isolationLevel: 'repeatable read' },
      );
    const [a, b] = [await run(true), await run(false)];
    expect(a.cases.length).toBeGreaterThan(150);
    expect(a.totals.received.total).toBeGreaterThan(0);
    expect(a).toEqual(b);
  });
});
