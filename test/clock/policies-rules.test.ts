import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OFFICIAL_2026 } from '../../src/domain/calendar-data.js';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { dbLabel } from '../helpers/db.js';
import { caseRow, eventsOf, newCase, refIds } from './fixtures.js';

let t: TestApp;
let ids: Awaited<ReturnType<typeof refIds>>;
beforeAll(async () => {
  t = await createTestApp({ now: '2026-03-02T02:00:00Z' }); // Monday 2/3/2026 09:00 in Hà Nội
  ids = await refIds(t);
});
afterAll(async () => t?.close());

const admin = () => bearer(t.tokens.admin);
const iso = (d: Date | null) => (d ? d.toISOString() : null);
type Policy = { id: number; kind: string; priority: string; categoryId: number | null; version: number; active: boolean; supersededAt: string | null };
type Rule = { id: number; position: number; kind: string | null; categoryId: number | null; localityId: number | null; agencyId: number; agencyName: string };

describe(`SLA policies on ${dbLabel}`, () => {
  it('lists the twelve default policies to admin, coordinator and inspector, not to agencies', async () => {
    const r = await t.request().get('/api/v1/admin/sla-policies').set(bearer(t.tokens.inspector));
    expect(r.status).toBe(200);
    expect(r.body.items).toHaveLength(12);
    const pa = r.body.items.find((p: Policy) => p.kind === 'phan_anh' && p.priority === 'normal');
    expect(pa).toMatchObject({
      version: 1,
      active: true,
      categoryId: null,
      acceptWithin: { amount: 8, unit: 'working_hours' },
      resolveWithin: { amount: 10, unit: 'working_days' },
      extension: { maxCount: 1, maxAmount: 10, unit: 'working_days' },
    });
    expect(pa.description).toContain('giải quyết trong 10 ngày làm việc');
    const tc = r.body.items.find((p: Policy) => p.kind === 'to_cao' && p.priority === 'normal');
    expect(tc).toMatchObject({ resolveWithin: { amount: 30, unit: 'calendar_days' }, extension: { maxCount: 2, maxAmount: 30, unit: 'calendar_days' } });
    expect((await t.request().get('/api/v1/admin/sla-policies').set(bearer(t.tokens.coordinator))).status).toBe(200);
    expect((await t.request().get('/api/v1/admin/sla-policies').set(bearer(t.tokens.agency_lead))).status).toBe(403);
  });

  it('keeps the policy frozen on a case through a policy edit; new cases get the new version', async () => {
    const before = await newCase(t, { categoryId: ids.category.xay_dung }); // received Mon 2/3 09:00: 10 working days → Mon 16/3
    expect(iso(before.resolveDueAt)).toBe('2026-03-16T10:00:00.000Z');

    const edit = await t.request()
      .post('/api/v1/admin/sla-policies')
      .set(admin())
      .send({ kind: 'phan_anh', priority: 'normal', resolveWithin: { amount: 7, unit: 'working_days' } });
    expect(edit.status).toBe(201);
    expect(edit.body).toMatchObject({ version: 2, active: true, resolveWithin: { amount: 7, unit: 'working_days' }, acceptWithin: { amount: 8, unit: 'working_hours' } });

    const old = await caseRow(t, before.id);
    expect(old.slaPolicy).toMatchObject({ version: 1, resolveWithin: { amount: 10, unit: 'working_days' } });
    expect(iso(old.resolveDueAt)).toBe('2026-03-16T10:00:00.000Z');
    const sla = await t.request().get(`/api/v1/cases/${before.id}/sla`).set(bearer(t.tokens.agency_staff));
    expect(sla.status).toBe(200);
    expect(sla.body).toMatchObject({ policy: { version: 1 }, resolveDueAt: '2026-03-16T17:00:00+07:00', state: 'within_deadline' });

    const after = await newCase(t, { categoryId: ids.category.xay_dung });
    expect((await caseRow(t, after.id)).slaPolicy).toMatchObject({ version: 2 });
    expect(iso(after.resolveDueAt)).toBe('2026-03-11T10:00:00.000Z'); // 7 working days → Wed 11/3

    const pub = await t.request().get('/api/v1/public/deadline').query({ kind: 'phan_anh', priority: 'normal' });
    expect(pub.body).toMatchObject({ policy: { version: 2 }, resolveDueAt: '2026-03-11T17:00:00+07:00' });

    // the history keeps version 1, superseded at the edit
    const all = await t.request().get('/api/v1/admin/sla-policies').query({ all: 'true', kind: 'phan_anh', priority: 'normal' }).set(admin());
    expect(all.body.items.map((p: Policy) => [p.version, p.active])).toEqual([
      [2, true],
      [1, false],
    ]);
    expect(all.body.items[1].supersededAt).toBe('2026-03-02T09:00:00+07:00');
    const active = await t.request().get('/api/v1/admin/sla-policies').query({ kind: 'phan_anh' }).set(admin());
    expect(active.body.items.map((p: Policy) => p.version).sort()).toEqual([1, 1, 2]);

    // a later calendar edit recomputes the old case by its frozen 10 working days, not by version 2
    const cal = await t.request()
      .put('/api/v1/admin/calendar/2026')
      .set(admin())
      .send({ holidays: [...OFFICIAL_2026.holidays, { date: '2026-03-12', name: 'Nghỉ đột xuất' }], workingSaturdays: [] });
    expect(cal.status).toBe(200);
    expect(iso((await caseRow(t, before.id)).resolveDueAt)).toBe('2026-03-17T10:00:00.000Z');
    expect(iso((await caseRow(t, after.id)).resolveDueAt)).toBe('2026-03-11T10:00:00.000Z');
    expect((await caseRow(t, before.id)).slaPolicy).toMatchObject({ version: 1 });
    await t.request().put('/api/v1/admin/calendar/2026').set(admin()).send({ holidays: OFFICIAL_2026.holidays, workingSaturdays: [] });
  });

  it('accepts PUT as well, and a category-specific policy that beats the general one until retired', async () => {
    const put = await t.request()
      .put('/api/v1/admin/sla-policies')
      .set(admin())
      .send({ kind: 'kien_nghi', priority: 'urgent', categoryId: ids.category.pccc, resolveWithin: { amount: 6, unit: 'working_hours' } });
    expect(put.status).toBe(201);
    expect(put.body).toMatchObject({ version: 1, categoryId: ids.category.pccc, acceptWithin: { amount: 4, unit: 'working_hours' }, extension: { maxCount: 0 } });
    const q = { receivedAt: '2026-03-02T09:00:00+07:00', kind: 'kien_nghi', priority: 'urgent' };
    const specific = await t.request().get('/api/v1/public/deadline').query({ ...q, categoryId: ids.category.pccc });
    expect(specific.body).toMatchObject({ policy: { categorySpecific: true }, resolveDueAt: '2026-03-02T17:00:00+07:00' });
    const general = await t.request().get('/api/v1/public/deadline').query({ ...q, categoryId: ids.category.thue });
    expect(general.body).toMatchObject({ policy: { categorySpecific: false }, resolveDueAt: '2026-03-03T17:00:00+07:00' });

    const retired = await t.request().delete(`/api/v1/admin/sla-policies/${put.body.id}`).set(admin());
    expect(retired.status).toBe(200);
    expect(retired.body.active).toBe(false);
    const back = await t.request().get('/api/v1/public/deadline').query({ ...q, categoryId: ids.category.pccc });
    expect(back.body.policy.categorySpecific).toBe(false);
    expect((await t.request().delete(`/api/v1/admin/sla-policies/${put.body.id}`).set(admin())).status).toBe(409);
    const generic = (await t.request().get('/api/v1/admin/sla-policies').query({ kind: 'to_cao', priority: 'normal' }).set(admin())).body.items[0];
    expect((await t.request().delete(`/api/v1/admin/sla-policies/${generic.id}`).set(admin())).status).toBe(409);
    expect((await t.request().delete('/api/v1/admin/sla-policies/999999').set(admin())).status).toBe(404);
  });

  it.each([
    [{ kind: 'phan_anh', priority: 'normal', resolveWithin: { amount: -1, unit: 'working_days' } }, 'resolveWithin.amount'],
    [{ kind: 'phan_anh', priority: 'normal', resolveWithin: { amount: 0, unit: 'working_days' } }, 'resolveWithin.amount'],
    [{ kind: 'phan_anh', priority: 'normal', resolveWithin: { amount: 2.5, unit: 'working_days' } }, 'resolveWithin.amount'],
    [{ kind: 'phan_anh', priority: 'normal', acceptWithin: { amount: 4, unit: 'weeks' } }, 'acceptWithin.unit'],
    [{ kind: 'phan_anh', priority: 'normal', extension: { maxCount: 1, maxAmount: 0, unit: 'working_days' } }, 'extension.maxAmount'],
    [{ kind: 'phan_anh', priority: 'normal', extension: { maxCount: -1, maxAmount: 5, unit: 'working_days' } }, 'extension.maxCount'],
    [{ kind: 'phan_anh', priority: 'rush', resolveWithin: { amount: 5, unit: 'working_days' } }, 'priority'],
    [{ priority: 'normal', resolveWithin: { amount: 5, unit: 'working_days' } }, 'kind'],
    [{ kind: 'phan_anh', priority: 'normal', categoryId: 999999, resolveWithin: { amount: 5, unit: 'working_days' } }, 'categoryId'],
    [{ kind: 'phan_anh', priority: 'urgent' }, '(body)'],
  ])('answers %j with 400 naming %s, and writes no version', async (body, field) => {
    const before = (await t.request().get('/api/v1/admin/sla-policies').query({ all: 'true' }).set(admin())).body.items.length;
    const r = await t.request().post('/api/v1/admin/sla-policies').set(admin()).send(body);
    expect(r.status).toBe(400);
    expect(r.body.errors.map((e: { path: string }) => e.path)).toContain(field);
    const after = (await t.request().get('/api/v1/admin/sla-policies').query({ all: 'true' }).set(admin())).body.items.length;
    expect(after).toBe(before);
  });

  it('lets only admin publish policies', async () => {
    const body = { kind: 'phan_anh', priority: 'complex', resolveWithin: { amount: 15, unit: 'working_days' } };
    expect((await t.request().post('/api/v1/admin/sla-policies').set(bearer(t.tokens.coordinator)).send(body)).status).toBe(403);
  });
});

