import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { dbLabel } from '../helpers/db.js';
import { enterCase, local, ok, reference, timeline } from './helpers.js';

/** Someone with database access edits or deletes a timeline row: GET /audit/verify names the first broken link. */
let t: TestApp;
let caseId: number;
beforeAll(async () => {
  t = await createTestApp({ now: '2026-03-02T02:00:00Z' });
  const ref = await reference(t);
  for (let i = 0; i < 3; i++) {
    const c = await enterCase(t, { categoryId: ref.categories.xay_dung, receivedAt: local('2026-03-02 08:00') });
    let v = await ok(t, 'agency_staff', c.id, 'accept', { version: c.version });
    v = await ok(t, 'agency_staff', c.id, 'note', { version: v.version, internalText: `ghi chú ${i}` });
    await ok(t, 'agency_staff', c.id, 'resolve', { version: v.version, reason: 'answered', publicText: `Trả lời hồ sơ ${i}.` });
    caseId = c.id;
  }
});
afterAll(async () => t?.close());

const verify = async (role = 'inspector') => {
  const r = await t.request().get('/api/v1/audit/verify').set(bearer(t.tokens[role]));
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
};

describe(`tampering with the timeline on ${dbLabel}`, () => {
  it('an intact chain verifies, for inspectors and admins only', async () => {
    expect(await verify()).toMatchObject({ ok: true, checked: 15, lastSeq: 15, unsealed: 0 });
    expect(await verify('admin')).toMatchObject({ ok: true });
    for (const role of ['coordinator', 'agency_staff', 'agency_lead']) {
      expect((await t.request().get('/api/v1/audit/verify').set(bearer(t.tokens[role]))).status).toBe(403);
    }
    expect((await t.request().get('/api/v1/audit/verify')).status).toBe(401);
    // every event of the case carries its place in the chain
    const items = await timeline(t, 'inspector', caseId);
    expect(items.every((e) => typeof e.seq === 'number' && typeof e.hash === 'string')).toBe(true);
  });

  it('an edited public text is the first broken link', async () => {
    const [row] = (await t.database.db.execute(sql`select id, seq, public_text from case_events where case_id = ${caseId} and action = 'resolve'`)).rows as Array<{
      id: number;
      seq: number;
      public_text: string;
    }>;
    await t.database.db.execute(sql`update case_events set public_text = 'Đã trả lời (sửa lại sau).' where id = ${row.id}`);
    const r = await verify();
    expect(r).toMatchObject({ ok: false, firstBroken: { seq: Number(row.seq), eventId: Number(row.id), caseId, problem: 'hash_mismatch' } });
    // put it back: the chain holds again
    await t.database.db.execute(sql`update case_events set public_text = ${row.public_text} where id = ${row.id}`);
    expect(await verify()).toMatchObject({ ok: true });
  });

  it('an edited internal note or actor is detected too', async () => {
    await t.database.db.execute(sql`update case_events set actor_label = 'Người khác' where seq = 4`);
    expect(await verify()).toMatchObject({ ok: false, firstBroken: { seq: 4, problem: 'hash_mismatch' } });
    await t.database.db.execute(sql`update case_events set actor_label = 'Chuyên viên Sở Xây dựng (demo)' where seq = 4`);
    expect(await verify()).toMatchObject({ ok: true });
  });

  it('a deleted row is the first broken link (a gap in the chain)', async () => {
    await t.database.db.execute(sql`delete from case_events where seq = 7`);
    const r = await verify();
    expect(r).toMatchObject({ ok: false, checked: 6, firstBroken: { seq: 7, problem: 'missing_event' } });
  });

  it('events written after the tampering are still sealed, and the break stays reported', async () => {
    const c = (await t.request().get(`/api/v1/cases/${caseId}`).set(bearer(t.tokens.coordinator))).body;
    await ok(t, 'coordinator', caseId, 'note', { version: c.version, internalText: 'Ghi chú sau khi sửa.' });
    const r = await verify();
    expect(r).toMatchObject({ ok: false, firstBroken: { seq: 7, problem: 'missing_event' } });
    const [{ n }] = (await t.database.db.execute(sql`select count(*)::int as n from case_events where seq is null`)).rows as Array<{ n: number }>;
    expect(n).toBe(0);
  });
});
