/**
 * Settings held in the database: seeded from the environment on first start only, edited by
 * admin field by field with an audit trail, and applied by every instance (escalation
 * recipients, the staff mail window, the footer of every e-mail).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromLocal } from '../../src/domain/calendar.js';
import { generateYearTable } from '../../src/domain/holidays.js';
import { nextInWindow } from '../../src/features/settings/service.js';
import { createWorkingCalendar, parseOfficeHours } from '../../src/domain/calendar.js';
import { enterCase, outboxOf, secondInstance } from '../escalation/helpers.js';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { dbLabel } from '../helpers/db.js';

const LEADERSHIP = 'lanhdao.ubnd@bacninh.example';
const INSPECTORATE = 'thanhtra.tinh@bacninh.example';
let t: TestApp;

beforeAll(async () => {
  t = await createTestApp({
    now: '2026-03-02T02:00:00Z',
    config: { PAKN_LEADERSHIP_EMAILS: LEADERSHIP, PAKN_INSPECTORATE_EMAILS: INSPECTORATE, PAKN_HOTLINE: '0222 1111 111' },
  });
});
afterAll(async () => {
  await t?.close();
});

const get = () => t.request().get('/api/v1/admin/settings').set(bearer(t.tokens.admin));
const put = (body: unknown, method: 'put' | 'patch' = 'put') => t.request()[method]('/api/v1/admin/settings').set(bearer(t.tokens.admin)).send(body as object);

describe(`settings on ${dbLabel}`, () => {
  it('first start: the environment fills the fields never set, the demo its identity; both on the audit trail', async () => {
    const r = await get();
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      coordinatorEmails: [],
      leadershipEmails: [LEADERSHIP],
      inspectorateEmails: [INSPECTORATE],
      staffMailWindow: '07:30-11:30,13:30-17:00',
      provinceName: 'tỉnh Bắc Ninh',
      // the demo seed ran first and set the hotline: the environment does not overwrite a set field
      hotline: '0222 3 822 000',
      officeAddress: 'Trung tâm Phục vụ hành chính công tỉnh, phường Kinh Bắc, tỉnh Bắc Ninh',
    });
    expect(r.headers.etag).toBe(`"${r.body.version}"`);
    const trail = await t.request().get('/api/v1/admin/settings/changes').set(bearer(t.tokens.admin));
    expect(trail.status).toBe(200);
    const fields = trail.body.items.map((c: { field: string; actorLabel: string }) => `${c.actorLabel}:${c.field}`).sort();
    expect(fields).toEqual(
      [
        'Biến môi trường (khởi động lần đầu):coordinatorEmails',
        'Biến môi trường (khởi động lần đầu):inspectorateEmails',
        'Biến môi trường (khởi động lần đầu):leadershipEmails',
        'Biến môi trường (khởi động lần đầu):staffMailWindow',
        'Dữ liệu mẫu:hotline',
        'Dữ liệu mẫu:officeAddress',
        'Dữ liệu mẫu:provinceName',
      ].sort(),
    );
  });

  it('admin only', async () => {
    expect((await t.request().get('/api/v1/admin/settings').set(bearer(t.tokens.coordinator))).status).toBe(403);
    expect((await t.request().put('/api/v1/admin/settings').set(bearer(t.tokens.coordinator)).send({ hotline: '1022' })).status).toBe(403);
    expect((await t.request().get('/api/v1/admin/settings')).status).toBe(401);
    expect((await t.request().get('/api/v1/admin/settings/changes').set(bearer(t.tokens.agency_lead))).status).toBe(403);
  });

  it('a one-field PUT or PATCH changes that field only, bumps the version and records old → new with who', async () => {
    const before = (await get()).body;
    const r = await put({ hotline: ' 0222 3 822 999 ' });
    expect(r.status).toBe(200);
    expect(r.body.changed).toEqual(['hotline']);
    expect(r.body).toMatchObject({ ...before, hotline: '0222 3 822 999', version: before.version + 1, changed: ['hotline'], updatedAt: '2026-03-02T09:00:00+07:00', updatedBy: expect.any(Number) });
    expect(before.updatedBy).toBeNull(); // set by the environment and the demo
    const p = await put({ leadershipEmails: ['VanPhong@BacNinh.gov.vn', 'vanphong@bacninh.gov.vn', LEADERSHIP] }, 'patch');
    expect(p.status).toBe(200);
    expect(p.body).toMatchObject({ hotline: '0222 3 822 999', inspectorateEmails: [INSPECTORATE], leadershipEmails: ['vanphong@bacninh.gov.vn', LEADERSHIP], version: before.version + 2 });
    // the same value again is not a change
    const same = await put({ hotline: '0222 3 822 999' });
    expect(same.body).toMatchObject({ changed: [], version: before.version + 2 });
    const trail = (await t.request().get('/api/v1/admin/settings/changes?limit=2').set(bearer(t.tokens.admin))).body;
    expect(trail.items[0]).toMatchObject({ field: 'leadershipEmails', oldValue: [LEADERSHIP], newValue: ['vanphong@bacninh.gov.vn', LEADERSHIP], version: before.version + 2, at: '2026-03-02T09:00:00+07:00' });
    expect(trail.items[1]).toMatchObject({ field: 'hotline', oldValue: '0222 3 822 000', newValue: '0222 3 822 999', actorLabel: expect.stringMatching(/.+/) });
    expect(trail.items[1].actorUserId).toEqual(expect.any(Number));
    expect(trail.nextBefore).toBe(trail.items[1].id);
  });

  it('bad input is a 400 naming the field, and nothing of the request is written', async () => {
    const v = (await get()).body.version;
    const cases: Array<[unknown, string]> = [
      [{ leadershipEmails: ['a@bacninh.gov.vn', 'not-an-email'] }, 'leadershipEmails.1'],
      [{ provinceName: 'tỉnh Bắc\u0000Ninh' }, 'provinceName'],
      [{ officeAddress: 'Số 1\nđường X' }, 'officeAddress'],
      [{ hotline: '0222<script>' }, 'hotline'],
      [{ staffMailWindow: '17:00-07:30' }, 'staffMailWindow'],
      [{ staffMailWindow: 'office hours' }, 'staffMailWindow'],
      [{ provinceName: '' }, 'provinceName'],
      [{ hotline: '1022', color: 'red' }, '(body)'],
      [{}, '(body)'],
      [{ hotline: '1022', inspectorateEmails: 'x@y.vn' }, 'inspectorateEmails'],
    ];
    for (const [body, path] of cases) {
      const r = await put(body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.headers['content-type']).toMatch(/problem\+json/);
      expect(JSON.stringify(r.body.errors), JSON.stringify(body)).toContain(path === '(body)' ? '' : `"path":"${path}"`);
    }
    const after = (await get()).body;
    expect(after.version).toBe(v);
    expect(after.hotline).toBe('0222 3 822 999');
  });

  it('If-Match guards against overwriting a change not seen', async () => {
    const v = (await get()).body.version;
    const stale = await t.request().put('/api/v1/admin/settings').set(bearer(t.tokens.admin)).set('If-Match', `"${v - 1}"`).send({ hotline: '1022' });
    expect(stale.status).toBe(412);
    expect((await get()).body.hotline).toBe('0222 3 822 999');
    const ok = await t.request().put('/api/v1/admin/settings').set(bearer(t.tokens.admin)).set('If-Match', `"${v}"`).send({ officeAddress: 'Số 10 Phù Đổng Thiên Vương, phường Kinh Bắc' });
    expect(ok.status).toBe(200);
    expect(ok.headers.etag).toBe(`"${v + 1}"`);
  });

  it('siteInfo() and every e-mail footer carry the stored identity', async () => {
    expect(await t.app.services.settings.siteInfo()).toEqual({ provinceName: 'tỉnh Bắc Ninh', hotline: '0222 3 822 999', officeAddress: 'Số 10 Phù Đổng Thiên Vương, phường Kinh Bắc' });
    const c = await enterCase(t.app, t.clock.now());
    const mails = await outboxOf(t.app, c.id);
    expect(mails.map((m) => m.template).sort()).toEqual(['assignment', 'receipt']);
    for (const m of mails) {
      expect(m.text_body).toContain('Tổ phản ứng nhanh hỗ trợ doanh nghiệp tỉnh Bắc Ninh');
      expect(m.text_body).toContain('Đường dây nóng: 0222 3 822 999 · Địa chỉ: Số 10 Phù Đổng Thiên Vương, phường Kinh Bắc');
    }
  });

  it('intake mail: the instance that changed the identity uses it at once, another one within 30 s (its reference cache)', async () => {
    const second = await secondInstance(t.database, t.clock, {});
    const hotlineOf = async (app: TestApp['app']) => {
      const c = await enterCase(app, t.clock.now());
      const receipt = (await outboxOf(t.app, c.id)).find((m) => m.template === 'receipt')!;
      return /Đường dây nóng: ([^·]+?) ·/.exec(receipt.text_body)?.[1];
    };
    try {
      expect(await hotlineOf(second.app)).toBe('0222 3 822 999'); // its cache is warm
      expect(await hotlineOf(t.app)).toBe('0222 3 822 999');
      expect((await put({ hotline: '0222 3 888 888' })).status).toBe(200);
      expect(await hotlineOf(t.app)).toBe('0222 3 888 888');
      expect(await hotlineOf(second.app)).toBe('0222 3 822 999');
      t.clock.advance(30_001);
      expect(await hotlineOf(second.app)).toBe('0222 3 888 888');
    } finally {
      expect((await put({ hotline: '0222 3 822 999' })).status).toBe(200);
      await second.close();
    }
  });

  it('two instances on one database: the second one’s environment seeds nothing; both apply the stored settings at once', async () => {
    const second = await secondInstance(t.database, t.clock, { PAKN_LEADERSHIP_EMAILS: 'someone.else@bacninh.example', PAKN_STAFF_MAIL_WINDOW: '07:00-20:00' });
    try {
      expect(await second.app.services.settings.seedFromConfig()).toEqual([]); // its start-up
      const s2 = await second.app.services.settings.get();
      expect(s2.leadershipEmails).toEqual(['vanphong@bacninh.gov.vn', LEADERSHIP]);
      expect(s2.staffMailWindow).toBe('07:30-11:30,13:30-17:00');

      // admin changes them on the first instance: the second applies them on its next run
      expect((await put({ leadershipEmails: ['chutich@bacninh.gov.vn'], inspectorateEmails: [], staffMailWindow: '08:00-09:00' })).status).toBe(200);
      expect((await second.app.services.settings.get()).leadershipEmails).toEqual(['chutich@bacninh.gov.vn']);

      // a case seriously overdue, found by the second instance at 10:00 on a Monday
      t.clock.set(fromLocal('2026-03-30', '10:00'));
      const c = await enterCase(t.app, t.clock.now(), { receivedAt: fromLocal('2026-03-02', '09:00') });
      await second.app.services.escalation.runEscalation(t.clock.now());
      const serious = (await outboxOf(t.app, c.id)).find((m) => m.template === 'serious')!;
      expect(serious.to_addrs).toEqual(['chutich@bacninh.gov.vn']);
      expect(serious.cc_addrs).toEqual([]);
      // outside the window 08:00-09:00: held to the next working day's opening
      expect(serious.next_attempt_at.toISOString()).toBe(fromLocal('2026-03-31', '08:00').toISOString());
      expect(serious.text_body).toContain('Đường dây nóng: 0222 3 822 999');
    } finally {
      await second.close();
    }
  });
});

describe('the staff mail window', () => {
  const cal = createWorkingCalendar({ years: [], fallback: generateYearTable });
  const w = parseOfficeHours('07:30-11:30,13:30-17:00');
  const at = (d: string, t2: string) => fromLocal(d, t2).toISOString();
  it('inside a period: now; lunch, evening, weekend and holidays: the next opening', () => {
    expect(nextInWindow(cal, w, fromLocal('2026-03-02', '09:00')).toISOString()).toBe(at('2026-03-02', '09:00'));
    expect(nextInWindow(cal, w, fromLocal('2026-03-02', '11:30')).toISOString()).toBe(at('2026-03-02', '13:30'));
    expect(nextInWindow(cal, w, fromLocal('2026-03-06', '17:00')).toISOString()).toBe(at('2026-03-09', '07:30'));
    expect(nextInWindow(cal, w, fromLocal('2026-04-30', '06:00')).toISOString()).toBe(at('2026-05-04', '07:30')); // 30/4, 1/5, weekend
    expect(nextInWindow(cal, parseOfficeHours('08:00-09:00'), fromLocal('2026-03-02', '07:00')).toISOString()).toBe(at('2026-03-02', '08:00'));
  });
});
