/**
 * The proof that a confidential reporter (tố cáo) is invisible to the agency in every view it
 * has — list, case, feed, timeline, attachments, deadline, action answers, the e-mails it gets,
 * exports and Open311 as another app — while coordinators and inspectors see the reporter and
 * leave an access record each time they are shown it.
 */
import { and, eq, inArray, not, sql } from 'drizzle-orm';
import type supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessRecords, caseEvents, cases, outbox, webhookDeliveries } from '../../src/db/schema.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runDataFixes } from '../../src/db/data-fixes.js';
import { MIGRATIONS_DIR } from '../../src/db/migrate.js';
import { searchTextOf } from '../../src/domain/disclosure.js';
import { foldVietnamese, taxCodeCheckDigit } from '../../src/domain/validators.js';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { dbLabel } from '../helpers/db.js';
import { PDF_MIN } from '../intake/helpers.js';
import { enterCase, local, post, reference, timeline, type Ref } from './helpers.js';

const prefix9 = ['230098765', '230098766', '230098767', '230098768'].find((p) => taxCodeCheckDigit(p) !== null)!;
const TAX_CODE = `${prefix9}${taxCodeCheckDigit(prefix9)}`;

const REPORTER = {
  businessName: 'Công ty TNHH Gốm Sứ Phù Lãng',
  taxCode: TAX_CODE,
  contactName: 'Trần Thị Bích Ngọc',
  phone: '0987 111 222',
  email: 'ngoc.tran@gomsuphulang.example',
  address: 'Số 17 ngõ 42 thôn Phù Lãng Hạ',
};
const FILE_NAME = 'Don to cao - Tran Thi Bich Ngoc.pdf';
const LAT = 21.18993;
const LONG = 106.29971;

/** Nothing of these may reach an agency role, in any spelling the service might use. */
const SECRETS = [
  'Gốm Sứ Phù Lãng',
  'GỐM SỨ',
  'Bích Ngọc',
  'BÍCH NGỌC',
  TAX_CODE,
  '0987111222',
  '0987 111 222',
  '0987.111.222',
  '+84987111222',
  'ngoc.tran',
  'gomsuphulang',
  'ngõ 42',
  'Phù Lãng Hạ',
  'Tran Thi Bich Ngoc',
  'Bich Ngoc',
  String(LAT),
  String(LONG),
];

let t: TestApp;
let ref: Ref;
let caseA: { id: number; trackingCode: string; version: number };
let caseB: { id: number; trackingCode: string };
let appKey: string;
let otherKey: string;

function expectNoSecret(what: string, text: string) {
  for (const s of SECRETS) expect(text.includes(s), `${what} shows "${s}"`).toBe(false);
}
const body = (r: supertest.Response) => `${JSON.stringify(r.headers)}\n${r.text ?? ''}`;

