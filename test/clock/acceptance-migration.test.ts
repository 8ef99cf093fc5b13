/**
 * The data migration of the acceptance clock, run on an installation that has policies counting
 * khiếu nại and tố cáo from receipt and cases accepted before first_accepted_at existed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR } from '../../src/db/migrate.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { dbLabel } from '../helpers/db.js';
import { enterCase, local, ok, reference } from '../workflow/helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ now: '2026-03-02T02:00:00Z' });
});
afterAll(async () => t?.close());

const file = readdirSync(MIGRATIONS_DIR).find((f) => f.endsWith('_acceptance_started_policies.sql'))!;
const statements = readFileSync(join(MIGRATIONS_DIR, file), 'utf8')
  .split('--> statement-breakpoint')
  .map((s) => s.trim())
  .filter(Boolean);
const migrate = async () => {
  for (const s of statements) await t.database.db.execute(sql.raw(s));
};

type PolicyRow = { id: number; kind: string; priority: string; category_id: number | null; version: number; superseded: boolean; starts: string | null; resolve: unknown };
const policies = async () =>
  (
    await t.database.db.execute(
      sql`select id, kind, priority, category_id, version, superseded_at is not null as superseded, policy->>'resolutionStartsAt' as starts,
                 policy->'resolveWithin' as resolve
          from sla_policies order by kind, priority, category_id nulls first, version`,
    )
  ).rows as PolicyRow[];

describe(`migration acceptance_started_policies on ${dbLabel}`, () => {
  it('publishes a new version of each khiếu nại and tố cáo policy in force counted from receipt, fills first acceptances, and is idempotent', async () => {
    const ref = await reference(t);
    // an installation from before: policies without the field, a category-specific tố cáo policy at version 3
    await t.database.db.execute(sql`update sla_policies set policy = policy - 'resolutionStartsAt'`);
    await t.database.db.execute(sql`insert into sla_policies (kind, priority, category_id, version, policy, superseded_at)
      select kind, priority, ${ref.categories.xay_dung}, 2, policy || '{"version": 2}', now() from sla_policies where kind = 'to_cao' and priority = 'normal'`);
    await t.database.db.execute(sql`insert into sla_policies (kind, priority, category_id, version, policy)
      select kind, priority, ${ref.categories.xay_dung}, 3, policy || '{"version": 3}' from sla_policies where kind = 'to_cao' and priority = 'normal' and category_id is null`);
    // a case accepted before the column existed
    const c = await enterCase(t, { categoryId: ref.categories.xay_dung, receivedAt: local('2026-03-02 08:00') });
    t.clock.set('2026-03-02T03:00:00Z');
    await ok(t, 'agency_staff', c.id, 'accept', { version: c.version });
    await t.database.db.execute(sql`update cases set first_accepted_at = null where id = ${c.id}`);

    const before = await policies();
    await migrate();
    const after = await policies();

    // phản ánh and kiến nghị: untouched
    const other = (rows: PolicyRow[]) => rows.filter((p) => p.kind === 'phan_anh' || p.kind === 'kien_nghi');
    expect(other(after)).toEqual(other(before));
    // each khiếu nại and tố cáo key: the old version superseded, one new version in force counting from acceptance
    for (const kind of ['khieu_nai', 'to_cao']) {
      for (const priority of ['urgent', 'normal', 'complex']) {
        const general = after.filter((p) => p.kind === kind && p.priority === priority && p.category_id == null);
        expect(general.map((p) => [p.version, p.superseded, p.starts])).toEqual([
          [1, true, null],
          [2, false, 'acceptance'],
        ]);
        expect(general[1].resolve).toEqual(general[0].resolve);
      }
    }
    const specific = after.filter((p) => p.category_id === ref.categories.xay_dung);
    expect(specific.map((p) => [p.version, p.superseded, p.starts])).toEqual([
      [2, true, null],
      [3, true, null],
      [4, false, 'acceptance'],
    ]);
    const [row] = (await t.database.db.execute(sql`select first_accepted_at is not null as filled, first_accepted_at = accepted_at as same from cases where id = ${c.id}`))
      .rows as Array<{ filled: boolean; same: boolean }>;
    expect(row).toEqual({ filled: true, same: true });

    // once more: nothing changes
    await migrate();
    expect(await policies()).toEqual(after);
    // the cache of this instance still holds the old policies: read them again, a new khiếu nại gets version 2
    t.app.services.clockService.invalidate('policies');
    const k = await enterCase(t, { kind: 'khieu_nai', categoryId: ref.categories.xay_dung, receivedAt: local('2026-03-02 10:00') });
    const [frozen] = (await t.database.db.execute(sql`select sla_policy->>'version' as v, sla_policy->>'resolutionStartsAt' as s from cases where id = ${k.id}`)).rows as Array<{
      v: string;
      s: string;
    }>;
    expect(frozen).toEqual({ v: '2', s: 'acceptance' });
  });
});
