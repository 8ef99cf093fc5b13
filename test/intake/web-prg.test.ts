import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cases } from '../../src/db/schema.js';
import type { Actor } from '../../src/features/auth/service.js';
import { redactUrl } from '../../src/lib/log.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { dbLabel } from '../helpers/db.js';
import { countRows, refIds, validBody, type RefIds } from './helpers.js';

let t: TestApp;
let ids: RefIds;
let staff: Actor;
beforeAll(async () => {
  t = await createTestApp({ config: { PAKN_RATE_LIMIT_PUBLIC: '100000' } });
  ids = await refIds(t);
  staff = (await t.app.services.auth.authenticate(t.tokens.agency_staff))!;
});
afterAll(async () => t?.close());

type Res = { status: number; headers: Record<string, unknown>; text: string };
const cookieOf = (r: Res) => ((r.headers['set-cookie'] as string[] | undefined) ?? []).map((c) => c.split(';')[0]).join('; ');
const postForm = (path: string, fields: Record<string, string>, cookie = '') =>
  t.request().post(path).set('content-type', 'application/x-www-form-urlencoded').set('cookie', cookie).send(new URLSearchParams(fields).toString());
const get = (path: string, cookie = '') => t.request().get(path).set('cookie', cookie);

async function file() {
  const r = await t.request().post('/api/v1/public/cases').send(validBody(ids));
  expect(r.status).toBe(201);
  const [row] = await t.database.db.select().from(cases).where(eq(cases.trackingCode, r.body.trackingCode));
  return { code: r.body.trackingCode as string, key: r.body.accessKey as string, id: row.id };
}
const version = async (id: number) => (await t.database.db.select({ v: cases.version }).from(cases).where(eq(cases.id, id)))[0].v;

