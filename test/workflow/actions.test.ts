import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { dbLabel } from '../helpers/db.js';
import { at, enterCase, local, ok, post, publicAction, reference, steps, timeline, view, type Ref } from './helpers.js';

let t: TestApp;
let ref: Ref;
beforeAll(async () => {
  t = await createTestApp({ now: '2026-03-02T02:00:00Z' }); // Monday 2/3/2026 09:00
  ref = await reference(t);
});
afterAll(async () => t?.close());

/** A case with Sở Xây dựng, accepted (in_progress). */
async function inProgress(extra: Record<string, unknown> = {}) {
  const c = await enterCase(t, { categoryId: ref.categories.xay_dung, receivedAt: local('2026-03-02 08:00'), ...extra });
  const v = await ok(t, 'agency_staff', c.id, 'accept', { version: c.version });
  return { ...c, version: v.version as number };
}

async function snapshot(id: number) {
  const r = await t.database.db.execute(sql`select
    (select row_to_json(c)::text from cases c where id = ${id}) as c,
    (select count(*)::int from case_events where case_id = ${id}) as events,
    (select count(*)::int from outbox where case_id = ${id}) as mail,
    (select count(*)::int from case_pauses where case_id = ${id}) as pauses,
    (select count(*)::int from case_extensions where case_id = ${id}) as exts`);
  return JSON.stringify(r.rows[0]);
}

