import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { dbLabel } from '../helpers/db.js';
import { at, enterCase, local, ok, publicAction, reference, view, type Ref } from './helpers.js';

let t: TestApp;
let ref: Ref;
beforeAll(async () => {
  t = await createTestApp({ now: '2026-03-02T02:00:00Z' }); // Monday 2/3/2026 09:00
  ref = await reference(t);
});
afterAll(async () => t?.close());

/** A case with Sở Xây dựng received Mon 2/3/2026 08:00 (10 working days → 17:00 Mon 16/3), accepted. */
async function inProgress() {
  t.clock.set(at('2026-03-02 09:00'));
  const c = await enterCase(t, { categoryId: ref.categories.xay_dung, receivedAt: local('2026-03-02 08:00') });
  const v = await ok(t, 'agency_staff', c.id, 'accept', { version: c.version });
  return { ...c, version: v.version as number };
}

/** Information requested at `from`, answered by the business at `to`; answers the deadline then in force. */
async function pauseCase(c: Awaited<ReturnType<typeof inProgress>>, from: Date, to: Date): Promise<string> {
  t.clock.set(from);
  const v = await view(t, 'agency_staff', c.id);
  await ok(t, 'agency_staff', c.id, 'request-info', { version: v.version, publicText: 'Đề nghị bổ sung bản vẽ thiết kế.' });
  t.clock.set(to);
  const r = await publicAction(t, c, 'reply', { text: 'Doanh nghiệp đã gửi bản vẽ qua thư điện tử.' });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return (await view(t, 'agency_staff', c.id)).resolveDueAt as string;
}

describe(`pauses counted in the deadline's unit on ${dbLabel}`, () => {
  it.each<[string, string, string, string]>([
    ['answered 2 seconds later: unchanged', '2026-03-02 10:00:00', '2026-03-02 10:00:02', '2026-03-16T17:00:00+07:00'],
    ['answered the same afternoon: unchanged', '2026-03-02 10:00:00', '2026-03-02 16:59:00', '2026-03-16T17:00:00+07:00'],
    ['Mon 10:00 → Wed 09:00: + 2 working days', '2026-03-02 10:00:00', '2026-03-04 09:00:00', '2026-03-18T17:00:00+07:00'],
    ['Fri 16:00 → Mon 08:00: + 1 working day (Friday)', '2026-03-06 16:00:00', '2026-03-09 08:00:00', '2026-03-17T17:00:00+07:00'],
  ])('%s', async (_name, from, to, expected) => {
    const c = await inProgress();
    const sec = (s: string) => new Date(`${s.replace(' ', 'T')}+07:00`);
    expect(await pauseCase(c, sec(from), sec(to))).toBe(expected);
  });

  it('an answer on the original deadline day after a short pause is on time, not early', async () => {
    const c = await inProgress();
    await pauseCase(c, at('2026-03-10 09:00'), new Date(at('2026-03-10 09:00').getTime() + 2000));
    t.clock.set(at('2026-03-16 15:00'));
    const v = await view(t, 'agency_staff', c.id);
    const done = await ok(t, 'agency_staff', c.id, 'resolve', { version: v.version, reason: 'answered', publicText: 'Đã cấp giấy phép xây dựng.' });
    expect(done.outcome).toBe('on_time');
  });

  it('a case frozen with a policy from before the rule keeps its office-time pauses', async () => {
    const c = await inProgress();
    await t.database.db.execute(sql`update cases set sla_policy = sla_policy - 'pauseRule' where id = ${c.id}`);
    const due = await pauseCase(c, at('2026-03-02 10:00'), new Date(at('2026-03-02 10:00').getTime() + 2000));
    expect(due.startsWith('2026-03-17T07:30')).toBe(true);
  });

  it('the migration gives every policy in force a new version with the rule; cases already open keep theirs', async () => {
    // as an installation from before the rule: policies in force without pauseRule, a case frozen on one
    await t.database.db.execute(sql`update sla_policies set policy = policy - 'pauseRule' where superseded_at is null`);
    const before = await enterCase(t, { categoryId: ref.categories.xay_dung, receivedAt: local('2026-03-02 08:00') });
    const countBefore = (await t.request().get('/api/v1/admin/sla-policies').set(bearer(t.tokens.admin))).body.items.length as number;
    const migration = readFileSync(new URL('../../migrations/0013_sla_pause_rule_by_unit.sql', import.meta.url), 'utf8');
    await t.database.db.execute(sql.raw(migration));
    // each instance caches policies for 30 seconds
    t.clock.set(new Date(t.clock.now().getTime() + 60_000));
    const list = (await t.request().get('/api/v1/admin/sla-policies').set(bearer(t.tokens.admin))).body.items as Array<Record<string, unknown>>;
    expect(list).toHaveLength(countBefore);
    for (const p of list) expect(p).toMatchObject({ pauseRule: 'by_unit', active: true });
    const all = (await t.request().get('/api/v1/admin/sla-policies?all=true').set(bearer(t.tokens.admin))).body.items as Array<Record<string, unknown>>;
    expect(all.filter((p) => p.active === false && p.pauseRule === 'working_time')).toHaveLength(countBefore);
    const [old] = (await t.database.db.execute(sql`select sla_policy from cases where id = ${before.id}`)).rows as Array<{ sla_policy: Record<string, unknown> }>;
    expect(old.sla_policy.pauseRule).toBeUndefined();
    const after = await enterCase(t, { categoryId: ref.categories.xay_dung, receivedAt: local('2026-03-02 08:00') });
    const [fresh] = (await t.database.db.execute(sql`select sla_policy from cases where id = ${after.id}`)).rows as Array<{ sla_policy: Record<string, unknown> }>;
    expect(fresh.sla_policy).toMatchObject({ pauseRule: 'by_unit', version: 2 });
  });
});
