import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseEvents, cases, outbox } from '../../src/db/schema.js';
import { replayCase, verifyCases } from '../../src/features/timeline/replay.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { dbLabel } from '../helpers/db.js';
import { startSmtp, type TestSmtp } from '../notifications/smtp.js';
import { refIds, validBody, type RefIds } from './helpers.js';

let t: TestApp;
let ids: RefIds;
let smtp: TestSmtp;
beforeAll(async () => {
  smtp = await startSmtp();
  t = await createTestApp({
    config: { PAKN_RATE_LIMIT_PUBLIC: '100000', PAKN_RATE_LIMIT_KEY_RECOVERY: '100000', SMTP_URL: smtp.url, MAIL_FROM: 'pakn@pakn.test' },
  });
  ids = await refIds(t);
});
afterAll(async () => {
  await t?.close();
  await smtp?.stop();
});

type Res = { status: number; headers: Record<string, unknown>; text: string };
const postForm = (path: string, fields: Record<string, string>) =>
  t.request().post(path).set('content-type', 'application/x-www-form-urlencoded').send(new URLSearchParams(fields).toString());
const cookieOf = (r: Res) => ((r.headers['set-cookie'] as string[] | undefined) ?? []).map((c) => c.split(';')[0]).join('; ');

let n = 0;
async function file(email = `chu.${++n}@cokhikinhbac.vn`) {
  const r = await t.request().post('/api/v1/public/cases').send(validBody(ids, { email }));
  expect(r.status).toBe(201);
  const [row] = await t.database.db.select().from(cases).where(eq(cases.trackingCode, r.body.trackingCode));
  return { code: r.body.trackingCode as string, key: r.body.accessKey as string, id: row.id, email };
}
const recoveryMail = async (caseId: number) =>
  t.database.db.select().from(outbox).where(and(eq(outbox.caseId, caseId), eq(outbox.template, 'access_key_reissue')));
const reissueEvents = async (caseId: number) =>
  t.database.db.select().from(caseEvents).where(and(eq(caseEvents.caseId, caseId), eq(caseEvents.action, 'access_key_reissue')));
const keyIn = (text: string) => /Mã truy cập mới: ([0-9A-Z-]+)/.exec(text)?.[1] ?? '';
const opens = async (code: string, key: string) => (await t.request().get(`/api/v1/public/cases/${encodeURIComponent(code)}`).set('x-access-key', key)).status;

