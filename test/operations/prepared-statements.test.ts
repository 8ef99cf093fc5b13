/**
 * The hottest reads (the token lookup of every staff request, the work queue's common shapes) are
 * prepared statements. On PostgreSQL they are named after their SQL, so each connection parses
 * and plans them once; PAKN_DB_NAMED_STATEMENTS=off makes them unnamed (a transaction-pooling
 * PgBouncer cannot keep named statements). Either way the answers are the same.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { PgDialect } from 'drizzle-orm/pg-core';
import { namedStatement, namedStatementsOn, openPostgres, runNamed, type Database } from '../../src/db/client.js';
import { insertInto, insertSql, RawSql, Statement } from '../../src/db/fast.js';
import { caseEvents, cases } from '../../src/db/schema.js';
import { createAuthService } from '../../src/features/auth/service.js';
import { listQueue, queueQuery } from '../../src/features/cases/repository.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { dbLabel, onPostgres } from '../helpers/db.js';
import { enterCase, local, reference } from '../workflow/helpers.js';

let t: TestApp;
const handles: Database[] = [];

beforeAll(async () => {
  t = await createTestApp();
  const ref = await reference(t);
  for (let i = 0; i < 3; i++) await enterCase(t, { categoryId: ref.categories.xay_dung, title: `Chậm cấp phép xây dựng ${i + 1}`, receivedAt: local(`2026-02-2${i + 1} 08:00`) });
});
afterAll(async () => {
  for (const h of handles) await h.close();
  await t?.close();
});

/** What a handle answers: the actor of a token and an agency's first queue page and the one after it. */
async function answers(d: Database) {
  const auth = createAuthService({ db: d.db, clock: t.clock });
  const actor = await auth.authenticate(t.tokens.agency_staff);
  const first = await listQueue(d.db, { onlyAgencyId: actor!.agencyId!, now: t.clock.now(), limit: 2 });
  const last = first[first.length - 1];
  const next = await listQueue(d.db, { onlyAgencyId: actor!.agencyId!, now: t.clock.now(), limit: 2, after: { dueAt: last.resolveDueAt, id: last.id } });
  const all = await listQueue(d.db, { now: t.clock.now(), limit: 5 });
  return { actor, first, next, all };
}

/** The named statements of the (only) connection of a one-connection handle. */
async function namedStatements(d: Database): Promise<string[]> {
  const r = (await d.db.execute(sql`select name from pg_prepared_statements where name like 'pakn_%' order by name`)) as unknown as { rows: Array<{ name: string }> };
  return r.rows.map((x) => x.name);
}

