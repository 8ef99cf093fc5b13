import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cases, outbox } from '../../src/db/schema.js';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { dbLabel } from '../helpers/db.js';
import { countRows, refIds, validBody, VALID_BRANCH_TAX_CODE, type RefIds } from './helpers.js';

let t: TestApp;
let ids: RefIds;
beforeAll(async () => {
  // Monday 2/3/2026 09:00 in Hà Nội; the per-IP limit is the subject of its own test file
  t = await createTestApp({ now: '2026-03-02T02:00:00Z', config: { PAKN_RATE_LIMIT_PUBLIC: '100000' } });
  ids = await refIds(t);
});
afterAll(async () => t?.close());

const post = (body: unknown, headers: Record<string, string> = {}) => t.request().post('/api/v1/public/cases').set(headers).send(body as object);

describe(`public submission on ${dbLabel}`, () => {
  it('files a case: 201 with tracking code, access key, status, agency and deadline; routed in the same transaction', async () => {
    const r = await post(validBody(ids));
    expect(r.status).toBe(201);
    expect(r.headers['cache-control']).toBe('no-store');
    expect(r.body).toMatchObject({
      trackingCode: expect.stringMatching(/^PAKN\.20260302\.\d{4}$/),
      accessKey: expect.stringMatching(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/),
      status: 'assigned',
      statusLabel: 'Đã chuyển đến cơ quan xử lý',
      agency: { id: expect.any(Number), name: 'Sở Xây dựng' },
      receivedAt: '2026-03-02T09:00:00+07:00',
      // 10 working days after Monday 2/3/2026
      resolveDueAt: '2026-03-16T17:00:00+07:00',
      trackingUrl: `http://pakn.test/tra-cuu?ma=${encodeURIComponent(r.body.trackingCode)}`,
      attachments: 0,
    });
    const [row] = await t.database.db.select().from(cases).where(eq(cases.trackingCode, r.body.trackingCode));
    expect(row).toMatchObject({ channel: 'api', kind: 'phan_anh', status: 'assigned', phone: '0912345678', confidential: false, priority: 'normal' });
    expect(row.accessKeyHash).not.toContain(r.body.accessKey);
    // the receipt with the code, the key and the tracking link is in the outbox
    const mail = await t.database.db.select().from(outbox).where(eq(outbox.caseId, row.id));
    const receipt = mail.find((m) => m.template === 'receipt');
    expect(receipt?.toAddrs).toEqual(['an.nguyen@cokhikinhbac.vn']);
    expect(receipt?.textBody).toContain(r.body.trackingCode);
    expect(receipt?.textBody).toContain(r.body.accessKey);
    expect(receipt?.textBody).toContain('/tra-cuu?ma=');
  });

  it('leaves a case no rule places in the triage queue, and keeps a report of misconduct confidential', async () => {
    const r = await post(validBody(ids, { categoryId: ids.cat.khac }));
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ status: 'received', agency: null });
    const tc = await post(validBody(ids, { kind: 'to_cao', categoryId: ids.cat.thai_do_can_bo }));
    expect(tc.status).toBe(201);
    expect(tc.body.agency.name).toBe('Thanh tra tỉnh');
    const [row] = await t.database.db.select().from(cases).where(eq(cases.trackingCode, tc.body.trackingCode));
    expect(row.confidential).toBe(true);
  });

  it('normalises Vietnamese text to NFC, trims and collapses spaces, canonicalises the phone number', async () => {
    const nfdTitle = '  Thủ tục   đất đai  '.normalize('NFD');
    const r = await post(validBody(ids, { title: nfdTitle, phone: '+84 (912) 345.679', businessName: 'Công ty\u200b Cổ phần  Ánh Dương'.normalize('NFD') }));
    expect(r.status).toBe(201);
    const [row] = await t.database.db.select().from(cases).where(eq(cases.trackingCode, r.body.trackingCode));
    expect(row.title).toBe('Thủ tục đất đai');
    expect(row.title).toBe(row.title.normalize('NFC'));
    expect(row.businessName).toBe('Công ty Cổ phần Ánh Dương'.normalize('NFC'));
    expect(row.phone).toBe('0912345679');
  });

  it('accepts a branch tax code, no tax code for a recommendation, e-mail without phone and phone without e-mail', async () => {
    expect((await post(validBody(ids, { taxCode: VALID_BRANCH_TAX_CODE }))).status).toBe(201);
    expect((await post(validBody(ids, { kind: 'kien_nghi', taxCode: undefined }))).status).toBe(201);
    expect((await post(validBody(ids, { kind: 'kien_nghi', taxCode: null }))).status).toBe(201);
    expect((await post(validBody(ids, { phone: undefined }))).status).toBe(201);
    expect((await post(validBody(ids, { email: null }))).status).toBe(201);
    expect((await post(validBody(ids, { localityId: undefined }))).status).toBe(201);
  });

  // every rule: the body, the field the 400 must name
  const BAD: Array<[string, (b: Record<string, unknown>) => Record<string, unknown>, string]> = [
    ['kind missing', (b) => ({ ...b, kind: undefined }), 'kind'],
    ['kind unknown', (b) => ({ ...b, kind: 'khieu_kien' }), 'kind'],
    ['category missing', (b) => ({ ...b, categoryId: undefined }), 'categoryId'],
    ['category not a number', (b) => ({ ...b, categoryId: 'đất đai' }), 'categoryId'],
    ['category unknown', (b) => ({ ...b, categoryId: 99999 }), 'categoryId'],
    ['category negative', (b) => ({ ...b, categoryId: -1 }), 'categoryId'],
    ['locality unknown', (b) => ({ ...b, localityId: 99999 }), 'localityId'],
    ['locality fractional', (b) => ({ ...b, localityId: 1.5 }), 'localityId'],
    ['title missing', (b) => ({ ...b, title: undefined }), 'title'],
    ['title too short once normalised', (b) => ({ ...b, title: '   ab \u0000\u200b  ' }), 'title'],
    ['title too long', (b) => ({ ...b, title: 'Đ'.repeat(201) }), 'title'],
    ['title not text', (b) => ({ ...b, title: 12345 }), 'title'],
    ['content too short', (b) => ({ ...b, content: 'Quá ngắn' }), 'content'],
    ['content too long', (b) => ({ ...b, content: 'ă'.repeat(10_001) }), 'content'],
    ['business name missing', (b) => ({ ...b, businessName: undefined }), 'businessName'],
    ['business name blank', (b) => ({ ...b, businessName: '   ' }), 'businessName'],
    ['tax code check digit', (b) => ({ ...b, taxCode: '0100109107' }), 'taxCode'],
    ['tax code 9 digits', (b) => ({ ...b, taxCode: '010010910' }), 'taxCode'],
    ['tax code letters', (b) => ({ ...b, taxCode: '01001O9106' }), 'taxCode'],
    ['tax code branch 000', (b) => ({ ...b, taxCode: '0100109106-000' }), 'taxCode'],
    ['tax code branch 2 digits', (b) => ({ ...b, taxCode: '0100109106-01' }), 'taxCode'],
    ['tax code missing (complaint)', (b) => ({ ...b, kind: 'khieu_nai', taxCode: undefined }), 'taxCode'],
    ['tax code missing (difficulty)', (b) => ({ ...b, taxCode: '' }), 'taxCode'],
    ['contact missing', (b) => ({ ...b, contactName: undefined }), 'contactName'],
    ['contact too long', (b) => ({ ...b, contactName: 'A'.repeat(101) }), 'contactName'],
    ['phone too short', (b) => ({ ...b, phone: '091234567' }), 'phone'],
    ['phone foreign', (b) => ({ ...b, phone: '+1 202 555 0143' }), 'phone'],
    ['phone letters', (b) => ({ ...b, phone: '0912abc678' }), 'phone'],
    ['no phone and no e-mail', (b) => ({ ...b, phone: undefined, email: undefined }), 'phone'],
    ['e-mail without domain', (b) => ({ ...b, email: 'an.nguyen@' }), 'email'],
    ['e-mail with spaces', (b) => ({ ...b, email: 'an nguyen@abc.vn' }), 'email'],
    ['e-mail too long', (b) => ({ ...b, email: `${'a'.repeat(250)}@x.vn` }), 'email'],
    ['consent not boolean', (b) => ({ ...b, consentPublishName: 'yes' }), 'consentPublishName'],
    ['priority is not for the public', (b) => ({ ...b, priority: 'urgent' }), 'priority'],
    ['unknown field', (b) => ({ ...b, agencyId: 3 }), 'agencyId'],
  ];

  it.each(BAD)('refuses %s with a 400 naming the field, and writes nothing', async (_name, mutate, field) => {
    const before = await countRows(t, 'cases');
    const r = await post(mutate(validBody(ids)));
    expect(r.status).toBe(400);
    expect(r.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(r.body.errors.map((e: { path: string }) => e.path)).toContain(field);
    expect(await countRows(t, 'cases')).toBe(before);
  });

  it('names every wrong field at once, with Vietnamese messages', async () => {
    const r = await post({ kind: 'phan_anh', title: 'ab', content: 'ngắn', taxCode: '123', phone: 'x', email: 'y' });
    expect(r.status).toBe(400);
    const paths = r.body.errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['categoryId', 'title', 'content', 'businessName', 'taxCode', 'contactName', 'phone', 'email']));
    const tax = r.body.errors.find((e: { path: string }) => e.path === 'taxCode');
    expect(tax.message).toMatch(/10 chữ số/);
  });

  it('answers a body that is not an object, or not JSON, with a 400', async () => {
    for (const body of ['[1,2]', '"text"', '{"kind":', 'null']) {
      const r = await t.request().post('/api/v1/public/cases').set('content-type', 'application/json').send(body);
      expect(r.status, body).toBe(400);
    }
  });

  it('accepts the same fields url-encoded', async () => {
    const b = validBody(ids);
    const form = new URLSearchParams(Object.entries(b).map(([k, v]) => [k, String(v)])).toString();
    const r = await t.request().post('/api/v1/public/cases').set('content-type', 'application/x-www-form-urlencoded').send(form);
    expect(r.status).toBe(201);
  });
});