describe(`a lost access key on ${dbLabel}`, () => {
  it('/tra-cuu offers "Quên mã truy cập?", leading to a form for the code and the e-mail', async () => {
    const lookup = await t.request().get('/tra-cuu?ma=PAKN.20260302.0001');
    expect(lookup.text).toContain('<a href="/tra-cuu/quen-ma?ma=PAKN.20260302.0001">Quên mã truy cập?</a>');
    const page = await t.request().get('/tra-cuu/quen-ma?ma=PAKN.20260302.0001');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<form method="post" action="/tra-cuu/quen-ma"');
    expect(page.text).toMatch(/<input id="f-ma" name="ma" type="text" value="PAKN.20260302.0001"/);
    expect(page.text).toMatch(/<input id="f-email" name="email" type="email"/);
  });

  it('a match and a mismatch get the same answer; only a match changes the key, mails it and records it without the key', async () => {
    const c = await file('Chu.DoanhNghiep@CoKhiKinhBac.vn');
    const other = await file();
    const answers: Res[] = [];
    for (const [ma, email] of [
      [c.code, 'khac@cokhikinhbac.vn'], // wrong address
      ['PAKN.20260302.9999', c.email], // no such case
      [other.code, c.email], // another case's address
      [c.code.toLowerCase(), '  chu.doanhnghiep@cokhikinhbac.vn '], // the right one, other case and spaces
    ]) {
      answers.push(await postForm('/tra-cuu/quen-ma', { ma, email }));
    }
    for (const a of answers) {
      expect(a.status).toBe(303);
      expect(String(a.headers.location)).toMatch(/^\/tra-cuu\/quen-ma\?da-gui=1&ma=/);
      expect(a.headers['set-cookie']).toBeUndefined();
      expect(a.text).toBe('');
    }
    // the pages they lead to say the same thing
    const pages = await Promise.all(answers.map((a) => t.request().get(String(a.headers.location).replace(/&ma=.*$/, ''))));
    for (const p of pages) expect(p.text).toBe(pages[0].text);
    expect(pages[0].text).toContain('Nếu mã hồ sơ và địa chỉ thư điện tử khớp với hồ sơ, mã truy cập mới đã được gửi');

    // only the match changed anything
    expect(await recoveryMail(other.id)).toHaveLength(0);
    expect(await reissueEvents(other.id)).toHaveLength(0);
    expect(await opens(other.code, other.key)).toBe(200);
    const [mail] = await recoveryMail(c.id);
    expect(mail.toAddrs).toEqual(['Chu.DoanhNghiep@CoKhiKinhBac.vn']);
    expect(mail.textBody).toContain('Kính gửi Quý doanh nghiệp');
    const newKey = keyIn(mail.textBody);
    expect(newKey).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    // the old key is refused, the new one opens the case (API and page)
    expect(await opens(c.code, c.key)).toBe(404);
    expect(await opens(c.code, newKey)).toBe(200);
    expect((await postForm('/tra-cuu', { ma: c.code, khoa: c.key })).status).toBe(404);
    const look = await postForm('/tra-cuu', { ma: c.code, khoa: newKey.toLowerCase() });
    expect(look.status).toBe(303);
    const casePage = await t.request().get(String(look.headers.location)).set('cookie', cookieOf(look));
    expect(casePage.text).toContain('Cấp lại mã truy cập');

    // the timeline records it, never the key (nor its hash)
    const [ev] = await reissueEvents(c.id);
    expect(ev.actorRole).toBe('public');
    expect(ev.toStatus).toBeNull();
    const stored = JSON.stringify(ev);
    expect(stored).not.toContain(newKey);
    expect(stored).not.toContain(newKey.replace(/-/g, ''));
    const [row] = await t.database.db.select().from(cases).where(eq(cases.id, c.id));
    expect(stored).not.toContain(row.accessKeyHash);
    expect(row.accessKeyHash).not.toContain(newKey.replace(/-/g, ''));

    // the case replay still agrees with the row
    const events = await t.database.db.select().from(caseEvents).where(eq(caseEvents.caseId, c.id));
    expect(replayCase(events.map((e) => ({ action: e.action, toStatus: e.toStatus, publicText: e.publicText, data: e.data }))).status).toBe(row.status);
    const check = await verifyCases(t.database.db);
    expect(check.problems.filter((p) => p.caseId === c.id)).toEqual([]);

    // and the mail goes out through SMTP with the new key
    await t.app.services.notifications.runOutbox(t.clock.now());
    const got = smtp.received.find((m) => m.subject === `[${c.code}] Mã truy cập mới của hồ sơ`);
    expect(got?.envelopeTo.map((a) => a.toLowerCase())).toEqual(['chu.doanhnghiep@cokhikinhbac.vn']);
    expect(got?.text).toContain(`Mã truy cập mới: ${newKey}`);
  });

  it('the JSON API answers the same 202 matched or not, and a match changes the key', async () => {
    const c = await file();
    const url = (code: string) => `/api/v1/public/cases/${encodeURIComponent(code)}/access-key-recovery`;
    const miss = await t.request().post(url(c.code)).send({ email: 'sai@example.vn' });
    const none = await t.request().post(url('PAKN.20260302.9998')).send({ email: c.email });
    const hit = await t.request().post(url(c.code)).send({ email: c.email.toUpperCase() });
    for (const r of [miss, none, hit]) {
      expect(r.status).toBe(202);
      expect(r.body).toEqual(hit.body);
    }
    expect(await opens(c.code, c.key)).toBe(404);
    const [mail] = await recoveryMail(c.id);
    expect(await opens(c.code, keyIn(mail.textBody))).toBe(200);
    // bad input names the field
    const bad = await t.request().post(url(c.code)).send({ email: 'khong-phai-email' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe('email');
  });

  it('empty or malformed fields are shown again with the field named (the same for every case)', async () => {
    const r = await postForm('/tra-cuu/quen-ma', { ma: '', email: 'khong-phai-email' });
    expect(r.status).toBe(400);
    expect(r.text).toContain('<a href="#f-ma">Vui lòng nhập mã hồ sơ.</a>');
    expect(r.text).toContain('<a href="#f-email">Địa chỉ thư điện tử không hợp lệ');
    expect(r.text).toContain('value="khong-phai-email"');
  });

  it('at most three new keys per case a day, counted in the database; further requests change nothing', async () => {
    const c = await file();
    // four requests (within the per-code limit of five an hour): the fourth changes nothing
    for (let i = 0; i < 4; i++) expect((await postForm('/tra-cuu/quen-ma', { ma: c.code, email: c.email })).status).toBe(303);
    expect(await reissueEvents(c.id)).toHaveLength(3);
    expect(await recoveryMail(c.id)).toHaveLength(3);
    const mails = await recoveryMail(c.id);
    const last = keyIn(mails.sort((a, b) => a.id - b.id)[2].textBody);
    expect(await opens(c.code, last)).toBe(200);
    // a day later it is possible again
    t.clock.advance(24 * 3_600_000 + 1000);
    await postForm('/tra-cuu/quen-ma', { ma: c.code, email: c.email });
    expect(await reissueEvents(c.id)).toHaveLength(4);
  });
});

describe(`lost-key rate limits on ${dbLabel}`, () => {
  let s: TestApp;
  beforeAll(async () => {
    s = await createTestApp({ config: { PAKN_RATE_LIMIT_PUBLIC: '100000', PAKN_RATE_LIMIT_KEY_RECOVERY: '8' } });
  });
  afterAll(async () => s?.close());
  const post = (ma: string) => s.request().post('/tra-cuu/quen-ma').type('form').send({ ma, email: 'ai.do@example.vn' });

  it('per tracking code: the sixth request within the hour gets 429, whatever the address; other codes go on', async () => {
    const code = 'PAKN.20260302.0777';
    for (let i = 0; i < 5; i++) expect((await post(i % 2 ? code : code.toLowerCase())).status).toBe(303);
    const sixth = await post(code);
    expect(sixth.status).toBe(429);
    expect(sixth.headers['content-type']).toMatch(/text\/html/);
    expect(Number(sixth.headers['retry-after'])).toBeGreaterThan(0);
    expect(sixth.text).toContain('Quý doanh nghiệp vui lòng chờ ít phút');
    // the API shares the count
    const api = await s.request().post(`/api/v1/public/cases/${code}/access-key-recovery`).send({ email: 'ai.do@example.vn' });
    expect(api.status).toBe(429);
    expect(api.headers['content-type']).toMatch(/application\/problem\+json/);
    expect((await post('PAKN.20260302.0778')).status).toBe(303);
  });

  it('per IP address: PAKN_RATE_LIMIT_KEY_RECOVERY requests an hour', async () => {
    // 8 requests so far from this address (web and API): the 9th is refused, for a code never asked for
    const ninth = await post('PAKN.20260302.0801');
    expect(ninth.status).toBe(429);
    expect(Number(ninth.headers['retry-after'])).toBeGreaterThan(0);
  });
});
