/**
 * Khiếu nại and tố cáo through the API: the resolution deadline counts from acceptance (thụ lý),
 * provisional before it, fixed by the first acceptance, kept through returns; the public deadline
 * API with and without acceptedAt; escalation and publication judge from acceptance.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { dbLabel } from '../helpers/db.js';
import { enterCase, local, ok, post, reference, timeline, view, type Ref } from '../workflow/helpers.js';

let t: TestApp;
let ref: Ref;
beforeAll(async () => {
  t = await createTestApp({ now: '2026-02-02T02:00:00Z' }); // Monday 2/2/2026 09:00 in Hà Nội
  ref = await reference(t);
});
afterAll(async () => t?.close());

const setLocal = (s: string) => t.clock.set(new Date(local(s)).toISOString());
const deadline = (q: Record<string, string>) => t.request().get('/api/v1/public/deadline').query(q);

/**
 * [kind, priority, receivedAt, acceptedAt, acceptDueAt, resolveDueAt without acceptedAt (provisional), with it]
 * Counted by hand in test/domain/sla-acceptance.test.ts.
 */
const TABLE: Array<[string, string, string, string, string, string, string]> = [
  // acceptance before Tết (14–22/2/2026): 11/2 + 30 days = 13/3
  ['khieu_nai', 'normal', '2026-02-02 09:00', '2026-02-11 10:00', '2026-02-23 17:00', '2026-03-25 17:00', '2026-03-13 17:00'],
  // complex, 45 days: day 45 is Thursday 30/4/2026, 30/4–1/5 off, then a weekend → Monday 4/5
  ['khieu_nai', 'complex', '2026-03-09 10:00', '2026-03-16 09:00', '2026-03-23 17:00', '2026-05-07 17:00', '2026-05-04 17:00'],
  // tố cáo accepted before Tết: 12/2 + 30 = Saturday 14/3 → Monday 16/3
  ['to_cao', 'normal', '2026-02-05 14:00', '2026-02-12 16:00', '2026-02-23 17:00', '2026-03-25 17:00', '2026-03-16 17:00'],
  // tố cáo 2025 accepted on the last allowed day: provisional and final agree
  ['to_cao', 'complex', '2025-01-06 09:00', '2025-01-15 10:00', '2025-01-15 17:00', '2025-02-14 17:00', '2025-02-14 17:00'],
  // phản ánh counts from receipt: acceptedAt changes nothing
  ['phan_anh', 'normal', '2026-03-02 09:00', '2026-03-04 10:00', '2026-03-03 09:30', '2026-03-16 17:00', '2026-03-16 17:00'],
];

describe(`GET /api/v1/public/deadline with acceptedAt on ${dbLabel}`, () => {
  it.each(TABLE)('%s × %s received %s, accepted %s', async (kind, priority, received, accepted, acceptDue, provisional, final) => {
    const fromAcceptance = kind === 'khieu_nai' || kind === 'to_cao';
    const without = await deadline({ kind, priority, receivedAt: local(received) });
    expect(without.status).toBe(200);
    expect(without.body).toMatchObject({
      acceptDueAt: local(acceptDue),
      acceptedAt: null,
      resolveDueAt: local(provisional),
      resolveDueProvisional: fromAcceptance,
      policy: { resolutionStartsAt: fromAcceptance ? 'acceptance' : 'receipt' },
    });
    const withIt = await deadline({ kind, priority, receivedAt: local(received), acceptedAt: local(accepted) });
    expect(withIt.status).toBe(200);
    expect(withIt.body).toMatchObject({ acceptDueAt: local(acceptDue), acceptedAt: local(accepted), resolveDueAt: local(final), resolveDueProvisional: false });
    if (kind === 'khieu_nai') {
      expect(without.body.text).toContain('Luật Khiếu nại năm 2011, Điều 28');
      expect(without.body.text).toContain('Hạn giải quyết tạm tính (muộn nhất, chưa thụ lý)');
      expect(withIt.body.text).toContain('tính từ ngày sau ngày thụ lý');
    }
    if (kind === 'to_cao') expect(withIt.body.text).toContain('Luật Tố cáo năm 2018, Điều 30');
    if (!fromAcceptance) expect(withIt.body.text).not.toContain('thụ lý');
    for (const r of [without, withIt]) expect(r.body.text).not.toMatch(/undefined|NaN|null/);
  });

  it.each([
    [{ acceptedAt: '2026-02-01T09:00:00+07:00' }, 'acceptedAt'],
    [{ acceptedAt: 'hôm qua' }, 'acceptedAt'],
    [{ acceptedAt: '2026-02-11T10:00' }, 'acceptedAt'], // an acceptance needs its offset
    [{ acceptedAt: '2100-01-01T10:00:00+07:00' }, 'acceptedAt'],
  ])('answers 400 naming the field for %j', async (q, field) => {
    const r = await deadline({ kind: 'khieu_nai', receivedAt: '2026-02-02T09:00:00+07:00', ...q });
    expect(r.status).toBe(400);
    expect(r.headers['content-type']).toMatch(/problem\+json/);
    expect(r.body.errors.map((e: { path: string }) => e.path)).toContain(field);
  });
});