describe(`routing rules on ${dbLabel}`, () => {
  const rules = async () => (await t.request().get('/api/v1/admin/routing-rules').set(admin())).body.items as Rule[];

  it('lists the rules in order with agency names', async () => {
    const list = await rules();
    expect(list.length).toBeGreaterThan(10);
    expect(list[0]).toMatchObject({ kind: 'to_cao', agencyName: 'Thanh tra tỉnh' });
    const positions = list.map((r) => r.position);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect((await t.request().get('/api/v1/admin/routing-rules').set(bearer(t.tokens.agency_staff))).status).toBe(403);
  });

  it('changes where new cases go, never moves cases already assigned', async () => {
    const placed = await newCase(t, { categoryId: ids.category.xay_dung });
    expect(placed.agencyId).toBe(ids.agency.so_xay_dung);
    const before = await caseRow(t, placed.id);
    const eventsBefore = (await eventsOf(t, placed.id)).length;

    const rule = (await rules()).find((r) => r.categoryId === ids.category.xay_dung)!;
    const patch = await t.request().patch(`/api/v1/admin/routing-rules/${rule.id}`).set(admin()).send({ agencyId: ids.agency.so_nn_mt, note: 'Chuyển theo phân cấp mới' });
    expect(patch.status).toBe(200);
    expect(patch.body).toMatchObject({ id: rule.id, agencyId: ids.agency.so_nn_mt, agencyName: 'Sở Nông nghiệp và Môi trường', note: 'Chuyển theo phân cấp mới' });

    const after = await caseRow(t, placed.id);
    expect(after.agencyId).toBe(ids.agency.so_xay_dung);
    expect(after.status).toBe('assigned');
    expect(after.version).toBe(before.version);
    expect(after.updatedAt).toEqual(before.updatedAt);
    expect(await eventsOf(t, placed.id)).toHaveLength(eventsBefore);

    const next = await newCase(t, { categoryId: ids.category.xay_dung });
    expect(next.agencyId).toBe(ids.agency.so_nn_mt);

    const test = await t.request().post('/api/v1/admin/routing-rules/test').set(bearer(t.tokens.coordinator)).send({ kind: 'phan_anh', categoryId: ids.category.xay_dung });
    expect(test.status).toBe(200);
    expect(test.body).toMatchObject({ routed: true, agency: { id: ids.agency.so_nn_mt }, rule: { id: rule.id } });
    expect(test.body.text).toContain('Sở Nông nghiệp và Môi trường');
  });

  it('adds, tests and removes a rule; with no rule matching, the case waits in the triage queue', async () => {
    const none = await t.request().post('/api/v1/admin/routing-rules/test').set(admin()).send({ kind: 'kien_nghi', categoryId: ids.category.hai_quan });
    expect(none.body).toMatchObject({ routed: false, rule: null, agency: null });
    expect(none.body.text).toContain('hàng đợi');

    const add = await t.request()
      .post('/api/v1/admin/routing-rules')
      .set(admin())
      .send({ kind: 'kien_nghi', categoryId: ids.category.hai_quan, localityId: ids.locality.p_tu_son, agencyId: ids.agency.ubnd_p_tu_son });
    expect(add.status).toBe(201);
    const list = await rules();
    expect(add.body.position).toBe(Math.max(...list.filter((r) => r.id !== add.body.id).map((r) => r.position)) + 10);

    const hit = await t.request()
      .post('/api/v1/admin/routing-rules/test')
      .set(admin())
      .send({ kind: 'kien_nghi', categoryId: ids.category.hai_quan, localityId: ids.locality.p_tu_son });
    expect(hit.body).toMatchObject({ routed: true, agency: { id: ids.agency.ubnd_p_tu_son, name: 'UBND phường Từ Sơn' } });
    const c = await newCase(t, { kind: 'kien_nghi', categoryId: ids.category.hai_quan, localityId: ids.locality.p_tu_son });
    expect(c.agencyId).toBe(ids.agency.ubnd_p_tu_son);

    const off = await t.request().patch(`/api/v1/admin/routing-rules/${add.body.id}`).set(admin()).send({ active: false });
    expect(off.body.active).toBe(false);
    const miss = await t.request()
      .post('/api/v1/admin/routing-rules/test')
      .set(admin())
      .send({ kind: 'kien_nghi', categoryId: ids.category.hai_quan, localityId: ids.locality.p_tu_son });
    expect(miss.body.routed).toBe(false);

    expect((await t.request().delete(`/api/v1/admin/routing-rules/${add.body.id}`).set(admin())).status).toBe(204);
    expect((await t.request().delete(`/api/v1/admin/routing-rules/${add.body.id}`).set(admin())).status).toBe(404);
    expect((await t.request().patch(`/api/v1/admin/routing-rules/${add.body.id}`).set(admin()).send({ active: true })).status).toBe(404);
    // the case placed by the removed rule keeps its agency
    expect((await caseRow(t, c.id)).agencyId).toBe(ids.agency.ubnd_p_tu_son);
    const queued = await newCase(t, { kind: 'kien_nghi', categoryId: ids.category.hai_quan, localityId: ids.locality.p_tu_son });
    expect(queued).toMatchObject({ status: 'received', agencyId: null });
  });

  it.each([
    ['post', { agencyId: 999999 }, 'agencyId'],
    ['post', { agencyId: 'AGENCY' }, 'agencyId'],
    ['post', {}, 'agencyId'],
    ['post', { agencyId: 'SXD', categoryId: 999999 }, 'categoryId'],
    ['post', { agencyId: 'SXD', localityId: 999999 }, 'localityId'],
    ['post', { agencyId: 'SXD', kind: 'thu_gop_y' }, 'kind'],
    ['post', { agencyId: 'SXD', position: -5 }, 'position'],
    ['patch', { agencyId: 999999 }, 'agencyId'],
    ['patch', { categoryId: 999999 }, 'categoryId'],
    ['test', { kind: 'phan_anh', localityId: 999999 }, 'localityId'],
    ['test', { categoryId: 1 }, 'kind'],
  ])('%s %j answers 400 naming %s and changes nothing', async (op, body, field) => {
    const b = { ...body } as Record<string, unknown>;
    if (b.agencyId === 'SXD') b.agencyId = ids.agency.so_xay_dung;
    const before = await rules();
    const target = before[before.length - 1];
    const req =
      op === 'post'
        ? t.request().post('/api/v1/admin/routing-rules')
        : op === 'patch'
          ? t.request().patch(`/api/v1/admin/routing-rules/${target.id}`)
          : t.request().post('/api/v1/admin/routing-rules/test');
    const r = await req.set(admin()).send(b);
    expect(r.status).toBe(400);
    expect(r.body.errors.map((e: { path: string }) => e.path)).toContain(field);
    expect(await rules()).toEqual(before);
  });

  it('lets only admin change rules', async () => {
    const body = { agencyId: ids.agency.so_y_te };
    expect((await t.request().post('/api/v1/admin/routing-rules').set(bearer(t.tokens.coordinator)).send(body)).status).toBe(403);
    expect((await t.request().delete('/api/v1/admin/routing-rules/1').set(bearer(t.tokens.inspector))).status).toBe(403);
  });
});

