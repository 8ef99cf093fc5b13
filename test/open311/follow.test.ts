import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cases } from '../../src/db/schema.js';
import type { Actor } from '../../src/features/auth/service.js';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { dbLabel } from '../helpers/db.js';
import { kid, kids, parseXml, val } from './xml-reader.js';

const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?\+07:00$/;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let t: TestApp;
let key: string;
let staff: Actor;

beforeAll(async () => {
  t = await createTestApp({ now: '2026-03-02T02:00:00Z' }); // Monday 09:00 in Bắc Ninh
  key = (await t.request().post('/api/v1/admin/api-clients').set(bearer(t.tokens.admin)).send({ name: 'Bắc Ninh Smart City' })).body.apiKey;
  staff = (await t.app.services.auth.authenticate(t.tokens.agency_staff))!; // Sở Xây dựng
});
afterAll(async () => t?.close());

async function row(code: string) {
  const [c] = await t.database.db.select().from(cases).where(eq(cases.trackingCode, code));
  return c;
}

async function follow(code: string) {
  const j = await t.request().get(`/open311/v2/requests/${code}.json?extensions=true&api_key=${encodeURIComponent(key)}`);
  expect(j.status).toBe(200);
  const x = await t.request().get(`/open311/v2/requests/${code}.xml?extensions=true&api_key=${encodeURIComponent(key)}`);
  expect(x.status).toBe(200);
  expect(x.headers['content-type']).toBe('text/xml; charset=utf-8');
  const node = kid(parseXml(x.text).root, 'request');
  // the two formats say the same
  const r = j.body[0];
  for (const f of ['status', 'status_notes', 'agency_responsible', 'service_notice', 'expected_datetime', 'updated_datetime', 'requested_datetime']) {
    expect(val(node, f)).toBe(r[f] ?? '');
  }
  expect(kids(kid(node, 'notes'), 'note').map((n) => val(n, 'summary'))).toEqual(r.notes.map((n: { summary: string }) => n.summary));
  expect(val(kid(node, 'extended_attributes'), 'detailed_status')).toBe(r.extended_attributes.detailed_status);
  for (const f of ['requested_datetime', 'updated_datetime', 'expected_datetime']) expect(r[f]).toMatch(DATETIME);
  return r;
}

const listed = async (status: string) =>
  ((await t.request().get(`/open311/v2/requests.json?status=${status}&api_key=${encodeURIComponent(key)}`)).body as Array<{ service_request_id: string }>).map((r) => r.service_request_id);