describe(`workflow actions on ${dbLabel}`, () => {
  it('a stale version answers 409 with the current version and changes nothing; If-Match answers 412', async () => {
    const c = await inProgress();
    const before = await snapshot(c.id);
    const stale = await post(t, 'agency_staff', c.id, 'note', { version: c.version - 1, internalText: 'ghi chú' });
    expect(stale.status).toBe(409);
    expect(stale.headers['content-type']).toMatch(/problem\+json/);
    expect(stale.body).toMatchObject({ status: 409, currentVersion: c.version });
    expect(await snapshot(c.id)).toBe(before);

    const pre = await t.request().post(`/api/v1/cases/${c.id}/note`).set(bearer(t.tokens.agency_staff)).set('If-Match', `"${c.version - 1}"`).send({ internalText: 'x' });
    expect(pre.status).toBe(412);
    expect(pre.body).toMatchObject({ status: 412, currentVersion: c.version });
    expect(await snapshot(c.id)).toBe(before);

    const bad = await t.request().post(`/api/v1/cases/${c.id}/note`).set(bearer(t.tokens.agency_staff)).set('If-Match', 'abc').send({ internalText: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe('If-Match');

    const good = await t.request().post(`/api/v1/cases/${c.id}/note`).set(bearer(t.tokens.agency_staff)).set('If-Match', `"${c.version}"`).send({ internalText: 'x' });
    expect(good.status).toBe(200);
    expect(good.headers.etag).toBe(`"${c.version + 1}"`);
    expect(good.body.version).toBe(c.version + 1);
  });

  it('an illegal transition answers 409 with the current status', async () => {
    const c = await inProgress();
    const r = await post(t, 'agency_staff', c.id, 'accept', { version: c.version });
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({ status: 409, currentStatus: 'in_progress' });
    const close = await post(t, 'coordinator', c.id, 'close', { version: c.version });
    expect(close.body).toMatchObject({ status: 409, currentStatus: 'in_progress' });
  });

  it('two concurrent resolves with the same version: exactly one wins', async () => {
    const c = await inProgress();
    const body = (n: number) => ({ version: c.version, reason: 'answered', publicText: `Trả lời số ${n}` });
    const rs = await Promise.all([post(t, 'agency_staff', c.id, 'resolve', body(1)), post(t, 'agency_lead', c.id, 'resolve', body(2))]);
    expect(rs.map((r) => r.status).sort()).toEqual([200, 409]);
    const items = await timeline(t, 'coordinator', c.id);
    expect(items.filter((e) => e.action === 'resolve')).toHaveLength(1);
    const v = await view(t, 'coordinator', c.id);
    expect(v.version).toBe(c.version + 1);
    expect(v.publicAnswer).toBe(rs.find((r) => r.status === 200)!.body.publicAnswer);
  });

  it('ten concurrent notes with the same version: one applied, nine refused', async () => {
    const c = await inProgress();
    const rs = await Promise.all(Array.from({ length: 10 }, (_, i) => post(t, i % 2 ? 'agency_staff' : 'coordinator', c.id, 'note', { version: c.version, internalText: `n${i}` })));
    expect(rs.filter((r) => r.status === 200)).toHaveLength(1);
    expect(rs.filter((r) => r.status === 409)).toHaveLength(9);
    expect((await timeline(t, 'coordinator', c.id)).filter((e) => e.action === 'note')).toHaveLength(1);
  });

  it('a repeated updateId is answered as the first time and applied once; reused for another request it is refused', async () => {
    const c = await inProgress();
    const body = { version: c.version, updateId: 'he-thong-so-xd-000123', reason: 'answered', publicText: 'Đã trả lời doanh nghiệp.' };
    const first = await post(t, 'agency_staff', c.id, 'resolve', body);
    expect(first.status).toBe(200);
    const again = await post(t, 'agency_staff', c.id, 'resolve', body);
    expect(again.status).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body.version).toBe(first.body.version);
    expect(again.body.status).toBe('resolved');
    expect(again.body.resolvedAt).toBe(first.body.resolvedAt);
    expect(again.body.submitter).toEqual(first.body.submitter);
    // the stored answer keeps no personal data of the reporter
    const stored = await t.database.db.execute(sql`select body::text as b from idempotency_keys where key = ${body.updateId}`);
    expect(stored.rows).toHaveLength(1);
    expect((stored.rows[0] as { b: string }).b).not.toContain('an.nguyen@cokhikinhbac.example');
    expect((await timeline(t, 'coordinator', c.id)).filter((e) => e.action === 'resolve')).toHaveLength(1);
    expect((await t.database.db.execute(sql`select count(*)::int as n from outbox where case_id = ${c.id} and template = 'answer'`)).rows[0]).toEqual({ n: 1 });

    const other = await post(t, 'agency_staff', c.id, 'resolve', { ...body, publicText: 'Khác.' });
    expect(other.status).toBe(422);
    // the same updateId of another user is that user's own
    const lead = await post(t, 'agency_lead', c.id, 'note', { version: first.body.version, updateId: body.updateId, internalText: 'lãnh đạo' });
    expect(lead.status).toBe(200);
  });

  it('the same updateId sent twice at once is applied once', async () => {
    const c = await inProgress();
    const body = { version: c.version, updateId: 'dup-at-once', internalText: 'một lần' };
    const rs = await Promise.all([post(t, 'agency_staff', c.id, 'note', body), post(t, 'agency_staff', c.id, 'note', body)]);
    expect(rs.map((r) => r.status)).toEqual([200, 200]);
    expect(rs.map((r) => r.body.version)).toEqual([c.version + 1, c.version + 1]);
    expect((await timeline(t, 'coordinator', c.id)).filter((e) => e.action === 'note')).toHaveLength(1);
  });

  it('bad bodies answer 400 naming the field and change nothing', async () => {
    const c = await inProgress();
    const before = await snapshot(c.id);
    const cases: Array<[string, string, Record<string, unknown>, string]> = [
      ['agency_staff', 'resolve', { version: c.version, reason: 'answered' }, 'publicText'],
      ['agency_staff', 'resolve', { version: c.version, reason: 'maybe', publicText: 'x' }, 'reason'],
      ['agency_staff', 'resolve', { version: c.version, reason: 'answered', publicText: '   ' }, 'publicText'],
      ['agency_staff', 'resolve', { reason: 'answered', publicText: 'x' }, 'version'],
      ['agency_staff', 'resolve', { version: 'one', reason: 'answered', publicText: 'x' }, 'version'],
      ['agency_staff', 'request-info', { version: c.version }, 'publicText'],
      ['agency_staff', 'return', { version: c.version }, 'reason'],
      ['agency_staff', 'note', { version: c.version }, 'publicText'],
      ['agency_lead', 'extend', { version: c.version, amount: 5 }, 'reason'],
      ['agency_lead', 'extend', { version: c.version, reason: 'x' }, 'amount'],
      ['agency_lead', 'extend', { version: c.version, amount: 11, reason: 'quá giới hạn' }, 'amount'],
      ['agency_lead', 'extend', { version: c.version, amount: 2, unit: 'calendar_days', reason: 'sai đơn vị' }, 'unit'],
      ['agency_lead', 'extend', { version: c.version, amount: 2, unit: 'weeks', reason: 'x' }, 'unit'],
      ['coordinator', 'assign', { version: c.version }, 'agencyId'],
      ['coordinator', 'assign', { version: c.version, agencyId: 999_999 }, 'agencyId'],
      ['coordinator', 'assign', { version: c.version, agencyId: ref.agencies.so_xay_dung }, 'agencyId'],
      ['coordinator', 'assign', { version: c.version, agencyId: ref.agencies.so_tai_chinh, priority: 'later' }, 'priority'],
      ['coordinator', 'reject', { version: c.version, reason: 'duplicate' }, 'duplicateOf'],
      ['coordinator', 'reject', { version: c.version, reason: 'boring' }, 'reason'],
      ['coordinator', 'merge', { version: c.version, duplicateOf: c.id }, 'duplicateOf'],
      ['coordinator', 'merge', { version: c.version, duplicateOf: 987_654 }, 'duplicateOf'],
      ['coordinator', 'merge', { version: c.version }, 'duplicateOf'],
    ];
    for (const [role, action, body, field] of cases) {
      const r = await post(t, role, c.id, action, body);
      expect(r.status, `${action} ${JSON.stringify(body)} → ${JSON.stringify(r.body)}`).toBe(400);
      expect(r.headers['content-type']).toMatch(/problem\+json/);
      expect(r.body.errors.map((e: { path: string }) => e.path), `${action} ${JSON.stringify(body)}`).toContain(field);
    }
    const junk = await t.request().post(`/api/v1/cases/${c.id}/resolve`).set(bearer(t.tokens.agency_staff)).set('content-type', 'application/json').send('{"version": ');
    expect(junk.status).toBe(400);
    expect(await snapshot(c.id)).toBe(before);
  });

  it('request-info pauses the clock; the reply resumes it and moves the deadline by the working time paused', async () => {
    t.clock.set(at('2026-03-02 09:00'));
    const c = await inProgress();
    const v0 = await view(t, 'coordinator', c.id);
    expect(v0.resolveDueAt).toBe('2026-03-16T17:00:00+07:00');
    await ok(t, 'agency_staff', c.id, 'request-info', { version: c.version, publicText: 'Bổ sung bản vẽ thiết kế.' });
    // a case waiting for the business cannot be answered, and its deadline state stands still
    t.clock.set(at('2026-03-20 09:00'));
    const waiting = await view(t, 'agency_staff', c.id);
    expect(waiting).toMatchObject({ status: 'awaiting_business', deadlineState: 'within_deadline', allowedActions: ['note'] });
    expect((await post(t, 'agency_staff', c.id, 'resolve', { version: waiting.version, reason: 'answered', publicText: 'x' })).status).toBe(409);
    // Monday 2/3 09:00 → Wednesday 4/3 09:00: two office days paused
    t.clock.set(at('2026-03-04 09:00'));
    const r = await publicAction(t, c, 'reply', { text: 'Đã gửi bản vẽ qua thư điện tử.' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const v = await view(t, 'agency_staff', c.id);
    expect(v).toMatchObject({ status: 'in_progress', paused: false, resolveDueAt: '2026-03-18T17:00:00+07:00' });
    t.clock.set(at('2026-03-02 09:00'));
  });

  it('an agency may not extend a kind without extensions, nor after the deadline', async () => {
    t.clock.set(at('2026-03-02 09:00'));
    const urgent = await enterCase(t, { categoryId: ref.categories.xay_dung, priority: 'urgent', receivedAt: local('2026-03-02 08:00') });
    let v = await ok(t, 'agency_staff', urgent.id, 'accept', { version: urgent.version });
    const r = await post(t, 'agency_lead', urgent.id, 'extend', { version: v.version, amount: 1, reason: 'Cần thêm thời gian' });
    expect(r.status).toBe(409);
    const late = await inProgress();
    t.clock.set(at('2026-03-17 08:00'));
    v = await view(t, 'agency_lead', late.id);
    expect(v.deadlineState).toBe('overdue');
    const r2 = await post(t, 'coordinator', late.id, 'extend', { version: v.version, amount: 2, reason: 'Muộn' });
    expect(r2.status).toBe(409);
    t.clock.set(at('2026-03-02 09:00'));
  });

  it('a dispute within 7 days reopens the case; the first outcome stays in the timeline; after 7 days it is refused', async () => {
    t.clock.set(at('2026-03-02 09:00'));
    const c = await inProgress();
    t.clock.set(at('2026-03-03 10:00'));
    let v = await ok(t, 'agency_staff', c.id, 'resolve', { version: c.version, reason: 'answered', publicText: 'Trả lời lần 1.' });
    expect(v.outcome).toBe('early');
    t.clock.set(at('2026-03-05 10:00'));
    const d = await publicAction(t, c, 'dispute', { reason: 'Câu trả lời chưa giải quyết được vướng mắc của doanh nghiệp.' });
    expect(d.status, JSON.stringify(d.body)).toBe(200);
    v = await view(t, 'agency_staff', c.id);
    expect(v).toMatchObject({ status: 'in_progress', disputeCount: 1, outcome: null, resolvedAt: null, reason: null });
    t.clock.set(at('2026-03-06 10:00'));
    v = await ok(t, 'agency_staff', c.id, 'resolve', { version: v.version, reason: 'fixed', publicText: 'Trả lời lần 2.' });
    expect(v).toMatchObject({ status: 'resolved', outcome: 'early', reason: 'fixed', publicAnswer: 'Trả lời lần 2.' });
    const items = await timeline(t, 'coordinator', c.id);
    expect(steps(items).slice(-3)).toEqual(['resolve:in_progress>resolved', 'dispute:resolved>in_progress', 'resolve:in_progress>resolved']);
    expect(items[items.length - 3].data).toMatchObject({ outcome: 'early', reason: 'answered' });
    expect(items[items.length - 2].data).toMatchObject({ previousOutcome: 'early', previousReason: 'answered', disputeCount: 1 });
    t.clock.set(at('2026-03-13 10:01'));
    expect((await publicAction(t, c, 'dispute', { reason: 'Vẫn chưa đồng ý với câu trả lời lần hai.' })).status).toBe(409);
    t.clock.set(at('2026-03-02 09:00'));
  });

  it('rating is 1–5 and once', async () => {
    const c = await inProgress();
    await ok(t, 'agency_staff', c.id, 'resolve', { version: c.version, reason: 'answered', publicText: 'Đã trả lời.' });
    expect((await publicAction(t, c, 'rating', { rating: 6 })).status).toBe(400);
    const r = await t.app.services.workflow.act(c.id, 'rate', { kind: 'public' }, { rating: 0 }).catch((e) => e);
    expect(r).toMatchObject({ status: 400 });
    expect((await publicAction(t, c, 'rating', { rating: 4 })).status).toBe(200);
    expect((await publicAction(t, c, 'rating', { rating: 5 })).status).toBe(409);
    expect((await view(t, 'coordinator', c.id)).rating).toBe(4);
  });

  it('the business withdraws; reject keeps its reason code; merge links the duplicate and notes the kept case', async () => {
    const w = await inProgress();
    expect((await publicAction(t, w, 'withdraw', { reason: 'Đã tự giải quyết được.' })).status).toBe(200);
    expect(await view(t, 'coordinator', w.id)).toMatchObject({ status: 'withdrawn', reason: 'withdrawn' });

    const spam = await enterCase(t, { categoryId: ref.categories.khac, receivedAt: local('2026-03-02 08:00') });
    expect(spam.status).toBe('received');
    let v = await ok(t, 'coordinator', spam.id, 'reject', { version: spam.version, reason: 'not_business_related' });
    expect(v).toMatchObject({ status: 'rejected', reason: 'not_business_related' });
    expect(v.lastPublicNote).toContain('Không liên quan đến hoạt động sản xuất, kinh doanh');

    const kept = await inProgress();
    const dup = await enterCase(t, { categoryId: ref.categories.xay_dung, receivedAt: local('2026-03-02 08:30') });
    v = await ok(t, 'coordinator', dup.id, 'merge', { version: dup.version, duplicateOf: kept.id });
    expect(v).toMatchObject({ status: 'rejected', reason: 'duplicate', duplicateOfId: kept.id });
    expect(v.lastPublicNote).toContain(kept.trackingCode);
    const keptItems = await timeline(t, 'coordinator', kept.id);
    expect(keptItems[keptItems.length - 1]).toMatchObject({ action: 'note', data: { mergedCaseId: dup.id, mergedTrackingCode: dup.trackingCode } });
    expect(keptItems[keptItems.length - 1].internalText).toContain(dup.trackingCode);
    // a merged-away case cannot be a merge target
    const third = await enterCase(t, { categoryId: ref.categories.xay_dung, receivedAt: local('2026-03-02 08:40') });
    const r = await post(t, 'coordinator', third.id, 'reject', { version: third.version, reason: 'duplicate', duplicateOf: dup.id });
    expect(r.status).toBe(400);
    expect(r.body.errors[0]).toMatchObject({ path: 'duplicateOf' });
    expect(r.body.detail).toContain(`case ${kept.id}`);

    // when the kept case is answered, the merged case's business gets the answer on its own timeline and by mail
    await ok(t, 'agency_staff', kept.id, 'resolve', { version: kept.version, reason: 'answered', publicText: 'Trả lời chung cho các hồ sơ trùng.' });
    const dupItems = await timeline(t, 'coordinator', dup.id);
    expect(dupItems[dupItems.length - 1]).toMatchObject({ action: 'note', fromStatus: 'rejected', toStatus: 'rejected', data: { keptCaseId: kept.id, keptTrackingCode: kept.trackingCode } });
    expect(dupItems[dupItems.length - 1].publicText).toContain('Trả lời chung cho các hồ sơ trùng.');
    const mail = await t.database.db.execute(sql`select to_addrs from outbox where case_id = ${dup.id} and template = 'merged_answer'`);
    expect(mail.rows).toEqual([{ to_addrs: ['an.nguyen@cokhikinhbac.example'] }]);
  });

  it('public and internal notes; the coordinator reopens; an inspector reopens only on an audit finding', async () => {
    const c = await inProgress();
    let v = await ok(t, 'agency_staff', c.id, 'note', { version: c.version, publicText: 'Đang kiểm tra thực địa.', internalText: 'Hẹn 5/3.' });
    expect(v.lastPublicNote).toBe('Đang kiểm tra thực địa.');
    v = await ok(t, 'agency_staff', c.id, 'note', { version: v.version, internalText: 'Chỉ nội bộ.' });
    expect(v.lastPublicNote).toBe('Đang kiểm tra thực địa.');
    v = await ok(t, 'agency_staff', c.id, 'resolve', { version: v.version, reason: 'partially_fixed', publicText: 'Đã xử lý một phần.' });
    v = await ok(t, 'coordinator', c.id, 'close', { version: v.version });
    expect(v).toMatchObject({ status: 'closed', reason: 'partially_fixed' });
    v = await ok(t, 'coordinator', c.id, 'reopen', { version: v.version, reason: 'Doanh nghiệp tiếp tục phản ánh qua đường dây nóng.' });
    expect(v).toMatchObject({ status: 'in_progress', outcome: null, closedAt: null });
    v = await ok(t, 'agency_staff', c.id, 'resolve', { version: v.version, reason: 'fixed', publicText: 'Đã xử lý xong.' });

    const inspector = { kind: 'staff' as const, actor: { userId: 6, name: 'Thanh tra viên (demo)', role: 'inspector' as const, agencyId: null, tokenId: 6 } };
    await expect(t.app.services.workflow.act(c.id, 'reopen', inspector, { version: v.version, reason: 'x' })).rejects.toMatchObject({ status: 403 });
    const re = await t.app.services.workflow.act(c.id, 'reopen', inspector, { version: v.version, reason: 'Kết luận kiểm tra: trả lời chưa đúng trọng tâm.', onFinding: true });
    expect(re.case.status).toBe('in_progress');
    expect(re.events[0]).toMatchObject({ action: 'reopen', actorRole: 'inspector', data: expect.objectContaining({ onFinding: true, previousOutcome: v.outcome }) });
  });

  it('the system closes a case the business never answered, with the reason no_response_from_business', async () => {
    const c = await inProgress();
    await ok(t, 'agency_staff', c.id, 'request-info', { version: c.version, publicText: 'Đề nghị cung cấp giấy chứng nhận đăng ký doanh nghiệp.' });
    const r = await t.app.services.workflow.act(c.id, 'close', { kind: 'system', label: 'Tự động kết thúc' }, {});
    expect(r.case).toMatchObject({ status: 'closed', reason: 'no_response_from_business', pausedAt: null });
    const p = await t.database.db.execute(sql`select count(*)::int as n from case_pauses where case_id = ${c.id} and ended_at is null`);
    expect(p.rows[0]).toEqual({ n: 0 });
  });

  it('a priority set at assignment takes that priority’s deadline', async () => {
    const c = await enterCase(t, { categoryId: ref.categories.khac, receivedAt: local('2026-03-02 08:00') });
    expect(c.resolveDueAt).toBe('2026-03-16T17:00:00+07:00');
    const v = await ok(t, 'coordinator', c.id, 'assign', { version: c.version, agencyId: ref.agencies.so_xay_dung, priority: 'complex' });
    // 20 working days from Monday 2/3; 8 working hours to accept from Monday 09:00 (6 h) to Tuesday 09:30
    expect(v).toMatchObject({ priority: 'complex', resolveDueAt: '2026-03-30T17:00:00+07:00', acceptDueAt: '2026-03-03T09:30:00+07:00' });
  });

  it('clears the escalation flag when the deadline moves later or the case is answered, and keeps it otherwise', async () => {
    const c = await inProgress();
    await t.database.db.execute(sql`update cases set escalation_level = 2 where id = ${c.id}`);
    const noted = await ok(t, 'agency_staff', c.id, 'note', { version: c.version, internalText: 'đang xử lý' });
    expect(noted.escalationLevel).toBe(2);
    const extended = await ok(t, 'agency_lead', c.id, 'extend', { version: noted.version, amount: 5, unit: 'working_days', reason: 'Cần lấy ý kiến liên ngành' });
    expect(extended.escalationLevel).toBe(0);
    await t.database.db.execute(sql`update cases set escalation_level = 3 where id = ${c.id}`);
    const resolved = await ok(t, 'agency_staff', c.id, 'resolve', { version: extended.version, reason: 'answered', publicText: 'Đã trả lời doanh nghiệp.' });
    expect(resolved.escalationLevel).toBe(0);
  });
});

