import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cases, outbox } from '../../src/db/schema.js';
import { normalizeTaxCode } from '../../src/domain/validators.js';
import { SITE_CSS } from '../../src/web/style.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { dbLabel } from '../helpers/db.js';
import { refIds, validBody, type RefIds } from './helpers.js';

let t: TestApp;
let ids: RefIds;
beforeAll(async () => {
  t = await createTestApp({ config: { PAKN_RATE_LIMIT_PUBLIC: '100000' } });
  ids = await refIds(t);
});
afterAll(async () => t?.close());

const formOf = (over: Record<string, unknown> = {}) => {
  const b = { ...validBody(ids), consentPublishName: undefined, ...over };
  return new URLSearchParams(Object.entries(b).filter(([, v]) => v !== undefined && v !== null).map(([k, v]) => [k, String(v)])).toString();
};
const postForm = (body: string) => t.request().post('/').set('content-type', 'application/x-www-form-urlencoded').send(body);
async function follow(r: { status: number; headers: Record<string, unknown> }) {
  expect(r.status).toBe(303);
  const cookies = ((r.headers['set-cookie'] as string[] | undefined) ?? []).map((c) => c.split(';')[0]).join('; ');
  return t.request().get(String(r.headers.location)).set('cookie', cookies);
}
const codeOf = (html: string) => /id="ma-ho-so">([^<]+)</.exec(html)?.[1] ?? '';
const caseRow = async (code: string) => (await t.database.db.select().from(cases).where(eq(cases.trackingCode, code)))[0];
/** The visible text of a page (tags dropped, entities of the escaper undone, spaces collapsed). */
const textOf = (html: string) =>
  html
    .replace(/<style>[\s\S]*?<\/style>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');

describe(`public copy on ${dbLabel}`, () => {
  it('speaks to the business as "doanh nghiệp", never "bạn", on every public page state', async () => {
    const pages = [
      await t.request().get('/'),
      await postForm(formOf({ title: '' })),
      await t.request().get('/tra-cuu'),
      await t.request().get('/tra-cuu?ma=PAKN.20260302.0001&khong-thay=1'),
      await t.request().get('/tra-cuu/quen-ma'),
    ];
    const sent = await postForm(formOf());
    const confirmation = await follow(sent);
    pages.push(confirmation);
    for (const p of pages) {
      expect(p.text).toContain('doanh nghiệp');
      expect(textOf(p.text)).not.toMatch(/(^|[^\p{L}])bạn([^\p{L}]|$)/iu);
    }
    // and the mail the business receives
    const row = await caseRow(codeOf(confirmation.text));
    const [mail] = await t.database.db.select().from(outbox).where(eq(outbox.caseId, row.id));
    expect(mail.textBody).toContain('Quý doanh nghiệp');
    expect(mail.textBody).not.toMatch(/(^|[^\p{L}])bạn([^\p{L}]|$)/iu);
  });

  it('a tố cáo is confirmed with exactly the promise of secrecy, on the page and in the mail', async () => {
    const r = await postForm(formOf({ kind: 'to_cao', title: 'Cán bộ đòi tiền khi thẩm định hồ sơ' }));
    const page = await follow(r);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<h1>Đã tiếp nhận tố cáo</h1>');
    expect(page.text).toContain('<strong>Đã tiếp nhận tố cáo. Danh tính người tố cáo được giữ bí mật.</strong>');
    const row = await caseRow(codeOf(page.text));
    const [mail] = await t.database.db.select().from(outbox).where(eq(outbox.caseId, row.id));
    expect(mail.subject).toContain('Đã tiếp nhận tố cáo');
    expect(mail.textBody).toContain('Đã tiếp nhận tố cáo. Danh tính người tố cáo được giữ bí mật.');
    // another kind does not say it
    const other = await follow(await postForm(formOf()));
    expect(other.text).toContain('<h1>Đã tiếp nhận phản ánh</h1>');
    expect(other.text).not.toContain('Danh tính người tố cáo được giữ bí mật.</strong>');
  });

  it('the tax code is marked required, with its exception (kiến nghị) said next to it', async () => {
    const r = await t.request().get('/');
    const field = /<label for="f-taxCode">[\s\S]*?<\/div>/.exec(r.text)?.[0] ?? '';
    expect(field).toMatch(/Mã số thuế <span class="req" aria-hidden="true">\*<\/span><\/label>/);
    expect(field).toContain('Bắt buộc, trừ khi gửi kiến nghị.');
    // the rule it describes: required for a phản ánh, not for a kiến nghị
    const missing = await postForm(formOf({ taxCode: '' }));
    expect(missing.status).toBe(400);
    expect(missing.text).toContain('Vui lòng nhập mã số thuế (không bắt buộc với kiến nghị).');
    expect((await postForm(formOf({ kind: 'kien_nghi', taxCode: '' }))).status).toBe(303);
  });

  it('consent to publish the name is not offered for a tố cáo, and is ignored if sent anyway', async () => {
    const form = await t.request().get('/');
    expect(form.text).toContain('name="consentPublishName"');
    // without script, a style rule hides it once tố cáo is chosen
    expect(SITE_CSS.value).toContain('form:has(input[name=kind][value=to_cao]:checked) .consent{display:none}');
    expect(form.text).toMatch(/<div class="field consent">/);
    // the form shown again for a tố cáo does not offer it at all
    const again = await postForm(formOf({ kind: 'to_cao', title: '' }));
    expect(again.status).toBe(400);
    expect(again.text).not.toContain('name="consentPublishName"');
    // sent anyway (web form, API): a tố cáo is stored without consent
    const web = await follow(await postForm(formOf({ kind: 'to_cao', consentPublishName: 'true' })));
    expect((await caseRow(codeOf(web.text))).consentPublishName).toBe(false);
    const api = await t.request().post('/api/v1/public/cases').send(validBody(ids, { kind: 'to_cao', consentPublishName: true }));
    expect(api.status).toBe(201);
    expect((await caseRow(api.body.trackingCode)).consentPublishName).toBe(false);
    // other kinds keep it
    const ok = await t.request().post('/api/v1/public/cases').send(validBody(ids, { consentPublishName: true }));
    expect((await caseRow(ok.body.trackingCode)).consentPublishName).toBe(true);
  });

  it('lists localities in Vietnamese alphabetical order (Đ after D, before K)', async () => {
    const r = await t.request().get('/');
    const select = /<select id="f-localityId"[\s\S]*?<\/select>/.exec(r.text)?.[0] ?? '';
    const names = [...select.matchAll(/<option value="\d+"[^>]*>([^<]+)<\/option>/g)].map((m) => m[1]);
    expect(names.length).toBeGreaterThan(5);
    expect(names).toEqual([...names].sort(new Intl.Collator('vi').compare));
    expect(names.indexOf('Phường Đồng Nguyên')).toBeLessThan(names.indexOf('Phường Kinh Bắc'));
    // by code points Đ (U+0110) would come after every Latin letter
    expect([...names].sort()).not.toEqual(names);
  });

  it('a tax code typed with spaces, dots or hyphens between digit groups is accepted and stored canonical', async () => {
    for (const [typed, stored] of [
      ['0100 109 106', '0100109106'],
      ['0100.109.106', '0100109106'],
      ['0100-109-106', '0100109106'],
      [' 0100109106 - 001 ', '0100109106-001'],
      ['0100109106001', '0100109106-001'],
    ]) {
      const r = await t.request().post('/api/v1/public/cases').send(validBody(ids, { taxCode: typed }));
      expect(r.status, typed).toBe(201);
      expect((await caseRow(r.body.trackingCode)).taxCode).toBe(stored);
    }
    const web = await follow(await postForm(formOf({ taxCode: '0100 109 106' })));
    expect((await caseRow(codeOf(web.text))).taxCode).toBe('0100109106');
    // still checked: a wrong check digit or a wrong length is refused, naming the field
    for (const bad of ['0100 109 107', '0100 109 10', '01OO109106']) {
      const r = await t.request().post('/api/v1/public/cases').send(validBody(ids, { taxCode: bad }));
      expect(r.status, bad).toBe(400);
      expect(r.body.errors.map((e: { path: string }) => e.path)).toContain('taxCode');
    }
    expect(normalizeTaxCode('0100109106-0001')).toBe('0100109106-0001'); // 14 digits: left for the check to refuse
  });

  it('an error summary link lands with the label still in view (scroll-margin-top on the fields)', async () => {
    expect(SITE_CSS.value).toMatch(/\.field \[id\^="f-"\],fieldset \[id\^="f-"\]\{scroll-margin-top:9rem\}/);
    const r = await postForm(formOf({ title: '' }));
    expect(r.text).toContain('<a href="#f-title">');
    expect(r.text).toMatch(/<input id="f-title"/);
  });
});