describe(`Idempotency-Key on ${dbLabel}`, () => {
  it('answers a retried submission with the first answer and creates nothing new', async () => {
    const body = validBody(ids, { title: 'Gửi lại do mất kết nối mạng' });
    const first = await post(body, { 'Idempotency-Key': 'retry-0001' });
    expect(first.status).toBe(201);
    const n = await countRows(t, 'cases');
    const second = await post(body, { 'Idempotency-Key': 'retry-0001' });
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(await countRows(t, 'cases')).toBe(n);
    // the stored answer does not hold the access key in clear, nor the client's key
    const stored = await t.database.db.execute(sql`select key, body::text as body from idempotency_keys where scope = 'public-intake'`);
    const text = JSON.stringify(stored.rows);
    expect(text).not.toContain(first.body.accessKey);
    expect(text).not.toContain('retry-0001');
    // the access key of the replayed answer works
    const view = await t.request().get(`/api/v1/public/cases/${second.body.trackingCode}`).set('X-Access-Key', second.body.accessKey);
    expect(view.status).toBe(200);
  });

  it('refuses the same key with another body (422) and creates nothing', async () => {
    const n = await countRows(t, 'cases');
    const r = await post(validBody(ids, { title: 'Một nội dung hoàn toàn khác' }), { 'Idempotency-Key': 'retry-0001' });
    expect(r.status).toBe(422);
    expect(r.headers['content-type']).toMatch(/problem\+json/);
    expect(await countRows(t, 'cases')).toBe(n);
  });

  it('creates one case for concurrent duplicates', async () => {
    const n = await countRows(t, 'cases');
    const body = validBody(ids, { title: 'Bấm gửi nhiều lần liên tiếp' });
    const answers = await Promise.all(Array.from({ length: 6 }, () => post(body, { 'Idempotency-Key': 'double-click-42' })));
    expect(answers.map((a) => a.status)).toEqual(Array(6).fill(201));
    expect(new Set(answers.map((a) => a.body.trackingCode)).size).toBe(1);
    expect(new Set(answers.map((a) => a.body.accessKey)).size).toBe(1);
    expect(await countRows(t, 'cases')).toBe(n + 1);
  });

  it('stores nothing for a refused submission, so the key stays usable', async () => {
    const bad = await post(validBody(ids, { taxCode: '123' }), { 'Idempotency-Key': 'fix-and-retry' });
    expect(bad.status).toBe(400);
    const good = await post(validBody(ids), { 'Idempotency-Key': 'fix-and-retry' });
    expect(good.status).toBe(201);
  });

  it('refuses a malformed key', async () => {
    const r = await post(validBody(ids), { 'Idempotency-Key': 'x'.repeat(201) });
    expect(r.status).toBe(400);
    expect(r.body.errors[0].path).toBe('idempotency-key');
  });
});

