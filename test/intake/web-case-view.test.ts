import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachments, caseEvents, cases } from '../../src/db/schema.js';
import type { Actor } from '../../src/features/auth/service.js';
import { ATTACHMENT_LIMITS } from '../../src/features/intake/attachments.js';
import { disclose, ownWordsOf } from '../../src/domain/disclosure.js';
import { verifyCases } from '../../src/features/timeline/replay.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { dbLabel } from '../helpers/db.js';
import { countRows, EXE, PDF_MIN, PNG_1PX, refIds, validBody, type RefIds } from './helpers.js';

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
const version = async (id: number) => (await t.database.db.select({ v: cases.version }).from(cases).where(eq(cases.id, id)))[0].v;
const act = async (id: number, action: 'accept' | 'request_info' | 'note', input: Record<string, unknown> = {}) =>
  t.app.services.workflow.act(id, action, { kind: 'staff', actor: staff }, { version: await version(id), ...input });

/** A case filed with a file, waiting for the business to answer an information request. */
async function awaitingCase() {
  const body = validBody(ids, { content: 'Hồ sơ xin giấy phép xây dựng nộp từ tháng 12 <b>chưa có kết quả</b>, quá hạn theo quy định.' });
  let req = t.request().post('/api/v1/public/cases');
  for (const [k, v] of Object.entries(body)) req = req.field(k, String(v));
  const r = await req.attach('attachments', PDF_MIN, { filename: 'giay-phep-cu.pdf', contentType: 'application/pdf' });
  expect(r.status).toBe(201);
  const [row] = await t.database.db.select().from(cases).where(eq(cases.trackingCode, r.body.trackingCode));
  await act(row.id, 'accept');
  await act(row.id, 'request_info', { publicText: 'Đề nghị bổ sung bản vẽ mặt bằng.' });
  // staff-internal words that the business must never see
  await act(row.id, 'note', { internalText: 'GHI CHÚ NỘI BỘ: kiểm tra lại hồ sơ đất.' });
  const look = await t.request().post('/tra-cuu').type('form').send({ ma: r.body.trackingCode, khoa: r.body.accessKey });
  expect(look.status).toBe(303);
  return { code: r.body.trackingCode as string, key: r.body.accessKey as string, id: row.id, cookie: cookieOf(look), path: String(look.headers.location) };
}

function replyForm(c: { code: string; key: string; cookie: string }, text: string, files: Array<{ name: string; data: Buffer }>) {
  let req = t.request().post('/tra-cuu/bo-sung').set('cookie', c.cookie).field('ma', c.code).field('khoa', c.key).field('text', text);
  if (files.length === 0) req = req.field('attachments', '');
  for (const f of files) req = req.attach('attachments', f.data, { filename: f.name, contentType: 'application/octet-stream' });
  return req;
}

