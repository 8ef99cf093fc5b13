import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OFFICIAL_2026 } from '../../src/domain/calendar-data.js';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { dbLabel } from '../helpers/db.js';
import { caseRow, eventsOf, markResolved, newCase, refIds } from './fixtures.js';

let t: TestApp;
let ids: Awaited<ReturnType<typeof refIds>>;
beforeAll(async () => {
  t = await createTestApp({ now: '2026-03-02T02:00:00Z' }); // Monday 2/3/2026 09:00 in Hà Nội
  ids = await refIds(t);
});
afterAll(async () => t?.close());

const admin = () => bearer(t.tokens.admin);
const put = (year: number | string, body: object) => t.request().put(`/api/v1/admin/calendar/${year}`).set(admin()).send(body);
const official2026 = (extra: Array<{ date: string; name: string }> = []) => ({
  holidays: [...OFFICIAL_2026.holidays, ...extra],
  workingSaturdays: OFFICIAL_2026.workingSaturdays,
  note: 'Thông báo của Thủ tướng Chính phủ',
});
const iso = (d: Date | null) => (d ? d.toISOString() : null);

describe(`working calendar administration on ${dbLabel}`, () => {
  it('serves the stored official table of 2026 to staff, with office hours and the count of working days', async () => {
    const r = await t.request().get('/api/v1/admin/calendar/2026').set(bearer(t.tokens.coordinator));
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ year: 2026, generated: false, stored: true, officeHours: [{ start: '07:30', end: '11:30' }, { start: '13:30', end: '17:00' }] });
    expect(r.body.holidays.map((h: { date: string }) => h.date)).toContain('2026-04-27');
    // 261 weekdays in 2026, minus 1/1, 16–20/2, 27/4, 30/4, 1/5, 31/8, 1/9, 2/9
    expect(r.body.workingDays).toBe(261 - 12);
    const agency = await t.request().get('/api/v1/admin/calendar/2026').set(bearer(t.tokens.agency_staff));
    expect(agency.status).toBe(200);
    const list = await t.request().get('/api/v1/admin/calendar').set(admin());
    expect(list.body.items.map((y: { year: number }) => y.year)).toEqual([2025, 2026]);
  });

  it('serves generated Labour Code defaults for a year without a table, marked generated and not stored', async () => {
    const r = await t.request().get('/api/v1/admin/calendar/2027').set(admin());
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ year: 2027, generated: true, stored: false, workingSaturdays: [] });
    const dates = r.body.holidays.map((h: { date: string }) => h.date);
    // Tết Đinh Mùi: lunar new year on Saturday 6/2/2027
    expect(dates).toEqual(expect.arrayContaining(['2027-01-01', '2027-02-05', '2027-02-06', '2027-02-09', '2027-04-30', '2027-05-01', '2027-09-02']));
    const list = await t.request().get('/api/v1/admin/calendar').set(admin());
    expect(list.body.items.map((y: { year: number }) => y.year)).not.toContain(2027);
  });

  it('refuses edits from other roles', async () => {
    expect((await t.request().put('/api/v1/admin/calendar/2026').set(bearer(t.tokens.coordinator)).send(official2026())).status).toBe(403);
    expect((await t.request().delete('/api/v1/admin/calendar/2026').set(bearer(t.tokens.inspector))).status).toBe(403);
    expect((await t.request().put('/api/v1/admin/calendar/2026').send(official2026())).status).toBe(401);
  });

  it.each([
    ['a date outside the year', { holidays: [{ date: '2025-12-31', name: 'x' }] }, 'holidays.0.date'],
    ['a holiday listed twice', { holidays: [{ date: '2026-01-01', name: 'a' }, { date: '2026-01-01', name: 'b' }] }, 'holidays.1.date'],
    ['a make-up day that is a Sunday', { holidays: [], workingSaturdays: [{ date: '2026-03-08', name: 'x' }] }, 'workingSaturdays.0.date'],
    ['a make-up day that is a Friday', { holidays: [], workingSaturdays: [{ date: '2026-03-06', name: 'x' }] }, 'workingSaturdays.0.date'],
    ['a day both off and worked', { holidays: [{ date: '2026-03-07', name: 'x' }], workingSaturdays: [{ date: '2026-03-07', name: 'y' }] }, 'workingSaturdays.0.date'],
    ['a make-up day outside the year', { holidays: [], workingSaturdays: [{ date: '2027-01-02', name: 'x' }] }, 'workingSaturdays.0.date'],
    ['no such day', { holidays: [{ date: '2026-02-30', name: 'x' }] }, 'holidays.0.date'],
    ['a name missing', { holidays: [{ date: '2026-02-03' }] }, 'holidays.0.name'],
    ['no holidays list', { workingSaturdays: [] }, 'holidays'],
  ])('answers %s with 400 naming the field, and changes nothing', async (_what, body, field) => {
    const before = await t.request().get('/api/v1/admin/calendar/2026').set(admin());
    const r = await put(2026, body);
    expect(r.status).toBe(400);
    expect(r.body.errors.map((e: { path: string }) => e.path)).toContain(field);
    const after = await t.request().get('/api/v1/admin/calendar/2026').set(admin());
    expect(after.body).toEqual(before.body);
  });

  it('answers a year out of range with 400 naming the year', async () => {
    const r = await put(1999, official2026());
    expect(r.status).toBe(400);
    expect(r.body.errors[0].path).toBe('year');
    expect((await t.request().get('/api/v1/admin/calendar/abcd').set(admin())).status).toBe(400);
  });

  it("moves open cases' deadlines with a timeline note, and leaves resolved cases and unaffected ones alone", async () => {
    // assigned to Sở Xây dựng now (Mon 2/3 09:00): accept within 8 working hours → Tue 3/3 09:30
    const open = await newCase(t, { categoryId: ids.category.xay_dung, receivedAt: '2026-02-12T10:00:00+07:00' });
    expect(open.status).toBe('assigned');
    expect(iso(open.resolveDueAt)).toBe('2026-03-05T10:00:00.000Z');
    expect(iso(open.acceptDueAt)).toBe('2026-03-03T02:30:00.000Z');
    const resolved = await newCase(t, { categoryId: ids.category.xay_dung, receivedAt: '2026-02-12T10:00:00+07:00' });
    await markResolved(t, resolved.id, '2026-03-02T08:00:00+07:00', 'early');
    // an open case of 2025 whose deadline does not reach 2026
    const old = await newCase(t, { receivedAt: '2025-06-02T10:00:00+07:00' });
    expect(iso(old.resolveDueAt)).toBe('2025-06-16T10:00:00.000Z');
    // in the triage queue (no accept deadline), received the same day
    const queued = await newCase(t, { categoryId: ids.category.hai_quan, receivedAt: '2026-02-12T10:00:00+07:00' });
    expect(queued.status).toBe('received');
    const versions = { open: (await caseRow(t, open.id)).version, resolved: (await caseRow(t, resolved.id)).version, old: (await caseRow(t, old.id)).version };

    t.clock.set('2026-03-02T03:00:00Z');
    const r = await put(2026, official2026([{ date: '2026-03-03', name: 'Nghỉ đột xuất theo quyết định của tỉnh' }]));
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ year: 2026, generated: false, stored: true, note: 'Thông báo của Thủ tướng Chính phủ' });
    expect(r.body.recomputed).toEqual({ openCasesChecked: 3, deadlinesMoved: 2 });

    const o = await caseRow(t, open.id);
    expect(iso(o.resolveDueAt)).toBe('2026-03-06T10:00:00.000Z'); // Friday 6/3 17:00
    expect(iso(o.acceptDueAt)).toBe('2026-03-04T02:30:00.000Z'); // Wednesday 4/3 09:30
    expect(o.version).toBe(versions.open + 1);
    expect(iso(o.updatedAt)).toBe('2026-03-02T03:00:00.000Z');
    const [ev] = await eventsOf(t, open.id, 'deadline_recomputed');
    expect(ev).toMatchObject({ actorRole: 'admin', at: new Date('2026-03-02T03:00:00Z') });
    expect(ev.publicText).toContain('Hạn giải quyết được điều chỉnh từ 17:00 thứ Năm 05/03/2026 thành 17:00 thứ Sáu 06/03/2026');
    expect(ev.publicText).toContain('do lịch làm việc năm 2026 thay đổi');
    expect(ev.publicText).toContain('Hạn tiếp nhận');
    expect(ev.data).toMatchObject({ year: 2026, resolveDueAt: { from: '2026-03-05T10:00:00.000Z', to: '2026-03-06T10:00:00.000Z' } });

    const q = await caseRow(t, queued.id);
    expect(iso(q.resolveDueAt)).toBe('2026-03-06T10:00:00.000Z');
    expect(q.acceptDueAt).toBeNull();
    expect(await eventsOf(t, queued.id, 'deadline_recomputed')).toHaveLength(1);

    const res = await caseRow(t, resolved.id);
    expect(iso(res.resolveDueAt)).toBe('2026-03-05T10:00:00.000Z');
    expect(res.outcome).toBe('early');
    expect(res.version).toBe(versions.resolved);
    expect(await eventsOf(t, resolved.id, 'deadline_recomputed')).toHaveLength(0);

    const o2 = await caseRow(t, old.id);
    expect(iso(o2.resolveDueAt)).toBe('2025-06-16T10:00:00.000Z');
    expect(o2.version).toBe(versions.old);
    expect(await eventsOf(t, old.id, 'deadline_recomputed')).toHaveLength(0);

    // the case's explanation now names the new day off
    const sla = await t.request().get(`/api/v1/cases/${open.id}/sla`).set(bearer(t.tokens.coordinator));
    expect(sla.status).toBe(200);
    expect(sla.body.resolveDueAt).toBe('2026-03-06T17:00:00+07:00');
    expect(sla.body.explanation.some((s: { kind: string; text: string }) => s.kind === 'skip' && s.text.includes('Nghỉ đột xuất'))).toBe(true);
    // the resolved case explains that its outcome was judged against the deadline of its time
    const slaRes = await t.request().get(`/api/v1/cases/${resolved.id}/sla`).set(bearer(t.tokens.coordinator));
    expect(slaRes.body).toMatchObject({ state: 'early', resolveDueAt: '2026-03-05T17:00:00+07:00' });
    expect(slaRes.body.explanation.at(-1).kind).toBe('note');

    // storing the same table again moves nothing
    const again = await put(2026, official2026([{ date: '2026-03-03', name: 'Nghỉ đột xuất theo quyết định của tỉnh' }]));
    expect(again.body.recomputed).toEqual({ openCasesChecked: 3, deadlinesMoved: 0 });
    expect(await eventsOf(t, open.id, 'deadline_recomputed')).toHaveLength(1);
  });

  it('recomputes from the frozen policy with closed pauses and extensions, and keeps an open pause out', async () => {
    const c = await newCase(t, { categoryId: ids.category.xay_dung, receivedAt: '2026-02-12T10:00:00+07:00' });
    // paused Mon 23/2 09:00 → Wed 25/2 09:00 (15 working hours = 2 working days), extended by 5 working days
    await t.database.db.execute(sql`insert into case_pauses (case_id, started_at, ended_at, reason) values
      (${c.id}, '2026-02-23T09:00:00+07:00', '2026-02-25T09:00:00+07:00', 'request_info')`);
    await t.database.db.execute(sql`insert into case_extensions (case_id, amount, unit, reason, at, previous_due_at, new_due_at) values
      (${c.id}, 5, 'working_days', 'Cần lấy ý kiến liên ngành', '2026-03-02T10:00:00+07:00', '2026-03-10T17:00:00+07:00', '2026-03-17T17:00:00+07:00')`);
    // with 3/3 off: base Fri 6/3, + 2 working days → Tue 10/3, + 5 → Tue 17/3
    await t.database.db.execute(sql`update cases set status = 'in_progress', accepted_at = now(), extensions_used = 1,
      resolve_due_at = '2026-03-17T17:00:00+07:00' where id = ${c.id}`);
    // another case of the same day, waiting for the business since Thu 26/2 (its open pause is not counted yet)
    const w = await newCase(t, { categoryId: ids.category.xay_dung, receivedAt: '2026-02-12T10:00:00+07:00' });
    await t.database.db.execute(sql`insert into case_pauses (case_id, started_at, reason) values (${w.id}, '2026-02-26T08:00:00+07:00', 'request_info')`);
    await t.database.db.execute(sql`update cases set status = 'awaiting_business', paused_at = '2026-02-26T08:00:00+07:00',
      resolve_due_at = '2026-03-06T17:00:00+07:00' where id = ${w.id}`);

    const r = await put(2026, official2026()); // 3/3 is a working day again
    expect(r.status).toBe(200);
    const after = await caseRow(t, c.id);
    expect(iso(after.resolveDueAt)).toBe('2026-03-16T10:00:00.000Z'); // Monday 16/3 17:00
    const [ev] = await eventsOf(t, c.id, 'deadline_recomputed');
    expect(ev.publicText).toContain('từ 17:00 thứ Ba 17/03/2026 thành 17:00 thứ Hai 16/03/2026');
    const waiting = await caseRow(t, w.id);
    expect(iso(waiting.resolveDueAt)).toBe('2026-03-05T10:00:00.000Z');

    const sla = await t.request().get(`/api/v1/cases/${c.id}/sla`).set(bearer(t.tokens.agency_staff));
    expect(sla.status).toBe(200);
    expect(sla.body).toMatchObject({
      status: 'in_progress',
      baseResolveDueAt: '2026-03-05T17:00:00+07:00',
      resolveDueAt: '2026-03-16T17:00:00+07:00',
      projectedResolveDueAt: '2026-03-16T17:00:00+07:00',
      pausedWorkingMs: 15 * 3_600_000,
      extensionsUsed: 1,
      extensionsAllowed: 1,
      state: 'within_deadline',
      policy: { version: 1, resolveWithin: { amount: 10, unit: 'working_days' } },
    });
    expect(sla.body.extensions[0]).toMatchObject({ amount: 5, unit: 'working_days', reason: 'Cần lấy ý kiến liên ngành' });
    expect(sla.body.explanation.map((s: { kind: string }) => s.kind)).toEqual(expect.arrayContaining(['start', 'rule', 'skip', 'pause', 'extension', 'result']));
    // the policy counts pauses by unit: Mon 23/2 and Tue 24/2 ended while paused
    expect(sla.body.text).toContain('hạn lùi thêm 2 ngày làm việc');
    expect(sla.body.policy.pauseRule).toBe('by_unit');
    expect(sla.body.text).toContain('Đã gia hạn 1 lần: 5 ngày làm việc (lý do: Cần lấy ý kiến liên ngành)');
    expect(sla.body.text).toContain('Tình trạng: còn trong hạn');

    const ws = await t.request().get(`/api/v1/cases/${w.id}/sla`).set(bearer(t.tokens.coordinator));
    expect(ws.body.pausedSince).toBe('2026-02-26T08:00:00+07:00');
    expect(ws.body.text).toContain('đang tạm dừng');
  });

  it('repairs, on the next edit, a deadline computed from a stale calendar (another instance within its cache time)', async () => {
    const c = await newCase(t, { receivedAt: '2026-02-12T10:00:00+07:00' });
    expect(iso(c.resolveDueAt)).toBe('2026-03-05T10:00:00.000Z');
    // as if computed by an instance that still had 3/3 as a day off
    await t.database.db.execute(sql`update cases set resolve_due_at = '2026-03-06T17:00:00+07:00' where id = ${c.id}`);
    const r = await put(2026, official2026());
    expect(r.body.recomputed.deadlinesMoved).toBe(1);
    expect(iso((await caseRow(t, c.id)).resolveDueAt)).toBe('2026-03-05T10:00:00.000Z');
    expect(await eventsOf(t, c.id, 'deadline_recomputed')).toHaveLength(1);
  });

  it('goes back to the generated defaults on DELETE, recomputing open cases the same way', async () => {
    await put(2026, official2026([{ date: '2026-03-04', name: 'Nghỉ đột xuất' }]));
    const c = await newCase(t, { receivedAt: '2026-02-12T10:00:00+07:00' });
    expect(iso(c.resolveDueAt)).toBe('2026-03-06T10:00:00.000Z');
    const r = await t.request().delete('/api/v1/admin/calendar/2026').set(admin());
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ year: 2026, generated: true, stored: false });
    expect(r.body.recomputed.deadlinesMoved).toBeGreaterThanOrEqual(1);
    // generated 2026: Tết 16–20/2 (the weekdays of the official 14–22/2), so the deadline is 5/3 again
    expect(iso((await caseRow(t, c.id)).resolveDueAt)).toBe('2026-03-05T10:00:00.000Z');
    const [ev] = await eventsOf(t, c.id, 'deadline_recomputed');
    expect(ev.publicText).toContain('trở về lịch nghỉ mặc định');
    const get = await t.request().get('/api/v1/admin/calendar/2026').set(admin());
    expect(get.body).toMatchObject({ generated: true, stored: false });
    expect((await t.request().delete('/api/v1/admin/calendar/2026').set(admin())).status).toBe(404);
    // and the official schedule can be entered again
    const back = await put(2026, official2026());
    expect(back.body).toMatchObject({ generated: false, stored: true });
    const pub = await t.request().get('/api/v1/public/deadline').query({ receivedAt: '2026-02-12T10:00:00+07:00', kind: 'phan_anh' });
    expect(pub.body.resolveDueAt).toBe('2026-03-05T17:00:00+07:00');
  });
});
