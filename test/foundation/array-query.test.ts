/**
 * db/array-query.ts: the hot reads' rows straight from the driver's arrays. Its timestamptz
 * reader must give what pg's own parser gives for every shape PostgreSQL writes, and PostgreSQL
 * itself must agree (the round trip through the server, on both databases).
 */
import fc from 'fast-check';
import pg from 'pg';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arrayQuery, parseTimestamptz } from '../../src/db/array-query.js';
import { agencies, cases } from '../../src/db/schema.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { dbLabel } from '../helpers/db.js';

const pgParse = pg.types.getTypeParser(1184, 'text') as (s: string) => Date | number;
const pad = (n: number, w = 2) => String(Math.abs(n)).padStart(w, '0');

/** An instant as PostgreSQL's DateStyle ISO writes a timestamptz at a given UTC offset (seconds). */
function pgText(ms: number, micros: number, offsetS: number): string {
  const local = new Date(ms + offsetS * 1000);
  const frac = micros === 0 ? '' : `.${pad(micros, 6)}`.replace(/0+$/, '');
  const sign = offsetS < 0 ? '-' : '+';
  const o = Math.abs(offsetS);
  const off = `${sign}${pad(Math.floor(o / 3600))}${o % 3600 === 0 ? '' : `:${pad(Math.floor((o % 3600) / 60))}${o % 60 === 0 ? '' : `:${pad(o % 60)}`}`}`;
  return `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())} ${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}${frac}${off}`;
}

describe('parseTimestamptz', () => {
  it('gives what pg’s own parser gives, for instants from 1900 to 9999 at any offset and any number of fraction digits', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(1900, 0, 2), max: Date.UTC(9999, 11, 30) }),
        fc.integer({ min: 0, max: 999_999 }),
        fc.oneof(fc.constantFrom(0, 7 * 3600, -5 * 3600, 5 * 3600 + 1800, 7 * 3600 + 6 * 60 + 40), fc.integer({ min: -15 * 3600, max: 15 * 3600 })),
        (s, micros, offset) => {
          const text = pgText(Math.floor(s / 1000) * 1000, micros, offset);
          expect(parseTimestamptz(text).getTime()).toBe((pgParse(text) as Date).getTime());
        },
      ),
      { numRuns: 5_000 },
    );
  });

  it.each(['infinity', '-infinity', '0044-03-15 12:00:00+00 BC', '0099-12-31 23:59:59+00', '12345-01-01 00:00:00+00', '2026-1x-20 10:00:00+00', '2026-11-20 10:00:00+0x', '2026-11-20 10:00:00'])(
    '%s: read by pg’s own parser, always a Date (an Invalid Date where pg gives no Date, as drizzle’s new Date(text) does)',
    (text) => {
      const theirs = pgParse(text);
      const got = parseTimestamptz(text);
      expect(got).toBeInstanceOf(Date);
      expect(got.getTime()).toEqual(theirs instanceof Date ? theirs.getTime() : Number.NaN);
    },
  );
});

describe(`arrayQuery on ${dbLabel}`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t?.close());

  it('reads timestamps, nulls, jsonb, booleans and numbers as drizzle does, through the server', async () => {
    const built = t.database.db
      .select({
        at: sql<Date>`${sql.placeholder('at')}::timestamptz`.mapWith(cases.receivedAt),
        none: sql<Date | null>`null::timestamptz`.mapWith(cases.receivedAt),
        micros: sql<Date>`'2026-11-20 10:00:00.123987+07'::timestamptz`.mapWith(cases.receivedAt),
        doc: sql<Record<string, unknown>>`'{"a": [1, "b"], "c": null}'::jsonb`,
        yes: sql<boolean>`true`,
        n: sql<number>`${sql.placeholder('n')}::int + 1`,
        text: sql<string>`'Sở Xây dựng'`,
      })
      .from(sql`(select 1) as one`);
    const q = arrayQuery<{ at: string; n: number }, Record<string, unknown>>(built, 'pakn_test_array');
    const [row] = await q.run(t.database.db, { at: '2026-02-28T17:00:00.5Z', n: 41 });
    expect(row).toEqual({
      at: new Date('2026-02-28T17:00:00.500Z'),
      none: null,
      micros: new Date('2026-11-20T03:00:00.123Z'),
      doc: { a: [1, 'b'], c: null },
      yes: true,
      n: 42,
      text: 'Sở Xây dựng',
    });
    // the same statement through drizzle
    const [orm] = await built.execute({ at: '2026-02-28T17:00:00.5Z', n: 41 });
    expect(row).toEqual(orm);
  });

  it('refuses, when built, a selection it cannot map flat and a column type whose value it would not map as drizzle does', () => {
    const nested = t.database.db.select({ c: { id: cases.id } }).from(cases);
    expect(() => arrayQuery(nested, 'pakn_test_nested')).toThrow(/pakn_test_nested: field c is not a column or SQL/);
    const dateString = t.database.db.select({ from: agencies.activeFrom }).from(agencies);
    expect(() => arrayQuery(dateString, 'pakn_test_date')).toThrow(/pakn_test_date: field from: column type PgDateString/);
    const mapped = t.database.db.select({ n: sql<number>`count(*)`.mapWith(Number) }).from(cases);
    expect(() => arrayQuery(mapped, 'pakn_test_mapped')).toThrow(/pakn_test_mapped: field n: SQL mapped with a function/);
  });

  it('refuses to run without a value for every placeholder (as drizzle does), instead of sending null', async () => {
    const built = t.database.db.select({ n: sql<number>`${sql.placeholder('n')}::int` }).from(sql`(select 1) as one`);
    const q = arrayQuery<{ n?: number }, { n: number }>(built, 'pakn_test_missing');
    await expect(q.run(t.database.db, {})).rejects.toThrow(/pakn_test_missing: no value for placeholder n/);
    expect(await q.run(t.database.db, { n: 4 })).toEqual([{ n: 4 }]);
  });

  it('gives bigint columns in number mode as numbers, as drizzle does', async () => {
    const built = t.database.db.select({ id: sql<number>`${sql.placeholder('id')}::bigint`.mapWith(cases.id), none: sql<number | null>`null::bigint`.mapWith(cases.id) }).from(sql`(select 1) as one`);
    const [row] = await arrayQuery<{ id: number }, { id: number; none: number | null }>(built, 'pakn_test_bigint').run(t.database.db, { id: 9_007_199_254_740_991 });
    expect(row).toEqual({ id: 9_007_199_254_740_991, none: null });
    expect(row).toEqual((await built.execute({ id: 9_007_199_254_740_991 }))[0]);
  });
});