describe(`Post/Redirect/Get on the public pages, on ${dbLabel}`, () => {
  it('a lookup answers 303 to a URL without the key, with a short-lived HttpOnly SameSite=Strict cookie (no Secure on http)', async () => {
    const c = await file();
    const r = await postForm('/tra-cuu', { ma: c.code.toLowerCase(), khoa: c.key.toLowerCase() });
    expect(r.status).toBe(303);
    expect(r.headers.location).toBe(`/tra-cuu/ho-so?ma=${encodeURIComponent(c.code)}`);
    const set = (r.headers['set-cookie'] as unknown as string[])[0];
    expect(set).toMatch(/^pakn_ho_so=[A-Za-z0-9_-]+; Max-Age=1800; Path=\/; HttpOnly; SameSite=Strict$/);
    const page = await get(String(r.headers.location), cookieOf(r));
    expect(page.status).toBe(200);
    expect(page.text).toContain(`Hồ sơ ${c.code}`);
    // without the cookie (another browser, or expired): back to the lookup, code kept, key asked again
    const bare = await get(String(r.headers.location));
    expect(bare.status).toBe(303);
    expect(bare.headers.location).toBe(`/tra-cuu?ma=${encodeURIComponent(c.code)}&het-han=1`);
    expect((await get(String(bare.headers.location))).text).toContain('Vui lòng nhập lại mã truy cập');
    // the cookie of one case does not open another
    const other = await file();
    expect((await get(`/tra-cuu/ho-so?ma=${encodeURIComponent(other.code)}`, cookieOf(r))).status).toBe(303);
  });

  it('the cookie is Secure when the service is served over https', async () => {
    const s = await createTestApp({ config: { PUBLIC_BASE_URL: 'https://pakn.example.gov.vn', PAKN_RATE_LIMIT_PUBLIC: '1000' } });
    try {
      const refs = await refIds(s);
      const f = await s.request().post('/api/v1/public/cases').send(validBody(refs));
      const r = await s.request().post('/tra-cuu').type('form').send({ ma: f.body.trackingCode, khoa: f.body.accessKey });
      expect(r.status).toBe(303);
      expect((r.headers['set-cookie'] as unknown as string[])[0]).toMatch(/; HttpOnly; SameSite=Strict; Secure$/);
    } finally {
      await s.close();
    }
  });

  it('GET /tra-cuu?ma=…&khoa=… keeps working but redirects to a URL without the key; a wrong key too', async () => {
    const c = await file();
    const r = await get(`/tra-cuu?ma=${encodeURIComponent(c.code)}&khoa=${encodeURIComponent(c.key)}`);
    expect(r.status).toBe(303);
    expect(String(r.headers.location)).not.toMatch(/khoa/);
    expect((await get(String(r.headers.location), cookieOf(r))).status).toBe(200);
    const wrong = await get(`/tra-cuu?ma=${encodeURIComponent(c.code)}&khoa=SAI-MA`);
    expect(wrong.status).toBe(303);
    expect(wrong.headers.location).toBe(`/tra-cuu?ma=${encodeURIComponent(c.code)}&khong-thay=1`);
    const page = await get(String(wrong.headers.location));
    expect(page.status).toBe(404);
    expect(page.text).toContain('Không tìm thấy hồ sơ');
    // the request log writes the URL through lib/log.ts: the key never reaches it
    expect(redactUrl(`/tra-cuu?ma=X&khoa=${c.key}&y=1`)).toBe('/tra-cuu?ma=X&khoa=[redacted]&y=1');
  });

  it('a reply answers 303; sent again (reload, Back) it shows the case as it is now, not a 409', async () => {
    const c = await file();
    await t.app.services.workflow.act(c.id, 'accept', { kind: 'staff', actor: staff }, { version: await version(c.id) });
    await t.app.services.workflow.act(c.id, 'request_info', { kind: 'staff', actor: staff }, { version: await version(c.id), publicText: 'Đề nghị bổ sung bản vẽ.' });
    const body = { ma: c.code, khoa: c.key, text: 'Doanh nghiệp gửi bản vẽ thiết kế.' };
    const r = await postForm('/tra-cuu/bo-sung', body);
    expect(r.status).toBe(303);
    expect(r.headers.location).toBe(`/tra-cuu/ho-so?ma=${encodeURIComponent(c.code)}&xong=bo-sung`);
    const page = await get(String(r.headers.location), cookieOf(r));
    expect(page.text).toContain('Đã gửi thông tin bổ sung');
    const events = await countRows(t, 'case_events');
    const again = await postForm('/tra-cuu/bo-sung', body);
    expect(again.status).toBe(303);
    expect(again.headers.location).toBe(`/tra-cuu/ho-so?ma=${encodeURIComponent(c.code)}&xong=da-xu-ly`);
    const shown = await get(String(again.headers.location), cookieOf(again));
    expect(shown.status).toBe(200);
    expect(shown.text).toContain('đã được thực hiện trước đó');
    expect(shown.text).not.toContain('class="error-summary"');
    expect(await countRows(t, 'case_events')).toBe(events);
  });

  it('withdrawal asks first: the case page links to a confirmation page; only its confirmed post withdraws', async () => {
    const c = await file();
    const open = await postForm('/tra-cuu', { ma: c.code, khoa: c.key });
    const cookie = cookieOf(open);
    const casePage = await get(String(open.headers.location), cookie);
    expect(casePage.text).toContain(`href="/tra-cuu/rut?ma=${encodeURIComponent(c.code)}"`);
    expect(casePage.text).not.toContain('action="/tra-cuu/rut"');
    const confirm = await get(`/tra-cuu/rut?ma=${encodeURIComponent(c.code)}`, cookie);
    expect(confirm.status).toBe(200);
    expect(confirm.text).toContain('không thể hoàn tác');
    expect(confirm.text).toContain('Xác nhận rút hồ sơ');
    // a post without the confirmation (an old page) only leads to the question
    const unconfirmed = await postForm('/tra-cuu/rut', { ma: c.code, khoa: c.key, reason: 'x' });
    expect(unconfirmed.status).toBe(303);
    expect(unconfirmed.headers.location).toBe(`/tra-cuu/rut?ma=${encodeURIComponent(c.code)}`);
    expect((await t.database.db.select().from(cases).where(eq(cases.id, c.id)))[0].status).not.toBe('withdrawn');
    const done = await postForm('/tra-cuu/rut', { ma: c.code, khoa: c.key, confirm: '1', reason: 'Doanh nghiệp đã tự giải quyết.' });
    expect(done.status).toBe(303);
    expect((await t.database.db.select().from(cases).where(eq(cases.id, c.id)))[0].status).toBe('withdrawn');
    const after = await get(String(done.headers.location), cookieOf(done));
    expect(after.text).toContain('Hồ sơ đã được rút');
    // the confirmation page of a withdrawn case goes back to the case
    expect((await get(`/tra-cuu/rut?ma=${encodeURIComponent(c.code)}`, cookie)).status).toBe(303);
  });

  it('rating and dispute answer 303 too; a bad rating re-shows the page with the error (400), nothing recorded', async () => {
    const c = await file();
    await t.app.services.workflow.act(c.id, 'accept', { kind: 'staff', actor: staff }, { version: await version(c.id) });
    await t.app.services.workflow.act(c.id, 'resolve', { kind: 'staff', actor: staff }, { version: await version(c.id), reason: 'answered', publicText: 'Đã cấp phép.' });
    const bad = await postForm('/tra-cuu/danh-gia', { ma: c.code, khoa: c.key, rating: '9' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('class="error-summary"');
    const rated = await postForm('/tra-cuu/danh-gia', { ma: c.code, khoa: c.key, rating: '4' });
    expect(rated.status).toBe(303);
    const disputed = await postForm('/tra-cuu/khong-dong-y', { ma: c.code, khoa: c.key, reason: 'Chưa trả lời đủ nội dung.' });
    expect(disputed.status).toBe(303);
    expect(disputed.headers.location).toContain('xong=khong-dong-y');
  });
});