beforeAll(async () => {
  t = await createTestApp({ now: '2026-03-02T02:00:00Z', config: { PAKN_RATE_LIMIT_PUBLIC: '100000' } });
  ref = await reference(t);
  const mk = async (name: string) => (await t.request().post('/api/v1/admin/api-clients').set(bearer(t.tokens.admin)).send({ name })).body.apiKey as string;
  appKey = await mk('Ứng dụng Doanh nghiệp Bắc Ninh');
  otherKey = await mk('Ứng dụng báo chí');

  // A: the coordinator enters a tố cáo received at the hotline, with the reporter's letter attached
  let req = t.request().post('/api/v1/cases').set(bearer(t.tokens.coordinator));
  const fields: Record<string, string> = {
    kind: 'to_cao',
    categoryId: String(ref.categories.thai_do_can_bo),
    channel: 'hotline',
    receivedAt: local('2026-03-02 08:30'),
    title: 'Công ty TNHH Gốm Sứ Phù Lãng tố cáo cán bộ địa chính xã',
    content:
      'Tôi là Trần Thị Bích Ngọc, giám đốc Công ty TNHH Gốm Sứ Phù Lãng (MST ' +
      TAX_CODE +
      '), điện thoại 0987.111.222. Cán bộ địa chính Lê Văn Tám yêu cầu "bồi dưỡng" để cấp giấy xác nhận.',
    ...REPORTER,
    consentPublishName: 'false',
  };
  for (const [k, v] of Object.entries(fields)) req = req.field(k, v);
  req = req.attach('attachments', PDF_MIN, { filename: FILE_NAME, contentType: 'application/pdf' });
  const a = await req;
  expect(a.status, JSON.stringify(a.body)).toBe(201);
  // the coordinator gives it to Sở Xây dựng, which accepts it
  const assigned = await post(t, 'coordinator', a.body.id, 'assign', { version: a.body.version, agencyId: ref.agencies.so_xay_dung, internalText: 'Người tố cáo: Trần Thị Bích Ngọc' });
  expect(assigned.status, JSON.stringify(assigned.body)).toBe(200);
  caseA = { id: a.body.id, trackingCode: a.body.trackingCode, version: assigned.body.version };

  // B: a tố cáo filed through Open311, with coordinates, moved to Sở Xây dựng too
  const b = await t
    .request()
    .post('/open311/v2/requests.json')
    .type('form')
    .send({
      api_key: appKey,
      service_code: 'thai_do_can_bo',
      kind: 'to_cao',
      description: 'Cán bộ thuế gây khó khăn khi hoàn thuế\nCông ty TNHH Gốm Sứ Phù Lãng bị yêu cầu nộp thêm giấy tờ.',
      lat: String(LAT),
      long: String(LONG),
      address_string: REPORTER.address,
      email: REPORTER.email,
      phone: REPORTER.phone,
      first_name: 'Bích Ngọc',
      last_name: 'Trần Thị',
      business_name: REPORTER.businessName,
      tax_code: TAX_CODE,
    });
  expect(b.status, JSON.stringify(b.body)).toBe(200);
  const [rowB] = await t.database.db.select().from(cases).where(eq(cases.trackingCode, b.body[0].service_request_id));
  expect(rowB).toMatchObject({ confidential: true, lat: LAT, long: LONG });
  const movedB = await post(t, 'coordinator', rowB.id, 'assign', { version: rowB.version, agencyId: ref.agencies.so_xay_dung });
  expect(movedB.status).toBe(200);
  caseB = { id: rowB.id, trackingCode: rowB.trackingCode };
});
afterAll(async () => t?.close());