describe(`a khiếu nại through the workflow on ${dbLabel}`, () => {
  it('is provisional until accepted, fixed at the first acceptance, and keeps it when returned and accepted again elsewhere', async () => {
    setLocal('2026-02-02 09:00');
    const c = await enterCase(t, { kind: 'khieu_nai', categoryId: ref.categories.xay_dung, receivedAt: local('2026-02-02 09:00') });
    expect(c.status).toBe('assigned');
    expect(c.resolveDueAt).toBe(local('2026-03-25 17:00'));

    // the staff view, the receipt and assignment e-mails, the tracking page and Open311 all say "provisional"
    const v0 = await view(t, 'agency_staff', c.id);
    expect(v0).toMatchObject({ acceptDueAt: local('2026-02-23 17:00'), resolveDueAt: local('2026-03-25 17:00'), resolveDueProvisional: true, firstAcceptedAt: null });
    // the work queue's item too (its query reads only that part of the frozen policy)
    const listed = async () => ((await t.request().get('/api/v1/cases?limit=100').set(bearer(t.tokens.agency_staff))).body.items as Array<{ id: number; resolveDueProvisional: boolean }>).find((i) => i.id === c.id);
    expect(await listed()).toMatchObject({ resolveDueProvisional: true });
    const mail = await t.database.db.execute(sql`select template, text_body from outbox where case_id = ${c.id} order by id`);
    const bodies = mail.rows as Array<{ template: string; text_body: string }>;
    expect(bodies.find((m) => m.template === 'receipt')?.text_body).toContain('25/03/2026 (tạm tính, muộn nhất; hạn chính thức tính từ ngày thụ lý)');
    expect(bodies.find((m) => m.template === 'assignment')?.text_body).toContain('Hạn trả lời: 17:00 ngày 25/03/2026 (tạm tính');
    const pub = await t.request().get(`/api/v1/public/cases/${c.trackingCode}`).set('X-Access-Key', c.accessKey);
    expect(pub.status).toBe(200);
    expect(pub.body.deadline).toMatchObject({ resolveDueAt: local('2026-03-25 17:00'), provisional: true });
    expect(pub.body.deadline.resolveDueText).toContain('tạm tính');
    // a khiếu nại is never shown to an Open311 app that did not file it (docs/decisions.md, "Who sees what")
    const otherApp = (await t.request().post('/api/v1/admin/api-clients').set(bearer(t.tokens.admin)).send({ name: 'Ứng dụng khác' })).body.apiKey as string;
    const o311 = await t.request().get(`/open311/v2/requests/${c.trackingCode}.json`).query({ extensions: 'true', api_key: otherApp });
    expect(o311.status).toBe(404);

    // thụ lý on Wednesday 11/2, before Tết: 30 days → Friday 13/3
    setLocal('2026-02-11 10:00');
    const accepted = await ok(t, 'agency_staff', c.id, 'accept', { version: v0.version });
    expect(accepted).toMatchObject({ resolveDueAt: local('2026-03-13 17:00'), resolveDueProvisional: false, firstAcceptedAt: local('2026-02-11 10:00') });
    expect(await listed()).toMatchObject({ resolveDueProvisional: false });
    const ev = (await timeline(t, 'coordinator', c.id)).filter((e) => e.action === 'accept');
    expect(ev[0].publicText).toContain('đã thụ lý');
    expect(ev[0].publicText).toContain('17:00 thứ Sáu 13/03/2026');
    expect(ev[0].data).toMatchObject({ resolutionStarted: true });

    // returned on 12/2, assigned to Sở NN&MT and accepted there on 25/2: the clock follows the case
    setLocal('2026-02-12 09:00');
    const back = await ok(t, 'agency_staff', c.id, 'return', { version: accepted.version, reason: 'Không thuộc thẩm quyền của Sở Xây dựng' });
    expect(back.resolveDueAt).toBe(local('2026-03-13 17:00'));
    const again = await ok(t, 'coordinator', c.id, 'assign', { version: back.version, agencyId: ref.agencies.so_nn_mt });
    expect(again.resolveDueAt).toBe(local('2026-03-13 17:00'));
    setLocal('2026-02-25 10:00');
    const second = await ok(t, 'agency_staff_nnmt', c.id, 'accept', { version: again.version });
    expect(second).toMatchObject({ resolveDueAt: local('2026-03-13 17:00'), firstAcceptedAt: local('2026-02-11 10:00'), acceptedAt: local('2026-02-25 10:00') });

    const sla = await t.request().get(`/api/v1/cases/${c.id}/sla`).set(bearer(t.tokens.coordinator));
    expect(sla.body).toMatchObject({ resolveDueAt: local('2026-03-13 17:00'), firstAcceptedAt: local('2026-02-11 10:00'), resolveDueProvisional: false });
    expect(sla.body.text).toContain('Ngày thụ lý: thứ Tư 11/02/2026');
    expect(sla.body.text).toContain('Luật Khiếu nại năm 2011, Điều 28');

    // answered on the last day: on time
    setLocal('2026-03-13 16:00');
    const done = await ok(t, 'agency_staff_nnmt', c.id, 'resolve', { version: second.version, reason: 'answered', publicText: 'Đã giải quyết khiếu nại.' });
    expect(done.outcome).toBe('on_time');
  });

  it('a provisional deadline follows a new acceptance deadline after a return', async () => {
    setLocal('2026-03-02 09:00');
    const c = await enterCase(t, { kind: 'khieu_nai', categoryId: ref.categories.xay_dung, receivedAt: local('2026-03-02 09:00') });
    // accept by 16/3; provisional 16/3 + 30 = 15/4
    expect(c.resolveDueAt).toBe(local('2026-04-15 17:00'));
    setLocal('2026-03-04 10:00');
    const back = await ok(t, 'agency_staff', c.id, 'return', { version: c.version, reason: 'Chuyển cơ quan khác' });
    expect(back).toMatchObject({ resolveDueAt: local('2026-04-15 17:00'), resolveDueProvisional: true });
    const again = await ok(t, 'coordinator', c.id, 'assign', { version: back.version, agencyId: ref.agencies.so_nn_mt });
    // assigned 4/3 10:00: accept by 18/3; provisional 18/3 + 30 = 17/4
    expect(again).toMatchObject({ acceptDueAt: local('2026-03-18 17:00'), resolveDueAt: local('2026-04-17 17:00'), resolveDueProvisional: true });
  });
});