describe(`coordinator entry on ${dbLabel}`, () => {
  const staffBody = (over: Record<string, unknown> = {}) => ({
    ...validBody(ids),
    channel: 'hotline',
    receivedAt: '2026-02-27T16:30:00+07:00',
    ...over,
  });
  const enter = (body: unknown, token = t.tokens.coordinator) => t.request().post('/api/v1/cases').set(bearer(token)).send(body as object);

  it('enters a case received by hotline with its real receipt time, and answers the access key once', async () => {
    const r = await enter(staffBody({ priority: 'urgent' }));
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      trackingCode: expect.stringMatching(/^PAKN\.20260227\.\d{4}$/),
      accessKey: expect.any(String),
      channel: 'hotline',
      priority: 'urgent',
      status: 'assigned',
      agency: { name: 'Sở Xây dựng' },
      receivedAt: '2026-02-27T16:30:00+07:00',
      // urgent: 1 working day from Friday 16:30 → Monday 2/3 16:30
      resolveDueAt: expect.stringMatching(/^2026-03-02T/),
      version: 1,
    });
    const [row] = await t.database.db.select().from(cases).where(eq(cases.id, r.body.id));
    expect(row.enteredBy).not.toBeNull();
    expect(row.channel).toBe('hotline');
    const timeline = await t.database.db.execute(sql`select actor_role from case_events where case_id = ${r.body.id} and action = 'receive'`);
    expect((timeline.rows[0] as { actor_role: string }).actor_role).toBe('coordinator');
  });

  it('reads a receipt time without offset in Asia/Ho_Chi_Minh and forces to_cao confidential', async () => {
    const r = await enter(staffBody({ kind: 'to_cao', categoryId: ids.cat.thai_do_can_bo, receivedAt: '2026-03-02T08:00', channel: 'mail', confidential: false, address: 'Số 1 Lý Thái Tổ, Kinh Bắc' }));
    expect(r.status).toBe(201);
    expect(r.body.receivedAt).toBe('2026-03-02T08:00:00+07:00');
    expect(r.body.confidential).toBe(true);
  });

  it.each([
    ['in the future', { receivedAt: '2026-03-02T09:00:01+07:00' }, 'receivedAt'],
    ['missing', { receivedAt: undefined }, 'receivedAt'],
    ['not a date', { receivedAt: 'hôm qua' }, 'receivedAt'],
    ['impossible date', { receivedAt: '2026-02-30T10:00:00+07:00' }, 'receivedAt'],
    ['more than a year ago', { receivedAt: '2024-12-31T10:00:00+07:00' }, 'receivedAt'],
    ['channel missing', { channel: undefined }, 'channel'],
    ['channel web (the business files itself)', { channel: 'web' }, 'channel'],
    ['priority unknown', { priority: 'asap' }, 'priority'],
    ['bad tax code', { taxCode: '0100109107' }, 'taxCode'],
  ])('refuses a receipt %s with a 400 naming the field', async (_n, over, field) => {
    const before = await countRows(t, 'cases');
    const r = await enter(staffBody(over));
    expect(r.status).toBe(400);
    expect(r.body.errors.map((e: { path: string }) => e.path)).toContain(field);
    expect(await countRows(t, 'cases')).toBe(before);
  });

  it('is for coordinators only', async () => {
    expect((await t.request().post('/api/v1/cases').send(staffBody())).status).toBe(401);
    expect((await enter(staffBody(), t.tokens.agency_staff)).status).toBe(403);
    expect((await enter(staffBody(), t.tokens.inspector)).status).toBe(403);
  });
});

describe(`stored first answers on ${dbLabel}`, () => {
  it('keeps them 7 days for retries, then the purge job forgets them', async () => {
    const body = validBody(ids, { title: 'Thử lại sau một tuần' });
    const first = await post(body, { 'Idempotency-Key': 'weekly-1' });
    expect(first.status).toBe(201);
    const start = t.clock.now();
    try {
      t.clock.advance(6 * 86_400_000);
      expect((await t.app.services.intake.purgeIdempotencyKeys(t.clock.now())).purged).toBe(0);
      expect((await post(body, { 'Idempotency-Key': 'weekly-1' })).body.trackingCode).toBe(first.body.trackingCode);
      t.clock.advance(2 * 86_400_000);
      expect((await t.app.services.intake.purgeIdempotencyKeys(t.clock.now())).purged).toBeGreaterThan(0);
      const later = await post(body, { 'Idempotency-Key': 'weekly-1' });
      expect(later.status).toBe(201);
      expect(later.body.trackingCode).not.toBe(first.body.trackingCode);
    } finally {
      t.clock.set(start);
    }
  });
});
