import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { dbLabel } from '../helpers/db.js';
import { at, enterCase, local, ok, post, publicAction, reference, steps, timeline, view, type Entered, type Ref } from './helpers.js';

/**
 * A scripted day (and month) in the life of the hotline, on exact dates of the 2026 calendar
 * (Tết closes 14–22/2/2026), with the timeline and the SLA outcome expected at every step.
 */
let t: TestApp;
let ref: Ref;
beforeAll(async () => {
  t = await createTestApp({ now: '2026-02-12T03:00:00Z' }); // Thursday 12/2/2026 10:00 in Hà Nội
  ref = await reference(t);
});
afterAll(async () => t?.close());

async function outboxOf(caseId: number) {
  const r = await t.database.db.execute(sql`select template, to_addrs from outbox where case_id = ${caseId} order by id`);
  return r.rows as Array<{ template: string; to_addrs: string[] }>;
}

describe(`a day in the life of the hotline on ${dbLabel}`, () => {
  let a: Entered;
  let b: Entered;

  it('case A: the coordinator enters a hotline case; it routes to Sở Xây dựng with the legal deadline', async () => {
    t.clock.set(at('2026-02-12 10:00'));
    a = await enterCase(t, { categoryId: ref.categories.xay_dung, receivedAt: local('2026-02-12 10:00') });
    const v = await view(t, 'coordinator', a.id);
    expect(v).toMatchObject({
      status: 'assigned',
      agencyId: ref.agencies.so_xay_dung,
      agencyName: 'Sở Xây dựng',
      channel: 'hotline',
      receivedAt: '2026-02-12T10:00:00+07:00',
      // 10 working days from Thursday 12/2, Tết (14–22/2) skipped
      resolveDueAt: '2026-03-05T17:00:00+07:00',
      // 8 working hours: 5 on Thursday, 3 on Friday morning
      acceptDueAt: '2026-02-13T10:30:00+07:00',
      deadlineState: 'within_deadline',
      allowedActions: expect.arrayContaining(['assign', 'reject', 'merge', 'note']),
    });
    expect(v.submitter).toMatchObject({ businessName: 'Công ty TNHH Cơ khí Kinh Bắc', taxCode: '0100109106' });
    const staff = await view(t, 'agency_staff', a.id);
    expect(staff.allowedActions).toEqual(['accept', 'return', 'note']);
  });

  it('case A: the agency accepts, asks for information; the clock stands still over Tết until the business replies', async () => {
    t.clock.set(at('2026-02-12 14:00'));
    let v = await view(t, 'agency_staff', a.id);
    v = await ok(t, 'agency_staff', a.id, 'accept', { version: v.version });
    expect(v).toMatchObject({ status: 'in_progress', acceptedAt: '2026-02-12T14:00:00+07:00' });
    expect(v.allowedActions).toEqual(['request-info', 'resolve', 'return', 'note']);

    t.clock.set(at('2026-02-13 09:00'));
    v = await ok(t, 'agency_staff', a.id, 'request-info', {
      version: v.version,
      publicText: 'Đề nghị doanh nghiệp gửi bản sao quyết định phê duyệt quy hoạch chi tiết 1/500.',
    });
    expect(v).toMatchObject({ status: 'awaiting_business', paused: true, pausedAt: '2026-02-13T09:00:00+07:00', resolveDueAt: '2026-03-05T17:00:00+07:00' });
    expect(v.lastPublicNote).toContain('quy hoạch chi tiết');

    // Tuesday 24/2 09:00: paused 6 h on Friday 13/2 + 7.5 h on Monday 23/2 + 1.5 h on Tuesday = 15 working hours
    t.clock.set(at('2026-02-24 09:00'));
    const r = await publicAction(t, a, 'reply', { text: 'Chúng tôi gửi kèm quyết định phê duyệt quy hoạch số 123/QĐ-UBND.' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    v = await view(t, 'agency_staff', a.id);
    expect(v).toMatchObject({ status: 'in_progress', paused: false, resolveDueAt: '2026-03-09T17:00:00+07:00', deadlineState: 'within_deadline' });
  });

  it('case A: the agency answers before the deadline (early); the business rates it; it closes after the dispute window', async () => {
    t.clock.set(at('2026-03-06 10:00'));
    let v = await view(t, 'agency_staff', a.id);
    v = await ok(t, 'agency_staff', a.id, 'resolve', {
      version: v.version,
      reason: 'fixed',
      publicText: 'Sở Xây dựng đã cấp giấy phép xây dựng số 45/GPXD ngày 06/3/2026.',
      internalText: 'Hồ sơ bị chậm do thiếu quyết định quy hoạch.',
    });
    expect(v).toMatchObject({
      status: 'resolved',
      resolvedAt: '2026-03-06T10:00:00+07:00',
      outcome: 'early',
      resolvedWithExtension: false,
      reason: 'fixed',
      publicAnswer: 'Sở Xây dựng đã cấp giấy phép xây dựng số 45/GPXD ngày 06/3/2026.',
      deadlineState: null,
    });

    t.clock.set(at('2026-03-07 09:00'));
    const r = await publicAction(t, a, 'rating', { rating: 5, comment: 'Giải quyết nhanh.' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(await view(t, 'coordinator', a.id)).toMatchObject({ rating: 5, ratingComment: 'Giải quyết nhanh.' });

    // the escalation job closes resolved cases after 7 days: not before
    t.clock.set(at('2026-03-13 09:00'));
    await expect(t.app.services.workflow.act(a.id, 'close', { kind: 'system', label: 'Tự động kết thúc' }, {})).rejects.toMatchObject({ status: 409 });
    t.clock.set(at('2026-03-13 10:01'));
    const closed = await t.app.services.workflow.act(a.id, 'close', { kind: 'system', label: 'Tự động kết thúc' }, {});
    expect(closed.case).toMatchObject({ status: 'closed', outcome: 'early', reason: 'fixed' });
  });

  it('case A: the exact timeline, the mail sent, and the chain intact', async () => {
    const items = await timeline(t, 'inspector', a.id);
    expect(steps(items)).toEqual([
      'receive:->received',
      'assign:received>assigned',
      'accept:assigned>in_progress',
      'request_info:in_progress>awaiting_business',
      'reply:awaiting_business>in_progress',
      'resolve:in_progress>resolved',
      'rate:resolved>resolved',
      'close:resolved>closed',
    ]);
    expect(items.map((e) => e.actorRole)).toEqual(['coordinator', 'system', 'agency_staff', 'agency_staff', 'public', 'agency_staff', 'public', 'system']);
    expect(items.map((e) => e.at)).toEqual([
      '2026-02-12T10:00:00+07:00',
      '2026-02-12T10:00:00+07:00',
      '2026-02-12T14:00:00+07:00',
      '2026-02-13T09:00:00+07:00',
      '2026-02-24T09:00:00+07:00',
      '2026-03-06T10:00:00+07:00',
      '2026-03-07T09:00:00+07:00',
      '2026-03-13T10:01:00+07:00',
    ]);
    const reply = items[4];
    expect(reply.internalText).toContain('123/QĐ-UBND');
    expect(reply.data).toMatchObject({ previousResolveDueAt: '2026-03-05T10:00:00.000Z', resolveDueAt: '2026-03-09T10:00:00.000Z' });
    expect(items[5]).toMatchObject({ internalText: 'Hồ sơ bị chậm do thiếu quyết định quy hoạch.', data: expect.objectContaining({ outcome: 'early', reason: 'fixed' }) });

    const mail = await outboxOf(a.id);
    const templates = mail.map((m) => m.template);
    expect(templates).toEqual(expect.arrayContaining(['assignment', 'info_request', 'answer']));
    expect(mail.find((m) => m.template === 'assignment')!.to_addrs).toEqual(['so.xay.dung@bacninh.example']);
    expect(mail.find((m) => m.template === 'info_request')!.to_addrs).toEqual(['an.nguyen@cokhikinhbac.example']);
    expect(mail.find((m) => m.template === 'answer')!.to_addrs).toEqual(['an.nguyen@cokhikinhbac.example']);

    const pauses = await t.database.db.execute(sql`select started_at, ended_at from case_pauses where case_id = ${a.id}`);
    expect(pauses.rows).toHaveLength(1);
  });

  it('case B: routed to the wrong agency, returned, reassigned, extended by the lead, answered late', async () => {
    t.clock.set(at('2026-02-12 10:30'));
    b = await enterCase(t, {
      categoryId: ref.categories.dat_dai,
      title: 'Xây dựng nhà xưởng trên đất thuê chưa được cấp phép',
      receivedAt: local('2026-02-12 10:30'),
    });
    expect(await view(t, 'agency_staff_nnmt', b.id)).toMatchObject({ status: 'assigned', agencyId: ref.agencies.so_nn_mt, resolveDueAt: '2026-03-05T17:00:00+07:00' });

    t.clock.set(at('2026-02-12 11:00'));
    let v = await ok(t, 'agency_staff_nnmt', b.id, 'return', { version: b.version, reason: 'Nội dung thuộc lĩnh vực cấp phép xây dựng.' });
    expect(v).toMatchObject({ status: 'received', agencyId: null, resolveDueAt: '2026-03-05T17:00:00+07:00' });
    // the returned case is no longer the agency's
    expect((await t.request().get(`/api/v1/cases/${b.id}`).set(bearer(t.tokens.agency_staff_nnmt))).status).toBe(404);

    t.clock.set(at('2026-02-12 14:00'));
    v = await ok(t, 'coordinator', b.id, 'assign', { version: v.version, agencyId: ref.agencies.so_xay_dung });
    // a new accept deadline for the new assignment (8 working hours), the resolve deadline unchanged
    expect(v).toMatchObject({ status: 'assigned', agencyId: ref.agencies.so_xay_dung, acceptDueAt: '2026-02-13T14:30:00+07:00', resolveDueAt: '2026-03-05T17:00:00+07:00' });

    t.clock.set(at('2026-02-13 08:00'));
    v = await ok(t, 'agency_staff', b.id, 'accept', { version: v.version });

    // agency staff may not extend; the lead decides for the agency
    t.clock.set(at('2026-03-04 09:00'));
    expect((await post(t, 'agency_staff', b.id, 'extend', { version: v.version, amount: 5, reason: 'x' })).status).toBe(403);
    v = await ok(t, 'agency_lead', b.id, 'extend', { version: v.version, amount: 5, reason: 'Cần khảo sát hiện trường và lấy ý kiến Sở NN&MT.' });
    // 5 working days after Thursday 5/3: Fri 6, Mon 9, Tue 10, Wed 11, Thu 12/3
    expect(v).toMatchObject({ extensionsUsed: 1, resolveDueAt: '2026-03-12T17:00:00+07:00' });
    expect(v.lastPublicNote).toContain('Cần khảo sát hiện trường');
    // the policy allows one extension only
    const again = await post(t, 'agency_lead', b.id, 'extend', { version: v.version, amount: 1, reason: 'Thêm một ngày' });
    expect(again.status).toBe(409);

    t.clock.set(at('2026-03-13 09:00'));
    expect((await view(t, 'agency_staff', b.id)).deadlineState).toBe('overdue');
    v = await ok(t, 'agency_staff', b.id, 'resolve', { version: v.version, reason: 'answered', publicText: 'Đã hướng dẫn doanh nghiệp hoàn thiện hồ sơ cấp phép.' });
    expect(v).toMatchObject({ status: 'resolved', outcome: 'late', resolvedWithExtension: true, resolvedAt: '2026-03-13T09:00:00+07:00' });
  });

  it('case B: the exact timeline, who returned it and why, and what the business saw', async () => {
    const items = await timeline(t, 'coordinator', b.id);
    expect(steps(items)).toEqual([
      'receive:->received',
      'assign:received>assigned',
      'return:assigned>received',
      'assign:received>assigned',
      'accept:assigned>in_progress',
      'extend:in_progress>in_progress',
      'resolve:in_progress>resolved',
    ]);
    const ret = items[2];
    expect(ret.publicText).toContain('chuyển lại');
    expect(ret.internalText).toContain('Chuyên viên Sở NN&MT (demo)');
    expect(ret.internalText).toContain('Nội dung thuộc lĩnh vực cấp phép xây dựng.');
    expect(items[3]).toMatchObject({ actorRole: 'coordinator', data: expect.objectContaining({ agencyId: ref.agencies.so_xay_dung, fromAgencyId: null }) });
    expect(items[5]).toMatchObject({ actorRole: 'agency_lead', data: expect.objectContaining({ amount: 5, unit: 'working_days' }) });
    expect(items[5].publicText).toContain('Cần khảo sát hiện trường');
    expect(items[6].data).toMatchObject({ outcome: 'late', resolvedWithExtension: true });

    const ext = await t.database.db.execute(sql`select amount, unit, reason, previous_due_at, new_due_at from case_extensions where case_id = ${b.id}`);
    expect(ext.rows).toHaveLength(1);
    expect(new Date((ext.rows[0] as { new_due_at: string }).new_due_at).toISOString()).toBe('2026-03-12T10:00:00.000Z');

    // the public view shows the re-routing and the extension's reason, not the internal texts
    const pub = await t.request().get(`/api/v1/public/cases/${b.trackingCode}`).set('X-Access-Key', b.accessKey);
    expect(pub.status).toBe(200);
    const body = JSON.stringify(pub.body);
    expect(body).toContain('Cần khảo sát hiện trường');
    expect(body).not.toContain('Nội dung thuộc lĩnh vực cấp phép xây dựng.');

    // Sở NN&MT's feed tells its system that the case left the agency
    const feed = await t.request().get(`/api/v1/agencies/${ref.agencies.so_nn_mt}/feed`).set(bearer(t.tokens.agency_staff_nnmt));
    expect(feed.status).toBe(200);
    expect(feed.body.items.find((i: { id: number }) => i.id === b.id)).toMatchObject({ change: 'left_agency', case: null });
  });

  it('the audit trail of the whole day verifies', async () => {
    const r = await t.request().get('/api/v1/audit/verify').set(bearer(t.tokens.inspector));
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ ok: true, unsealed: 0 });
    expect(r.body.checked).toBe(15);
  });
});