describe(`prepared statements on ${dbLabel}`, () => {
  it('are named by their SQL: the same SQL the same name, other SQL another name', () => {
    const a = namedStatement('pakn_queue_agency_first', 'select 1');
    expect(a).toMatch(/^pakn_queue_agency_first_[0-9a-f]{12}$/);
    expect(namedStatement('pakn_queue_agency_first', 'select 1')).toBe(a);
    expect(namedStatement('pakn_queue_agency_first', 'select 2')).not.toBe(a);
    expect(namedStatementsOn(t.database.db)).toBe(true);
  });

  it('PAKN_DB_NAMED_STATEMENTS is on by default, takes off, and refuses anything else naming the setting', () => {
    expect(loadConfig({}).PAKN_DB_NAMED_STATEMENTS).toBe(true);
    expect(loadConfig({ PAKN_DB_NAMED_STATEMENTS: 'off' }).PAKN_DB_NAMED_STATEMENTS).toBe(false);
    expect(() => loadConfig({ PAKN_DB_NAMED_STATEMENTS: 'yes' })).toThrow(/PAKN_DB_NAMED_STATEMENTS/);
  });

  it('answer what drizzle itself reads for the same statements, to the field', async () => {
    const now = t.clock.now();
    for (const f of [{ now, limit: 50 }, { now, limit: 2 }, { onlyAgencyId: (await createAuthService({ db: t.database.db, clock: t.clock }).authenticate(t.tokens.agency_staff))!.agencyId!, now, limit: 50 }]) {
      const fast = await listQueue(t.database.db, f);
      const orm = await queueQuery(t.database.db, f);
      expect(fast.length).toBeGreaterThan(0);
      expect(fast).toEqual(orm);
      const last = fast[fast.length - 1];
      const after = { ...f, after: { dueAt: last.resolveDueAt, id: last.id } };
      expect(await listQueue(t.database.db, after)).toEqual(await queueQuery(t.database.db, after));
    }
  });

  it('answer the same named and unnamed; only the named ones stay on the connection', async () => {
    const own = await answers(t.database);
    expect(own.actor?.role).toBe('agency_staff');
    expect(own.first.length).toBeGreaterThan(0);
    if (!onPostgres) return; // PGlite: drizzle runs prepared queries without a server-side name
    const url = (t.database as Database & { url: string }).url;
    const named = await openPostgres(url, 1);
    const unnamed = await openPostgres(url, 1, { namedStatements: false });
    handles.push(named, unnamed);
    expect(namedStatementsOn(unnamed.db)).toBe(false);
    expect(await answers(named)).toEqual(own);
    expect(await answers(unnamed)).toEqual(own);
    const names = await namedStatements(named);
    expect(names.map((n) => n.replace(/_[0-9a-f]{12}$/, ''))).toEqual(['pakn_auth_token', 'pakn_queue_agency_after', 'pakn_queue_agency_first', 'pakn_queue_all_first']);
    expect(await namedStatements(unnamed)).toEqual([]);
  });

  it('intake’s one statement has one text per shape whatever is null, and runs named once per connection', async () => {
    const base = { trackingCode: 'PAKN.20260302.0001', accessKeyHash: 'x', kind: 'phan_anh', priority: 'normal', channel: 'web', title: 't', content: 'c', searchText: 't c', status: 'received', receivedAt: new Date(), slaPolicy: {} };
    const text = (row: Record<string, unknown>) => new PgDialect().sqlToQuery(insertSql(cases, [row as typeof cases.$inferInsert])).sql;
    const withNulls = text({ ...base, businessName: null, email: null, agencyId: null, acceptDueAt: null });
    const withValues = text({ ...base, businessName: 'Công ty', email: 'a@b.vn', agencyId: 5, acceptDueAt: new Date() });
    expect(withNulls).toBe(withValues);
    expect(withNulls).not.toMatch(/\bnull\b/);
    // the same text and values written directly (intake's path) as through drizzle's SQL
    for (const row of [{ ...base, businessName: null, email: null }, { ...base, businessName: 'Công ty', email: 'a@b.vn', agencyId: 5, acceptDueAt: new Date('2026-03-03T10:00:00Z') }]) {
      const st = new Statement();
      insertInto(st, cases, [row, { ...row, trackingCode: 'PAKN.20260302.0002' }], 'id, version');
      const viaDrizzle = new PgDialect().sqlToQuery(insertSql(cases, [row, { ...row, trackingCode: 'PAKN.20260302.0002' }] as Array<typeof cases.$inferInsert>, sql`id, version`));
      expect({ text: st.text, values: st.values }).toEqual({ text: viaDrizzle.sql, values: viaDrizzle.params });
    }
    const st = new Statement();
    insertInto(st, caseEvents, [{ caseId: new RawSql('(select id from new_case)'), at: new Date(), actorRole: 'public', action: 'receive', toStatus: 'received' }]);
    expect(st.text).toContain('((select id from new_case), $1');
    if (!onPostgres) return;
    const url = (t.database as Database & { url: string }).url;
    const one = await openPostgres(url, 1);
    const off = await openPostgres(url, 1, { namedStatements: false });
    handles.push(one, off);
    for (const d of [one, off]) {
      for (const n of [1, 2]) expect(await runNamed(d.db, 'pakn_test_named', sql`select ${n}::int as n`)).toEqual([{ n }]);
    }
    // inside a transaction too (intake with an idempotency key, staff entry, Open311 run in one)
    for (const d of [one, off]) {
      await d.db.transaction(async (tx) => {
        expect(namedStatementsOn(tx)).toBe(d === one);
        expect(await runNamed(tx, 'pakn_test_in_tx', sql`select ${3}::int as n`)).toEqual([{ n: 3 }]);
      });
    }
    expect((await namedStatements(one)).filter((n) => n.startsWith('pakn_test_named_'))).toHaveLength(1);
    expect((await namedStatements(one)).filter((n) => n.startsWith('pakn_test_in_tx_'))).toHaveLength(1);
    expect(await namedStatements(off)).toEqual([]);
  });
});