describe(`a confidential reporter across every view on ${dbLabel}`, () => {
  it('the agency works the case through every view it has and never sees the reporter', async () => {
    const records = async () => (await t.database.db.select().from(accessRecords)).length;
    const before = await records();
    const agency = (role: string) => bearer(t.tokens[role]);
    const views: Array<[string, supertest.Response]> = [];
    const see = async (what: string, r: supertest.Test) => {
      const res = await r;
      expect(res.status, `${what}: ${(res.text ?? '').slice(0, 300)}`).toBeLessThan(300);
      views.push([what, res]);
      return res;
    };

    // the agency accepts and works the case: every answer is a view too
    const accepted = await see('accept answer', post(t, 'agency_staff', caseA.id, 'accept', { version: caseA.version }));
    await see('note answer', post(t, 'agency_lead', caseA.id, 'note', { version: accepted.body.version, internalText: 'Đã xác minh sơ bộ.' }));

    for (const role of ['agency_staff', 'agency_lead']) {
      const queue = await see(`${role}: work queue`, t.request().get('/api/v1/cases').set(agency(role)));
      const item = queue.body.items.find((x: { id: number }) => x.id === caseA.id);
      expect(item).toMatchObject({ confidential: true, reporterHidden: true, businessName: null, title: '[đã ẩn] tố cáo cán bộ địa chính xã' });
      await see(`${role}: queue searched by the reporter's name`, t.request().get('/api/v1/cases?q=Bich%20Ngoc').set(agency(role)));
      // the search cannot confirm a guessed reporter: no match on the identity, in any spelling
      for (const guess of ['Bich Ngoc', 'Bích Ngọc', 'TRẦN THỊ BÍCH NGỌC', 'Gom Su Phu Lang', 'gốm sứ phù lãng', '0987111222', TAX_CODE, 'ngoc.tran']) {
        const r = await t.request().get(`/api/v1/cases?q=${encodeURIComponent(guess)}`).set(agency(role));
        expect(r.status).toBe(200);
        expect(r.body.items.map((x: { id: number }) => x.id), `${role} searching "${guess}"`).not.toContain(caseA.id);
      }
      // while the matter itself is found
      const matter = await t.request().get(`/api/v1/cases?q=${encodeURIComponent('địa chính bồi dưỡng')}`).set(agency(role));
      expect(matter.body.items.map((x: { id: number }) => x.id)).toContain(caseA.id);
      for (const c of [caseA, caseB]) {
        await see(`${role}: case ${c.trackingCode}`, t.request().get(`/api/v1/cases/${c.id}`).set(agency(role)));
        await see(`${role}: timeline ${c.trackingCode}`, t.request().get(`/api/v1/cases/${c.id}/timeline`).set(agency(role)));
        await see(`${role}: deadline ${c.trackingCode}`, t.request().get(`/api/v1/cases/${c.id}/sla`).set(agency(role)));
      }
      await see(`${role}: feed`, t.request().get(`/api/v1/agencies/${ref.agencies.so_xay_dung}/feed`).set(agency(role)));
      const list = await see(`${role}: attachments`, t.request().get(`/api/v1/cases/${caseA.id}/attachments`).set(agency(role)));
      expect(list.body.items.map((x: { filename: string }) => x.filename)).toEqual(['tep-1.pdf']);
      await see(`${role}: attachment download`, t.request().get(`/api/v1/cases/${caseA.id}/attachments/${list.body.items[0].id}`).set(agency(role)));
    }
    // the feed, even when the coordinator pulls it for the agency, is the agency's channel
    await see('coordinator: agency feed', t.request().get(`/api/v1/agencies/${ref.agencies.so_xay_dung}/feed`).set(bearer(t.tokens.coordinator)));

    for (const [what, r] of views) expectNoSecret(what, body(r));

    // the case view says why: confidential, reporter hidden, no address; the matter itself stays
    const seen = (await t.request().get(`/api/v1/cases/${caseA.id}`).set(agency('agency_staff'))).body;
    expect(seen).toMatchObject({ confidential: true, reporterHidden: true, submitter: null, address: null });
    expect(seen.title).toBe('[đã ẩn] tố cáo cán bộ địa chính xã');
    expect(seen.content).toContain('Cán bộ địa chính Lê Văn Tám yêu cầu "bồi dưỡng"');
    // the agency's reads leave no access record: it was shown no identity
    expect(await records()).toBe(before);
  });

  it('a confidential case written before the masked search text gets it at the next start (migration 0018, then the data fix)', async () => {
    const [row] = await t.database.db.select().from(cases).where(eq(cases.id, caseA.id));
    const masked = searchTextOf(row.title, row.content, row);
    expect(row.searchText).toBe(masked);
    for (const s of ['bich ngoc', 'gom su phu lang', '0987', TAX_CODE]) expect(masked, s).not.toContain(s);
    expect(masked).toContain('dia chinh');
    // an old row: the unmasked text; a plain case keeps its own
    await t.database.db.update(cases).set({ searchText: foldVietnamese(`${row.title}\n${row.content}`) }).where(eq(cases.id, caseA.id));
    const plain = await enterCase(t, { categoryId: ref.categories.xay_dung, receivedAt: local('2026-03-02 08:00'), contactName: 'Nguyễn Văn An' });
    const [plainBefore] = await t.database.db.select({ s: cases.searchText }).from(cases).where(eq(cases.id, plain.id));
    await t.database.db.execute(sql.raw(readFileSync(join(MIGRATIONS_DIR, '0018_confidential_search_text.sql'), 'utf8')));
    const confidentialCount = (await t.database.db.select({ id: cases.id }).from(cases).where(eq(cases.confidential, true))).length;
    expect(await runDataFixes(t.database.db, 1)).toBe(confidentialCount); // batches of one: every row once
    expect(await runDataFixes(t.database.db)).toBe(0); // nothing left to do
    const [after] = await t.database.db.select({ s: cases.searchText }).from(cases).where(eq(cases.id, caseA.id));
    expect(after.s).toBe(masked);
    const [plainAfter] = await t.database.db.select({ s: cases.searchText }).from(cases).where(eq(cases.id, plain.id));
    expect(plainAfter.s).toBe(plainBefore.s);
  });

  it('no e-mail to staff carries the reporter: assignment, reminders, overdue and serious overdue notices', async () => {
    // far past the deadlines: every warning fires
    t.clock.advance(80 * 24 * 3_600_000);
    const run = await t.request().post('/api/v1/admin/jobs/escalation/run').set(bearer(t.tokens.admin));
    expect(run.status).toBe(200);
    const mails = await t.database.db
      .select()
      .from(outbox)
      .where(and(inArray(outbox.caseId, [caseA.id, caseB.id]), not(sql`${REPORTER.email} = any(${outbox.toAddrs})`)));
    const templates = new Set(mails.map((m) => m.template));
    for (const tpl of ['assignment', 'accept_overdue', 'overdue', 'serious']) expect([...templates].some((x) => x.startsWith(tpl)), `${tpl} in ${[...templates]}`).toBe(true);
    for (const m of mails) expectNoSecret(`mail ${m.template}`, [m.subject, m.textBody, m.htmlBody ?? '', m.toAddrs.join(','), m.ccAddrs.join(',')].join('\n'));
  });

  it('the weekly report, read by the agency lead and mailed, lists the overdue case without the reporter', async () => {
    // the week before "now" (80 days on): both cases are open and overdue in it
    const run = await t.request().post('/api/v1/admin/jobs/weekly-report/run').set(bearer(t.tokens.admin)).send({});
    expect(run.status).toBe(200);
    const week = run.body.week as string;
    const read = await t.request().get(`/api/v1/reports/weekly/${week}`).set(bearer(t.tokens.agency_lead));
    expect(read.status).toBe(200);
    expect(read.body.overdue.map((c: { trackingCode: string }) => c.trackingCode)).toContain(caseA.trackingCode);
    expectNoSecret('weekly report (agency lead)', read.text);
    const mails = await t.database.db.select().from(outbox).where(sql`${outbox.template} like 'weekly%'`);
    expect(mails.length).toBeGreaterThan(0);
    for (const m of mails) expectNoSecret(`mail ${m.template}`, [m.subject, m.textBody, m.htmlBody ?? ''].join('\n'));
  });

  it('Open311: another app does not see the cases at all; the app that filed one reads it without the reporter', async () => {
    const other = `api_key=${encodeURIComponent(otherKey)}`;
    const reads = [
      await t.request().get(`/open311/v2/requests.json?${other}&extensions=true`),
      await t.request().get(`/open311/v2/requests.xml?${other}&extensions=true`),
      await t.request().get(`/open311/v2/requests.json?service_request_id=${caseA.trackingCode},${caseB.trackingCode}&${other}`),
    ];
    for (const r of reads) {
      expect(r.status).toBe(200);
      expect(r.text).not.toContain(caseA.trackingCode);
      expect(r.text).not.toContain(caseB.trackingCode);
      expectNoSecret('Open311 list', r.text);
    }
    expect((await t.request().get(`/open311/v2/requests/${caseB.trackingCode}.json?${other}`)).status).toBe(404);
    const own = await t.request().get(`/open311/v2/requests/${caseB.trackingCode}.json?api_key=${encodeURIComponent(appKey)}&extensions=true`);
    expect(own.status).toBe(200);
    expect(own.body[0]).toMatchObject({ lat: LAT, long: LONG });
    expect(own.text).not.toMatch(/"(email|phone|first_name|last_name|business_name|tax_code)"/);
  });

  it('exports: agency roles have none; the inspection CSV and the monthly report carry no reporter, and the report masks personal data in answers', async () => {
    expect((await t.request().get('/api/v1/audit/cases?from=2026-03-01&to=2026-03-31&format=csv').set(bearer(t.tokens.agency_staff))).status).toBe(403);
    const csv = await t.request().get('/api/v1/audit/cases?from=2026-03-01&to=2026-03-31&format=csv').set(bearer(t.tokens.coordinator));
    expect(csv.status).toBe(200);
    expect(csv.text).toContain(caseA.trackingCode);
    expectNoSecret('inspection CSV', csv.text);

    // the agency answers, naming the reporter and someone's ID card number: the publication masks both
    const now = (await t.request().get(`/api/v1/cases/${caseA.id}`).set(bearer(t.tokens.agency_staff))).body;
    const answer = `Đã xác minh nội dung tố cáo của Công ty TNHH Gốm Sứ Phù Lãng (MST ${TAX_CODE}); ông Lê Văn Tám (CCCD 027089001234, ĐT 0911 222 333) bị kiểm điểm.`;
    const resolved = await post(t, 'agency_staff', caseA.id, 'resolve', { version: now.version, reason: 'answered', publicText: answer });
    expect(resolved.status, resolved.text).toBe(200);
    const period = new Date(t.clock.now().getTime() + 7 * 3_600_000).toISOString().slice(0, 7);
    const preview = await t.request().get(`/api/v1/reports/${period}/preview`).set(bearer(t.tokens.coordinator));
    expect(preview.status, preview.text).toBe(200);
    const row = preview.body.cases.find((c: { trackingCode: string }) => c.trackingCode === caseA.trackingCode);
    expect(row).toMatchObject({ businessName: null, publicAnswer: 'Đã xác minh nội dung tố cáo của [đã ẩn] (MST [đã ẩn]); ông Lê Văn Tám (CCCD [đã ẩn], ĐT [đã ẩn]) bị kiểm điểm.' });
    expectNoSecret('report preview', preview.text);
    for (const s of ['027089001234', '0911 222 333']) expect(preview.text).not.toContain(s);
  });

  it('coordinators and inspectors see the reporter, and each showing leaves an access record', async () => {
    const before = (await t.database.db.select().from(accessRecords).where(eq(accessRecords.caseId, caseA.id))).length;
    const coordinator = bearer(t.tokens.coordinator);
    const one = await t.request().get(`/api/v1/cases/${caseA.id}`).set(coordinator);
    expect(one.body).toMatchObject({
      reporterHidden: false,
      address: REPORTER.address,
      submitter: { businessName: REPORTER.businessName, taxCode: TAX_CODE, contactName: REPORTER.contactName, phone: '0987111222', email: REPORTER.email },
    });
    expect(one.body.title).toContain('Gốm Sứ Phù Lãng');
    const list = await t.request().get(`/api/v1/cases?q=${caseA.trackingCode}`).set(coordinator);
    // the queue's compact item names the business (no contact details: those are in the case)
    expect(list.body.items[0]).toMatchObject({ reporterHidden: false, businessName: REPORTER.businessName });
    expect(list.body.items[0].title).toContain('Gốm Sứ Phù Lãng');
    const tl = await t.request().get(`/api/v1/cases/${caseA.id}/timeline`).set(coordinator);
    expect(tl.text).toContain('Người tố cáo: Trần Thị Bích Ngọc');
    const files = await t.request().get(`/api/v1/cases/${caseA.id}/attachments`).set(coordinator);
    expect(files.body.items[0].filename).toBe(FILE_NAME);
    const insp = await t.request().get(`/api/v1/cases/${caseA.id}`).set(bearer(t.tokens.inspector));
    expect(insp.body.submitter.email).toBe(REPORTER.email);

    const r = await t.request().get(`/api/v1/audit/access?caseId=${caseA.id}`).set(bearer(t.tokens.inspector));
    expect(r.status, r.text).toBe(200);
    const newest = r.body.items.slice(0, r.body.items.length - before);
    expect(newest.map((x: { role: string; route: string }) => `${x.role} ${x.route}`)).toEqual([
      'inspector GET /api/v1/cases/:id',
      'coordinator GET /api/v1/cases/:id/timeline',
      'coordinator GET /api/v1/cases',
      'coordinator GET /api/v1/cases/:id',
    ]);
    for (const x of r.body.items) {
      expect(x.caseId).toBe(caseA.id);
      expect(x.trackingCode).toBe(caseA.trackingCode);
      expect(x.at).toMatch(/\+07:00$/);
      expect(['coordinator', 'inspector']).toContain(x.role);
    }
    // the coordinator's own assignment answer showed the reporter too
    expect(r.body.items.map((x: { route: string }) => x.route)).toContain('POST /api/v1/cases/:id/assign');
    // the record names no reporter
    expectNoSecret('access records', r.text);
  });

  it('a case that is not confidential leaves no access record; filters, paging and who may list them', async () => {
    const plain = await enterCase(t, { categoryId: ref.categories.xay_dung, receivedAt: local('2026-03-02 08:00') });
    expect((await t.request().get(`/api/v1/cases/${plain.id}`).set(bearer(t.tokens.coordinator))).body.submitter).not.toBeNull();
    const none = await t.request().get(`/api/v1/audit/access?caseId=${plain.id}`).set(bearer(t.tokens.inspector));
    expect(none.body).toEqual({ items: [], nextCursor: null });

    const inspectorId = (await t.app.services.auth.authenticate(t.tokens.inspector))!.userId;
    const mine = await t.request().get(`/api/v1/audit/access?actor=${inspectorId}`).set(bearer(t.tokens.inspector));
    expect(mine.body.items.length).toBeGreaterThan(0);
    expect(mine.body.items.every((x: { userId: number }) => x.userId === inspectorId)).toBe(true);

    const page1 = await t.request().get(`/api/v1/audit/access?caseId=${caseA.id}&limit=2`).set(bearer(t.tokens.inspector));
    expect(page1.body.items).toHaveLength(2);
    expect(page1.body.nextCursor).not.toBeNull();
    const page2 = await t.request().get(`/api/v1/audit/access?caseId=${caseA.id}&limit=2&cursor=${page1.body.nextCursor}`).set(bearer(t.tokens.inspector));
    expect(page2.body.items[0].id).toBeLessThan(page1.body.items[1].id);
    const future = await t.request().get(`/api/v1/audit/access?since=2099-01-01T00:00:00%2B07:00`).set(bearer(t.tokens.inspector));
    expect(future.body.items).toEqual([]);

    for (const [q, field] of [
      ['caseId=abc', 'caseId'],
      ['since=yesterday', 'since'],
      ['limit=0', 'limit'],
      ['cursor=x', 'cursor'],
    ]) {
      const bad = await t.request().get(`/api/v1/audit/access?${q}`).set(bearer(t.tokens.inspector));
      expect(bad.status, q).toBe(400);
      expect(bad.headers['content-type']).toContain('application/problem+json');
      expect(bad.text).toContain(field);
    }
    for (const role of ['coordinator', 'agency_staff', 'agency_lead', 'admin']) {
      expect((await t.request().get('/api/v1/audit/access').set(bearer(t.tokens[role]))).status, role).toBe(403);
    }
    expect((await t.request().get('/api/v1/audit/access')).status).toBe(401);
  });
});