describe(`a tố cáo extended twice on ${dbLabel}`, () => {
  it('counts 30 days from acceptance and each extension from the deadline before it; a third is refused', async () => {
    setLocal('2025-01-06 09:00');
    const c = await enterCase(t, { kind: 'to_cao', categoryId: ref.categories.xay_dung, receivedAt: local('2025-01-06 09:00') });
    const a = await ok(t, 'coordinator', c.id, 'assign', { version: c.version, agencyId: ref.agencies.so_xay_dung });
    expect(a).toMatchObject({ acceptDueAt: local('2025-01-15 17:00'), resolveDueAt: local('2025-02-14 17:00'), resolveDueProvisional: true });
    setLocal('2025-01-15 10:00');
    const acc = await ok(t, 'agency_staff', c.id, 'accept', { version: a.version });
    expect(acc.resolveDueAt).toBe(local('2025-02-14 17:00'));
    setLocal('2025-02-10 09:00');
    const e1 = await ok(t, 'agency_lead', c.id, 'extend', { version: acc.version, amount: 30, unit: 'calendar_days', reason: 'Vụ việc phức tạp' });
    expect(e1.resolveDueAt).toBe(local('2025-03-17 17:00')); // 14/2 + 30 = Sunday 16/3 → Monday 17/3
    setLocal('2025-03-12 09:00');
    const e2 = await ok(t, 'agency_lead', c.id, 'extend', { version: e1.version, amount: 30, unit: 'calendar_days', reason: 'Vụ việc đặc biệt phức tạp' });
    expect(e2.resolveDueAt).toBe(local('2025-04-16 17:00'));
    const e3 = await post(t, 'agency_lead', c.id, 'extend', { version: e2.version, amount: 10, unit: 'calendar_days', reason: 'Lần thứ ba' });
    expect(e3.status).toBe(409);
    const sla = await t.request().get(`/api/v1/cases/${c.id}/sla`).set(bearer(t.tokens.coordinator));
    expect(sla.body.resolveDueAt).toBe(local('2025-04-16 17:00'));
    expect(sla.body.projectedResolveDueAt).toBe(local('2025-04-16 17:00'));
    expect(sla.body.text).toContain('Luật Tố cáo năm 2018, Điều 30');
  });
});