describe(`Open311: a client app files a case and follows it to closed on ${dbLabel}`, () => {
  it('discovers, lists services, files, and follows the case through the agency\'s work', async () => {
    // discover the endpoint and pick a service
    const disc = await t.request().get('/open311/v2/discovery.xml');
    const url = val(kid(kid(parseXml(disc.text).root, 'endpoints'), 'endpoint'), 'url');
    expect(url).toBe('http://pakn.test/open311/v2');
    const services = (await t.request().get('/open311/v2/services.json')).body as Array<{ service_code: string; service_name: string }>;
    const service = services.find((s) => s.service_name === 'Xây dựng')!;

    // file it (form-encoded, XML answer)
    const filed = await t.request()
      .post('/open311/v2/requests.xml')
      .type('form')
      .send({
        api_key: key,
        service_code: service.service_code,
        description: 'Chậm cấp giấy phép xây dựng nhà xưởng\nHồ sơ nộp từ tháng 12/2025.',
        address_string: 'KCN Quế Võ',
        email: 'phaply@congty-abc.vn',
        business_name: 'Công ty Cổ phần ABC',
      });
    expect(filed.status).toBe(200);
    const answer = kid(parseXml(filed.text).root, 'request');
    const code = val(answer, 'service_request_id');
    expect(val(answer, 'service_notice')).toBe('Cơ quan có thẩm quyền sẽ trả lời trước 17:00 ngày 16/03/2026 (10 ngày làm việc).');

    // routed to Sở Xây dựng, open, with its deadline
    let r = await follow(code);
    expect(r).toMatchObject({
      status: 'open',
      agency_responsible: 'Sở Xây dựng',
      expected_datetime: '2026-03-16T17:00:00+07:00',
      requested_datetime: '2026-03-02T09:00:00+07:00',
      status_notes: 'Đã chuyển đến Sở Xây dựng để xử lý.',
    });
    expect(r.extended_attributes.detailed_status).toBe('assigned');
    expect(await listed('open')).toContain(code);

    // the agency accepts it
    t.clock.advance(HOUR);
    const c0 = await row(code);
    await t.app.services.workflow.act(c0.id, 'accept', { kind: 'staff', actor: staff }, { version: c0.version });
    r = await follow(code);
    expect(r.status).toBe('open');
    expect(r.extended_attributes.detailed_status).toBe('in_progress');
    expect(r.updated_datetime).toBe('2026-03-02T10:00:00+07:00');

    // it asks the business for a document: the clock pauses, the note is public
    t.clock.advance(HOUR);
    const c1 = await row(code);
    await t.app.services.workflow.act(c1.id, 'request_info', { kind: 'staff', actor: staff }, { version: c1.version, publicText: 'Đề nghị doanh nghiệp bổ sung bản vẽ mặt bằng tổng thể.' });
    r = await follow(code);
    expect(r.status).toBe('open');
    expect(r.status_notes).toBe('Đề nghị doanh nghiệp bổ sung bản vẽ mặt bằng tổng thể.');
    expect(r.service_notice).toMatch(/chờ doanh nghiệp bổ sung thông tin/);
    expect(r.extended_attributes.detailed_status).toBe('awaiting_business');

    // the business answers two days later: the deadline moves by the pause
    t.clock.advance(2 * DAY);
    await t.app.services.workflow.act(c1.id, 'reply', { kind: 'public' }, { publicText: 'Doanh nghiệp đã gửi bản vẽ mặt bằng.' });
    r = await follow(code);
    expect(r.status).toBe('open');
    expect(r.extended_attributes.detailed_status).toBe('in_progress');
    expect(new Date(r.expected_datetime).getTime()).toBeGreaterThan(new Date('2026-03-16T17:00:00+07:00').getTime());
    const due = r.expected_datetime;
    expect(r.service_notice).toContain('Cơ quan có thẩm quyền sẽ trả lời trước');

    // it answers: closed for Open311, with the answer as the status notes
    t.clock.advance(DAY);
    const c2 = await row(code);
    const text = 'Sở Xây dựng đã cấp giấy phép xây dựng số 123/GPXD ngày 06/03/2026.';
    await t.app.services.workflow.act(c2.id, 'resolve', { kind: 'staff', actor: staff }, { version: c2.version, reason: 'answered', publicText: text });
    r = await follow(code);
    expect(r).toMatchObject({ status: 'closed', status_notes: text, agency_responsible: 'Sở Xây dựng', expected_datetime: due });
    expect(r.extended_attributes).toMatchObject({ detailed_status: 'resolved', outcome: 'early', resolved_datetime: '2026-03-05T11:00:00+07:00', closed_datetime: null });
    expect(r.notes.map((n: { type: string }) => n.type)).toEqual(expect.arrayContaining(['receive', 'assign', 'request_info', 'reply', 'resolve']));
    expect(r.notes.at(-1)).toEqual({ type: 'resolve', summary: expect.stringContaining(text), datetime: '2026-03-05T11:00:00+07:00' });
    expect(r.service_notice).toMatch(/^Đã có văn bản trả lời ngày 05\/03\/2026/);
    expect(await listed('closed')).toContain(code);
    expect(await listed('open')).not.toContain(code);

    // after the dispute window the case is closed for good
    t.clock.advance(8 * DAY);
    await t.app.services.workflow.act(c2.id, 'close', { kind: 'system', label: 'Tự động kết thúc' }, {});
    r = await follow(code);
    expect(r.status).toBe('closed');
    expect(r.extended_attributes.detailed_status).toBe('closed');
    expect(r.extended_attributes.closed_datetime).toMatch(DATETIME);
    expect(r.status_notes).toBe(text);
    expect(r.expected_datetime).toBe(due);
    expect(r.service_notice).toBe('Đã trả lời ngày 05/03/2026; hồ sơ đã đóng.');

    // the business's data never shows
    const all = await t.request().get(`/open311/v2/requests.xml?extensions=true&start_date=2026-03-01&api_key=${encodeURIComponent(key)}`);
    expect(all.text).toContain(code);
    for (const s of ['phaply@congty-abc.vn', 'Công ty Cổ phần ABC']) expect(all.text).not.toContain(s);
  });
});