describe(`a lost key reissued on a tố cáo tells the agency nothing on ${dbLabel}`, () => {
  it('no event in the agency timeline, no webhook message, no change in the feed; the coordinator and the business see it', async () => {
    // the agency's system is subscribed to every case change
    const hook = await t
      .request()
      .post('/api/v1/admin/webhooks')
      .set(bearer(t.tokens.admin))
      .send({ agencyId: ref.agencies.so_xay_dung, url: 'https://198.51.100.7/pakn', events: ['case.updated', 'case.assigned', 'case.left_agency', 'case.escalated'] });
    expect(hook.status, JSON.stringify(hook.body)).toBe(201);
    const rowOf = async () => (await t.database.db.select().from(cases).where(eq(cases.id, caseA.id)))[0];
    const before = await rowOf();
    const feedBefore = await t.request().get(`/api/v1/agencies/${ref.agencies.so_xay_dung}/feed`).set(bearer(t.tokens.agency_staff));
    expect(feedBefore.status).toBe(200);

    // someone at the agency guesses the reporter's address and asks for a new key with it
    const asked = await t.request().post(`/api/v1/public/cases/${caseA.trackingCode}/access-key-recovery`).send({ email: REPORTER.email });
    expect(asked.status).toBe(202);
    const [reissue] = await t.database.db.select().from(caseEvents).where(and(eq(caseEvents.caseId, caseA.id), eq(caseEvents.action, 'access_key_reissue')));
    expect(reissue, 'the guess matched: a key was reissued').toBeDefined();

    const after = await rowOf();
    expect(after.updatedAt.getTime()).toBe(before.updatedAt.getTime());
    expect(after.version).toBe(before.version);
    expect(after.accessKeyHash).not.toBe(before.accessKeyHash);
    for (const role of ['agency_staff', 'agency_lead']) {
      expect((await timeline(t, role, caseA.id)).map((e) => e.action), role).not.toContain('access_key_reissue');
    }
    const feedAfter = await t.request().get(`/api/v1/agencies/${ref.agencies.so_xay_dung}/feed`).set(bearer(t.tokens.agency_staff));
    expect(feedAfter.body).toEqual(feedBefore.body);
    expect(await t.database.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.eventId, reissue.id))).toEqual([]);
    // those who see the reporter see the event
    expect((await timeline(t, 'coordinator', caseA.id)).map((e) => e.action)).toContain('access_key_reissue');
    expect((await timeline(t, 'inspector', caseA.id)).map((e) => e.action)).toContain('access_key_reissue');

    // the subscription works: the agency's next change is told
    const noted = await post(t, 'agency_lead', caseA.id, 'note', { version: after.version, internalText: 'Đang xác minh.' });
    expect(noted.status, JSON.stringify(noted.body)).toBe(200);
    const told = await t.database.db.select().from(webhookDeliveries).where(and(eq(webhookDeliveries.caseId, caseA.id), eq(webhookDeliveries.eventType, 'case.updated')));
    expect(told.length).toBeGreaterThan(0);
  });
});