describe(`the business sees and adds to what it sent, on ${dbLabel}`, () => {
  it('the case page shows the submission (title, content, file names), never staff-internal notes', async () => {
    const c = await awaitingCase();
    const page = await t.request().get(c.path).set('cookie', c.cookie);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<h2>Nội dung doanh nghiệp đã gửi</h2>');
    expect(page.text).toContain('Chậm cấp giấy phép xây dựng nhà xưởng');
    // the content, escaped
    expect(page.text).toContain('nộp từ tháng 12 &lt;b&gt;chưa có kết quả&lt;/b&gt;');
    expect(page.text).toContain('<li>giay-phep-cu.pdf (1 KB)</li>');
    expect(page.text).not.toContain('GHI CHÚ NỘI BỘ');
    // the reply form takes files, with the intake limits said
    expect(page.text).toContain('<form method="post" action="/tra-cuu/bo-sung" enctype="multipart/form-data" novalidate>');
    expect(page.text).toMatch(/<input id="f-attachments" name="attachments" type="file" multiple/);
    // the API view carries the same, and no internal text either
    const api = await t.request().get(`/api/v1/public/cases/${c.code}`).set('x-access-key', c.key);
    expect(api.body.submission).toEqual({ content: expect.stringContaining('<b>chưa có kết quả</b>'), attachments: [{ name: 'giay-phep-cu.pdf', size: PDF_MIN.length }] });
    expect(JSON.stringify(api.body)).not.toContain('GHI CHÚ NỘI BỘ');
  });

  it('a reply with files: stored in the same transaction, shown back with the reply text; the timeline replay agrees', async () => {
    const c = await awaitingCase();
    const r = await replyForm(c, 'Công ty gửi bổ sung bản vẽ mặt bằng tầng 1 và ảnh hiện trạng.', [
      { name: 'ban-ve-mat-bang.pdf', data: PDF_MIN },
      { name: 'anh hien trang.png', data: PNG_1PX },
    ]);
    expect(r.status).toBe(303);
    expect(r.headers.location).toBe(`/tra-cuu/ho-so?ma=${encodeURIComponent(c.code)}&xong=bo-sung`);
    const page = await t.request().get(String(r.headers.location)).set('cookie', cookieOf(r));
    expect(page.text).toContain('Nội dung doanh nghiệp gửi:');
    expect(page.text).toContain('Công ty gửi bổ sung bản vẽ mặt bằng tầng 1 và ảnh hiện trạng.');
    expect(page.text).toContain('Tệp đính kèm: ban-ve-mat-bang.pdf, anh hien trang.png');
    // the submission's own files stay apart from the reply's
    expect(page.text).toContain('<li>giay-phep-cu.pdf (1 KB)</li>');
    expect(page.text).not.toContain('<li>ban-ve-mat-bang.pdf');
    const files = await t.database.db.select().from(attachments).where(eq(attachments.caseId, c.id));
    expect(files.map((f) => [f.filename, f.mime])).toEqual([
      ['giay-phep-cu.pdf', 'application/pdf'],
      ['ban-ve-mat-bang.pdf', 'application/pdf'],
      ['anh hien trang.png', 'image/png'],
    ]);
    const [ev] = await t.database.db.select().from(caseEvents).where(and(eq(caseEvents.caseId, c.id), eq(caseEvents.action, 'reply')));
    expect(ev.data?.attachmentIds).toEqual([files[1].id, files[2].id]);
    // staff see them among the case's attachments
    const list = await t.request().get(`/api/v1/cases/${c.id}/attachments`).set('authorization', `Bearer ${t.tokens.coordinator}`);
    expect(list.body.items).toHaveLength(3);
    const check = await verifyCases(t.database.db);
    expect(check.problems.filter((p) => p.caseId === c.id)).toEqual([]);
  });

  it('a file of the wrong type, too big or one too many: the reply text comes back, the error at the file field, nothing written', async () => {
    const c = await awaitingCase();
    const text = 'Nội dung bổ sung đã gõ, không được mất khi tệp bị từ chối.';
    const before = await Promise.all([countRows(t, 'attachments'), countRows(t, 'case_events')]);
    const big = Buffer.concat([PNG_1PX, Buffer.alloc(ATTACHMENT_LIMITS.maxFileBytes + 10, 1)]);
    const six = Array.from({ length: 6 }, (_, i) => ({ name: `anh-${i + 1}.png`, data: PNG_1PX }));
    for (const files of [[{ name: 'virus.exe', data: EXE }], [{ name: 'qua-lon.png', data: big }], six]) {
      const r = await replyForm(c, text, files);
      expect(r.status).toBe(400);
      expect(r.text).toContain(`>${text}</textarea>`);
      expect(r.text).toMatch(/<p class="field-error" id="f-attachments-error">/);
      expect(r.text).toContain('href="#f-attachments"');
      expect(r.text).toContain('Vui lòng chọn lại tệp đã đính kèm.');
    }
    expect(await Promise.all([countRows(t, 'attachments'), countRows(t, 'case_events')])).toEqual(before);
    // a missing text and a bad file: both named at once
    const both = await replyForm(c, '', [{ name: 'virus.exe', data: EXE }]);
    expect(both.status).toBe(400);
    expect(both.text).toContain('href="#f-text"');
    expect(both.text).toContain('href="#f-attachments"');
    // still waiting for the business; a plain reply without files works
    const ok = await replyForm(c, text, []);
    expect(ok.status).toBe(303);
  });

  it('the public API reply takes files as multipart, with the same checks', async () => {
    const c = await awaitingCase();
    const bad = await t
      .request()
      .post(`/api/v1/public/cases/${c.code}/reply`)
      .set('x-access-key', c.key)
      .field('text', 'Gửi kèm tệp không hợp lệ.')
      .attach('attachments', EXE, { filename: 'a.exe' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe('attachments.0');
    const ok = await t
      .request()
      .post(`/api/v1/public/cases/${c.code}/reply`)
      .set('x-access-key', c.key)
      .field('text', 'Gửi kèm bản vẽ.')
      .attach('attachments', PDF_MIN, { filename: 'ban-ve.pdf' });
    expect(ok.status).toBe(200);
    const reply = ok.body.timeline.find((e: { action: string }) => e.action === 'reply');
    expect(reply).toMatchObject({ ownText: 'Gửi kèm bản vẽ.', attachments: ['ban-ve.pdf'] });
  });

  it("the business's own words are shown back only to the business (disclosure rule)", () => {
    const c = { kind: 'to_cao', confidential: true, consentPublishName: false };
    const reply = { actorRole: 'public', action: 'reply', internalText: 'Lời của doanh nghiệp' };
    expect(ownWordsOf(disclose(c, { kind: 'tracker' }), reply)).toBe('Lời của doanh nghiệp');
    for (const a of [{ kind: 'publication' }, { kind: 'open311', own: true }, { kind: 'open311', own: false }] as const) {
      expect(ownWordsOf(disclose(c, a), reply)).toBeNull();
    }
    // a staff note is never the business's own words, whoever looks
    expect(ownWordsOf(disclose(c, { kind: 'tracker' }), { actorRole: 'agency_staff', action: 'note', internalText: 'nội bộ' })).toBeNull();
    expect(ownWordsOf(disclose(c, { kind: 'tracker' }), { actorRole: 'public', action: 'receive', internalText: 'x' })).toBeNull();
  });
});