describe(`GET /api/v1/cases/{id}/sla on ${dbLabel}`, () => {
  it('shows an agency only its own cases, and a confidential case without the reporter', async () => {
    const c = await newCase(t, { kind: 'to_cao', priority: 'normal' }); // routed to Thanh tra tỉnh
    expect(c.agencyId).toBe(ids.agency.thanh_tra_tinh);
    expect((await t.request().get(`/api/v1/cases/${c.id}/sla`).set(bearer(t.tokens.agency_staff))).status).toBe(404);
    expect((await t.request().get(`/api/v1/cases/${c.id}/sla`).set(bearer(t.tokens.agency_lead))).status).toBe(404);
    const insp = await t.request().get(`/api/v1/cases/${c.id}/sla`).set(bearer(t.tokens.inspector));
    expect(insp.status).toBe(200);
    expect(insp.body).toMatchObject({
      caseId: c.id,
      status: 'assigned',
      policy: { kind: 'to_cao', resolveWithin: { amount: 30, unit: 'calendar_days' } },
      receivedAt: '2026-03-02T09:00:00+07:00',
      // not accepted yet: the provisional latest deadline, 30 days from the acceptance deadline's day
      resolveDueAt: '2026-04-10T17:00:00+07:00',
      resolveDueProvisional: true,
      resolutionStartsAt: 'acceptance',
      firstAcceptedAt: null,
      acceptDueAt: '2026-03-11T17:00:00+07:00',
      state: 'within_deadline',
    });
    expect(insp.body.text).toContain('Luật Tố cáo năm 2018, Điều 30');
    expect(insp.body.text).toContain('tạm tính');
    expect(JSON.stringify(insp.body)).not.toContain('Thử Nghiệm');
    expect(JSON.stringify(insp.body)).not.toContain('Nguyễn Văn A');
    expect(insp.body.text).toContain('30 ngày');
    expect((await t.request().get('/api/v1/cases/99999999/sla').set(bearer(t.tokens.admin))).status).toBe(404);
    expect((await t.request().get('/api/v1/cases/abc/sla').set(bearer(t.tokens.admin))).status).toBe(400);
    expect((await t.request().get(`/api/v1/cases/${c.id}/sla`)).status).toBe(401);
  });

  it('turns overdue when the clock passes the deadline', async () => {
    const c = await newCase(t, { categoryId: ids.category.thue, priority: 'urgent', receivedAt: '2026-03-02T08:00:00+07:00' });
    const now = await t.request().get(`/api/v1/cases/${c.id}/sla`).set(bearer(t.tokens.coordinator));
    expect(now.body).toMatchObject({ resolveDueAt: '2026-03-03T17:00:00+07:00', state: 'within_deadline' });
    t.clock.set('2026-03-03T10:01:00Z');
    const later = await t.request().get(`/api/v1/cases/${c.id}/sla`).set(bearer(t.tokens.coordinator));
    expect(later.body.state).toBe('overdue');
    expect(later.body.text).toContain('đã quá hạn');
    t.clock.set('2026-03-02T02:00:00Z');
  });
});