describe(`escalation of a case not accepted yet on ${dbLabel}`, () => {
  it('watches the acceptance deadline, not the provisional resolution deadline; after acceptance the resolution deadline', async () => {
    setLocal('2026-03-02 09:00');
    const c = await enterCase(t, { kind: 'khieu_nai', categoryId: ref.categories.xay_dung, receivedAt: local('2026-03-02 09:00') });
    // past the provisional deadline (15/4) without ever being accepted
    setLocal('2026-04-20 09:00');
    await t.app.services.escalation.runEscalation(t.clock.now());
    const levels = async () =>
      ((await t.database.db.execute(sql`select level from escalations where case_id = ${c.id} order by level`)).rows as Array<{ level: string }>).map((r) => r.level);
    expect(await levels()).toEqual(['accept_overdue']);
    // accepted on 20/4: due 20/5; overdue once that passes
    const v = await view(t, 'agency_staff', c.id);
    const acc = await ok(t, 'agency_staff', c.id, 'accept', { version: v.version });
    expect(acc.resolveDueAt).toBe(local('2026-05-20 17:00'));
    setLocal('2026-05-21 09:00');
    await t.app.services.escalation.runEscalation(t.clock.now());
    expect(await levels()).toContain('overdue');
  });
});

describe(`publication judges from acceptance on ${dbLabel}`, () => {
  it('a complaint accepted on the last allowed day and answered within 30 days of that is on time', async () => {
    setLocal('2026-03-02 09:00');
    const c = await enterCase(t, {
      kind: 'khieu_nai',
      categoryId: ref.categories.xay_dung,
      receivedAt: local('2026-03-02 09:00'),
      title: 'Khiếu nại quyết định xử phạt vi phạm hành chính về xây dựng',
    });
    // accept by 16/3 17:00: accepted at 16:00 that day; 30 days → Wednesday 15/4
    setLocal('2026-03-16 16:00');
    const acc = await ok(t, 'agency_staff', c.id, 'accept', { version: c.version });
    expect(acc.resolveDueAt).toBe(local('2026-04-15 17:00'));
    // answered on 15/4, two weeks after receipt + 30 days (1/4): counted from receipt it would be late
    setLocal('2026-04-15 10:00');
    const done = await ok(t, 'agency_staff', c.id, 'resolve', { version: acc.version, reason: 'answered', publicText: 'Giữ nguyên quyết định xử phạt; lý do như sau.' });
    expect(done.outcome).toBe('on_time');
    setLocal('2026-05-02 09:00');
    const r = await t.request().get('/api/v1/reports/2026-04/preview').set(bearer(t.tokens.coordinator));
    expect(r.status).toBe(200);
    const row = r.body.cases.find((x: { trackingCode: string }) => x.trackingCode === c.trackingCode);
    expect(row).toMatchObject({ kind: 'khieu_nai', outcome: 'on_time' });
    expect(r.body.method).toContain('Với khiếu nại và tố cáo, hạn giải quyết tính từ ngày thụ lý');
  });
});

describe(`a khiếu nại filed through Open311 on ${dbLabel}`, () => {
  it('shows its app a provisional expected_datetime until thụ lý, then the deadline from acceptance', async () => {
    setLocal('2026-02-02 09:00');
    const key = (await t.request().post('/api/v1/admin/api-clients').set(bearer(t.tokens.admin)).send({ name: 'Cổng dịch vụ công' })).body.apiKey as string;
    const services = (await t.request().get('/open311/v2/services.json')).body as Array<{ service_code: string; service_name: string }>;
    const service = services.find((s) => s.service_name === 'Xây dựng')!;
    const filed = await t.request().post('/open311/v2/requests.json').type('form').send({
      api_key: key,
      service_code: service.service_code,
      kind: 'khieu_nai',
      description: 'Khiếu nại quyết định xử phạt vi phạm hành chính trong xây dựng',
      address_string: 'KCN Quế Võ',
      email: 'phaply@congty-abc.vn',
      business_name: 'Công ty Cổ phần ABC',
    });
    expect(filed.status).toBe(200);
    const code = filed.body[0].service_request_id as string;
    const read = async () => (await t.request().get(`/open311/v2/requests/${code}.json`).query({ extensions: 'true', api_key: key })).body[0];
    const before = await read();
    expect(before.extended_attributes.expected_datetime_provisional).toBe(true);
    expect(before.service_notice).toContain('muộn nhất');
    const id = Number((await t.database.db.execute(sql`select id from cases where tracking_code = ${code}`)).rows[0].id);
    const v = await view(t, 'agency_staff', id);
    expect(v.resolveDueProvisional).toBe(true);
    expect(before.expected_datetime).toBe(v.resolveDueAt);

    setLocal('2026-02-11 10:00');
    const accepted = await ok(t, 'agency_staff', id, 'accept', { version: v.version });
    expect(accepted).toMatchObject({ resolveDueAt: local('2026-03-13 17:00'), resolveDueProvisional: false });
    const after = await read();
    expect(after.extended_attributes.expected_datetime_provisional).toBe(false);
    expect(after.expected_datetime).toBe(local('2026-03-13 17:00'));
    expect(after.service_notice).not.toContain('tạm tính');
  });
});
