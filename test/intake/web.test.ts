import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cases } from '../../src/db/schema.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { dbLabel } from '../helpers/db.js';
import { countRows, refIds, validBody, type RefIds } from './helpers.js';

let t: TestApp;
let ids: RefIds;
beforeAll(async () => {
  t = await createTestApp({ config: { PAKN_RATE_LIMIT_PUBLIC: '8' } });
  ids = await refIds(t);
});
afterAll(async () => t?.close());

const form = (over: Record<string, unknown> = {}) => {
  const b = { ...validBody(ids), consentPublishName: undefined, ...over };
  return new URLSearchParams(Object.entries(b).filter(([, v]) => v !== undefined && v !== null).map(([k, v]) => [k, String(v)])).toString();
};
const postForm = (body: string, path = '/') => t.request().post(path).set('content-type', 'application/x-www-form-urlencoded').send(body);
/** Follows a 303 as a browser does, with the cookie it set. */
async function follow(r: { status: number; headers: Record<string, unknown> }) {
  expect(r.status).toBe(303);
  const cookies = ((r.headers['set-cookie'] as string[] | undefined) ?? []).map((c) => c.split(';')[0]).join('; ');
  return t.request().get(String(r.headers.location)).set('cookie', cookies);
}
const codeOf = (html: string) => /id="ma-ho-so">([^<]+)</.exec(html)?.[1];
const keyOf = (html: string) => /id="ma-truy-cap">([^<]+)</.exec(html)?.[1];

describe(`web pages on ${dbLabel}`, () => {
  it('renders the form in Vietnamese from the database, with no script and a label for every input', async () => {
    const r = await t.request().get('/');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/text\/html/);
    expect(r.text).toContain('<html lang="vi">');
    expect(r.text).not.toMatch(/<script/i);
    expect(r.text).toContain('Phòng cháy, chữa cháy'); // a category from the database
    expect(r.text).toContain('Phường Kinh Bắc'); // a locality
    expect(r.text).toContain('Không dùng cho trường hợp khẩn cấp');
    for (const k of ['Phản ánh', 'Kiến nghị', 'Khiếu nại', 'Tố cáo']) expect(r.text).toContain(k);
    const inputIds = [...r.text.matchAll(/<(?:input|select|textarea)\b[^>]*\bid="([^"]+)"/g)].map((m) => m[1]);
    expect(inputIds.length).toBeGreaterThan(10);
    for (const id of inputIds) expect(r.text, id).toContain(`for="${id}"`);
  });

  it('files a case from a url-encoded form post (channel web) and shows code and key', async () => {
    const posted = await postForm(form({ formId: 'form-token-aaaaaaaaaaaaa1' }));
    expect(posted.headers.location).toMatch(/^\/da-tiep-nhan\?ma=PAKN\.\d{8}\.\d{4}$/);
    const r = await follow(posted);
    expect(r.status).toBe(200);
    expect(r.headers['cache-control']).toBe('no-store');
    const code = codeOf(r.text)!;
    expect(code).toMatch(/^PAKN\.\d{8}\.\d{4}$/);
    expect(keyOf(r.text)).toBeTruthy();
    const [row] = await t.database.db.select().from(cases).where(eq(cases.trackingCode, code));
    expect(row.channel).toBe('web');
    expect(row.consentPublishName).toBe(false);
    // sent twice (a double click, a reload): one case, the same code and key
    const n = await countRows(t, 'cases');
    const again = await follow(await postForm(form({ formId: 'form-token-aaaaaaaaaaaaa1' })));
    expect(codeOf(again.text)).toBe(code);
    expect(keyOf(again.text)).toBe(keyOf(r.text));
    expect(await countRows(t, 'cases')).toBe(n);
    // the same form sent again after an edit is a new case
    const edited = await follow(await postForm(form({ formId: 'form-token-aaaaaaaaaaaaa1', title: 'Nội dung đã sửa sau khi gửi' })));
    expect(codeOf(edited.text)).not.toBe(code);
  });

  it('pretends success to a robot that fills the hidden field, and records nothing', async () => {
    const n = await countRows(t, 'cases');
    const r = await postForm(form({ website: 'http://spam.example' }));
    expect(r.status).toBe(200);
    expect(r.text).toContain('Cảm ơn');
    expect(codeOf(r.text)).toBeUndefined();
    expect(await countRows(t, 'cases')).toBe(n);
  });

  it('escapes what the business typed on every page', async () => {
    const evil = '<script>alert("x")</script> <img src=x onerror=alert(1)>';
    const bad = await postForm(form({ title: evil, taxCode: '123' }));
    expect(bad.status).toBe(400);
    expect(bad.text).not.toContain('<script>alert');
    expect(bad.text).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    const ok = await follow(await postForm(form({ title: `Giấy phép ${evil}` })));
    const code = codeOf(ok.text)!;
    const key = keyOf(ok.text)!;
    const link = await t.request().get(`/tra-cuu?ma=${encodeURIComponent(code)}&khoa=${encodeURIComponent(key)}`);
    expect(link.headers.location).not.toContain(key.slice(0, 4));
    const page = await follow(link);
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('<img src=x');
    expect(page.text).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('answers a wrong code or key on the tracking page with the same message', async () => {
    const a = await postForm('ma=PAKN.20260302.9999&khoa=abc', '/tra-cuu');
    expect(a.status).toBe(404);
    expect(a.text).toContain('Không tìm thấy hồ sơ');
    const empty = await postForm('ma=&khoa=', '/tra-cuu');
    expect(empty.status).toBe(400);
    expect(empty.text).toContain('Vui lòng nhập mã hồ sơ');
    expect(empty.text).toContain('aria-invalid="true"');
  });

  it('answers a flood of form posts with a Vietnamese page (429), while pages still load', async () => {
    let last = 0;
    for (let i = 0; i < 10 && last !== 429; i++) last = (await postForm('title=x')).status;
    expect(last).toBe(429);
    const r = await postForm('title=x');
    expect(r.status).toBe(429);
    expect(r.headers['content-type']).toMatch(/text\/html/);
    expect(r.text).toContain('Quá nhiều yêu cầu');
    expect((await t.request().get('/')).status).toBe(200);
  });
});
