import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cases } from '../../src/db/schema.js';
import { taxCodeCheckDigit } from '../../src/domain/validators.js';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { dbLabel } from '../helpers/db.js';
import { kid, kids, names, parseXml, val, type XNode } from './xml-reader.js';

/** Field names of a service request, in the specification's order. */
const REQUEST_FIELDS = [
  'service_request_id',
  'status',
  'status_notes',
  'service_name',
  'service_code',
  'description',
  'agency_responsible',
  'service_notice',
  'requested_datetime',
  'updated_datetime',
  'expected_datetime',
  'address',
  'address_id',
  'zipcode',
  'lat',
  'long',
  'media_url',
];
const SERVICE_FIELDS = ['service_code', 'service_name', 'description', 'metadata', 'type', 'keywords', 'group'];
const ATTRIBUTE_FIELDS = ['variable', 'code', 'datatype', 'required', 'datatype_description', 'order', 'description', 'values'];
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?\+07:00$/;
const JSON_TYPE = 'application/json; charset=utf-8';
const XML_TYPE = 'text/xml; charset=utf-8';
const BASE = '/open311/v2';

// the submitter's personal data: never in any Open311 answer
const prefix9 = ['010123456', '010123457', '010123458', '010123459'].find((p) => taxCodeCheckDigit(p) !== null)!;
const TAX_CODE = `${prefix9}${taxCodeCheckDigit(prefix9)}`;
const PERSON = {
  email: 'tran.thi.binh@xaylap-kinhbac.vn',
  phone: '0912 345 678',
  first_name: 'Thị Bình',
  last_name: 'Trần',
  business_name: 'Công ty TNHH Xây lắp Kinh Bắc',
  tax_code: TAX_CODE,
};
const SECRETS = ['tran.thi.binh', 'xaylap-kinhbac', '0912345678', '0912 345 678', 'Thị Bình', 'Trần Thị Bình', 'Xây lắp Kinh Bắc', TAX_CODE];

let t: TestApp;
let key: string;
let otherKey: string;

const xml = (text: string): XNode => parseXml(text).root;
const post = (format: 'json' | 'xml', body: Record<string, string>) => t.request().post(`${BASE}/requests.${format}`).type('form').send(body);
/** GET; reading requests needs an api_key: by default that of an app that filed none of them */
const withKey = (path: string) => (/^\/requests/.test(path) && !/[?&]api_key=/.test(path) ? `${path}${path.includes('?') ? '&' : '?'}api_key=${encodeURIComponent(otherKey)}` : path);
const get = (path: string) => t.request().get(`${BASE}${withKey(path)}`);
const anonymous = (path: string) => t.request().get(`${BASE}${path}`);

function expectJsonErrors(r: { status: number; headers: Record<string, string>; body: unknown }, status: number, fields: string[] = []) {
  expect(r.status).toBe(status);
  expect(r.headers['content-type']).toBe(JSON_TYPE);
  const list = r.body as Array<{ code: number; description: string }>;
  expect(Array.isArray(list)).toBe(true);
  expect(list.length).toBeGreaterThan(0);
  for (const e of list) {
    expect(Object.keys(e)).toEqual(['code', 'description']);
    expect(e.code).toBe(status);
  }
  for (const f of fields) expect(list.some((e) => e.description.startsWith(`${f}:`))).toBe(true);
  return list;
}

function expectXmlErrors(r: { status: number; headers: Record<string, string>; text: string }, status: number, fields: string[] = []) {
  expect(r.status).toBe(status);
  expect(r.headers['content-type']).toBe(XML_TYPE);
  const doc = parseXml(r.text);
  expect(doc.declaration).toMatch(/^<\?xml version="1.0" encoding="utf-8"\?>$/);
  expect(doc.root.name).toBe('errors');
  const errs = kids(doc.root, 'error');
  expect(errs.length).toBe(doc.root.children.length);
  for (const e of errs) {
    expect(names(e)).toEqual(['code', 'description']);
    expect(val(e, 'code')).toBe(String(status));
  }
  for (const f of fields) expect(errs.some((e) => val(e, 'description').startsWith(`${f}:`))).toBe(true);
}

function expectRequestJson(r: Record<string, unknown>, extensions = false) {
  expect(Object.keys(r)).toEqual(extensions ? [...REQUEST_FIELDS, 'extended_attributes', 'notes'] : REQUEST_FIELDS);
  expect(r.service_request_id).toMatch(/^PAKN\.\d{8}\.\d{4,}$/);
  expect(['open', 'closed']).toContain(r.status);
  for (const f of ['requested_datetime', 'updated_datetime', 'expected_datetime']) expect(r[f]).toMatch(DATETIME);
}

function requestNodes(text: string): XNode[] {
  const root = xml(text);
  expect(root.name).toBe('service_requests');
  const list = kids(root, 'request');
  expect(list.length).toBe(root.children.length);
  return list;
}

async function caseCount(): Promise<number> {
  const [{ n }] = await t.database.db.select({ n: count() }).from(cases);
  return n;
}

beforeAll(async () => {
  // Monday 09:00 in Bắc Ninh; the rate limit is tested in api-clients.test.ts
  t = await createTestApp({ now: '2026-03-02T02:00:00Z', config: { PAKN_RATE_LIMIT_PUBLIC: '1000' } });
  const mk = async (name: string) => (await t.request().post('/api/v1/admin/api-clients').set(bearer(t.tokens.admin)).send({ name })).body.apiKey as string;
  key = await mk('Bắc Ninh Smart City');
  otherKey = await mk('Ứng dụng khác');
  // building permits ask for extra attributes (service definition)
  const cats = (await t.request().get('/api/v1/public/categories')).body.items as Array<{ id: number; code: string }>;
  const xd = cats.find((c) => c.code === 'xay_dung')!;
  const r = await t.request()
    .patch(`/api/v1/admin/categories/${xd.id}`)
    .set(bearer(t.tokens.admin))
    .send({
      attributes: [
        { code: 'so_ho_so', datatype: 'string', required: true, description: 'Số hồ sơ', order: 1 },
        {
          code: 'loai_cong_trinh',
          datatype: 'singlevaluelist',
          required: false,
          description: 'Loại công trình',
          order: 2,
          values: [
            { key: 'nha_xuong', name: 'Nhà xưởng' },
            { key: 'van_phong', name: 'Văn phòng & <kho>' },
          ],
        },
        { code: 'ngay_nop', datatype: 'datetime', required: false, description: 'Ngày nộp hồ sơ', order: 3 },
        {
          code: 'thu_tuc',
          datatype: 'multivaluelist',
          required: false,
          description: 'Thủ tục liên quan',
          order: 4,
          values: [
            { key: 'pccc', name: 'Thẩm duyệt PCCC' },
            { key: 'dtm', name: 'Đánh giá tác động môi trường' },
          ],
        },
        { code: 'so_tang', datatype: 'number', required: false, description: 'Số tầng', order: 5 },
      ],
    });
  expect(r.status).toBe(200);
});
afterAll(async () => t?.close());

const filing = (extra: Record<string, string> = {}) => ({
  api_key: key,
  service_code: 'xay_dung',
  description: 'Hồ sơ cấp phép xây dựng nhà xưởng chậm giải quyết\nHồ sơ nộp ngày 10/12/2025 tại Trung tâm Phục vụ hành chính công, đến nay chưa có kết quả.',
  lat: '21.1214',
  long: '106.1111',
  address_string: 'Lô C5, KCN Quế Võ, Bắc Ninh',
  'attribute[so_ho_so]': 'XD-2025-1234',
  ...PERSON,
  account_id: 'user-42',
  device_id: 'device-abc',
  ...extra,
});

describe(`Open311 GeoReport v2 discovery and services on ${dbLabel}`, () => {
  it('serves discovery in JSON and XML', async () => {
    const j = await get('/discovery.json');
    expect(j.status).toBe(200);
    expect(j.headers['content-type']).toBe(JSON_TYPE);
    expect(Object.keys(j.body)).toEqual(['changeset', 'contact', 'key_service', 'endpoints']);
    expect(j.body.changeset).toMatch(DATETIME);
    expect(j.body.endpoints).toEqual([
      {
        specification: 'http://wiki.open311.org/GeoReport_v2',
        url: 'http://pakn.test/open311/v2',
        changeset: j.body.changeset,
        type: 'production',
        formats: ['text/xml', 'application/json'],
      },
    ]);

    const x = await get('/discovery.xml');
    expect(x.status).toBe(200);
    expect(x.headers['content-type']).toBe(XML_TYPE);
    const doc = parseXml(x.text);
    expect(doc.declaration).toBe('<?xml version="1.0" encoding="utf-8"?>');
    expect(doc.root.name).toBe('discovery');
    expect(names(doc.root)).toEqual(['changeset', 'contact', 'key_service', 'endpoints']);
    expect(val(doc.root, 'contact')).toBe(j.body.contact); // escaped and read back
    const ep = kids(kid(doc.root, 'endpoints'), 'endpoint');
    expect(ep).toHaveLength(1);
    expect(names(ep[0])).toEqual(['specification', 'url', 'changeset', 'type', 'formats']);
    expect(val(ep[0], 'specification')).toBe('http://wiki.open311.org/GeoReport_v2');
    expect(val(ep[0], 'url')).toBe('http://pakn.test/open311/v2');
    expect(val(ep[0], 'type')).toBe('production');
    expect(kids(kid(ep[0], 'formats'), 'format').map((f) => f.text)).toEqual(['text/xml', 'application/json']);
  });

  it('answers an unknown format, an unknown path and a wrong method in the specification\'s error shape', async () => {
    const h = await get('/discovery.html');
    expectJsonErrors(h, 404);
    expectJsonErrors(await get('/services.csv'), 404);
    expectJsonErrors(await get('/services/xay_dung'), 404);
    expectJsonErrors(await get('/requests/PAKN.20260302.0001.yaml'), 404);
    expectJsonErrors(await get('/no-such-thing.json'), 404);
    expectXmlErrors(await get('/no-such-thing.xml'), 404);
    const m = await t.request().delete(`${BASE}/requests.xml`);
    expectXmlErrors(m, 405);
    expect(m.headers.allow).toContain('GET');
    expect(m.headers.allow).toContain('POST');
  });

  it('lists the categories as services in JSON and XML', async () => {
    const j = await get('/services.json');
    expect(j.status).toBe(200);
    expect(j.headers['content-type']).toBe(JSON_TYPE);
    const codes = j.body.map((s: { service_code: string }) => s.service_code);
    expect(codes).toEqual(expect.arrayContaining(['dat_dai', 'xay_dung', 'pccc', 'thue', 'khac']));
    for (const s of j.body) {
      expect(Object.keys(s)).toEqual(SERVICE_FIELDS);
      expect(s.type).toBe('realtime');
      expect(typeof s.metadata).toBe('boolean');
      expect(typeof s.group).toBe('string');
      expect(s.group.length).toBeGreaterThan(0);
    }
    const xd = j.body.find((s: { service_code: string }) => s.service_code === 'xay_dung');
    expect(xd).toMatchObject({ service_name: 'Xây dựng', metadata: true });
    expect(xd.keywords.split(',')).toContain('Giấy phép xây dựng');
    expect(j.body.find((s: { service_code: string }) => s.service_code === 'pccc').metadata).toBe(false);

    const x = await get('/services.xml');
    expect(x.status).toBe(200);
    expect(x.headers['content-type']).toBe(XML_TYPE);
    const root = xml(x.text);
    expect(root.name).toBe('services');
    const services = kids(root, 'service');
    expect(services).toHaveLength(j.body.length);
    for (const s of services) expect(names(s)).toEqual(SERVICE_FIELDS);
    const sx = services.find((s) => val(s, 'service_code') === 'xay_dung')!;
    expect(val(sx, 'metadata')).toBe('true');
    expect(val(sx, 'type')).toBe('realtime');
    expect(val(sx, 'service_name')).toBe('Xây dựng');
  });

  it('serves a service definition with its attributes in JSON and XML', async () => {
    const j = await get('/services/xay_dung.json');
    expect(j.status).toBe(200);
    expect(j.headers['content-type']).toBe(JSON_TYPE);
    expect(Object.keys(j.body)).toEqual(['service_code', 'attributes']);
    expect(j.body.service_code).toBe('xay_dung');
    expect(j.body.attributes.map((a: { code: string }) => a.code)).toEqual(['so_ho_so', 'loai_cong_trinh', 'ngay_nop', 'thu_tuc', 'so_tang']);
    for (const a of j.body.attributes) expect(Object.keys(a)).toEqual(ATTRIBUTE_FIELDS);
    expect(j.body.attributes[0]).toEqual({
      variable: true,
      code: 'so_ho_so',
      datatype: 'string',
      required: true,
      datatype_description: null,
      order: 1,
      description: 'Số hồ sơ',
      values: [],
    });
    expect(j.body.attributes[1].values).toEqual([
      { key: 'nha_xuong', name: 'Nhà xưởng' },
      { key: 'van_phong', name: 'Văn phòng & <kho>' },
    ]);

    const x = await get('/services/xay_dung.xml');
    expect(x.status).toBe(200);
    expect(x.headers['content-type']).toBe(XML_TYPE);
    const root = xml(x.text);
    expect(root.name).toBe('service_definition');
    expect(names(root)).toEqual(['service_code', 'attributes']);
    const attrs = kids(kid(root, 'attributes'), 'attribute');
    expect(attrs).toHaveLength(5);
    for (const a of attrs) expect(names(a)).toEqual(ATTRIBUTE_FIELDS);
    expect(val(attrs[0], 'required')).toBe('true');
    expect(val(attrs[0], 'variable')).toBe('true');
    expect(val(attrs[0], 'order')).toBe('1');
    const values = kids(kid(attrs[1], 'values'), 'value');
    expect(values.map((v) => [val(v, 'key'), val(v, 'name')])).toEqual([
      ['nha_xuong', 'Nhà xưởng'],
      ['van_phong', 'Văn phòng & <kho>'],
    ]);
    expect(x.text).toContain('Văn phòng &amp; &lt;kho&gt;');

    const none = await get('/services/pccc.json');
    expect(none.status).toBe(200);
    expect(none.body).toEqual({ service_code: 'pccc', attributes: [] });
  });

  it('answers 404 for an unknown service_code in both formats', async () => {
    expect(expectJsonErrors(await get('/services/khong_co.json'), 404)[0].description).toContain('khong_co');
    expectXmlErrors(await get('/services/khong_co.xml'), 404);
  });
});

describe(`Open311 POST requests on ${dbLabel}`, () => {
  it('refuses a missing, unknown or inactive api_key with 403 and writes nothing', async () => {
    const before = await caseCount();
    const { api_key: _k, ...noKey } = filing();
    expect(expectJsonErrors(await post('json', noKey), 403)[0].description).toMatch(/api_key/);
    expectXmlErrors(await post('xml', noKey), 403);
    expectJsonErrors(await post('json', { ...noKey, api_key: 'o311_not-a-real-key' }), 403);
    expectXmlErrors(await post('xml', { ...noKey, api_key: '' }), 403);
    // 403 comes before the body's own errors
    expectJsonErrors(await post('json', { api_key: 'wrong' }), 403);
    expect(await caseCount()).toBe(before);
  });

  it('answers missing arguments with 400 naming each one, in both formats, and writes nothing', async () => {
    const before = await caseCount();
    const j = await post('json', { api_key: key });
    expectJsonErrors(j, 400, ['service_code', 'description', 'lat']);
    expect(j.body.find((e: { description: string }) => e.description.startsWith('lat:')).description).toMatch(/address_string/);
    expectXmlErrors(await post('xml', { api_key: key }), 400, ['service_code', 'description', 'lat']);
    // a service with a required attribute
    const { 'attribute[so_ho_so]': _a, ...noAttr } = filing();
    expectJsonErrors(await post('json', noAttr), 400, ['attribute[so_ho_so]']);
    expectXmlErrors(await post('xml', noAttr), 400, ['attribute[so_ho_so]']);
    expect(await caseCount()).toBe(before);
  });

  it('answers bad arguments with 400 naming the field, with the public intake\'s rules', async () => {
    const before = await caseCount();
    const cases: Array<[Record<string, string>, string]> = [
      [{ lat: '91' }, 'lat'],
      [{ lat: 'abc' }, 'lat'],
      [{ long: '-181' }, 'long'],
      [{ lat: '21.1', long: '' }, 'long'],
      [{ address_id: 'p_khong_co' }, 'address_id'],
      [{ locality: 'x_khong_co' }, 'locality'],
      [{ email: 'not-an-email' }, 'email'],
      [{ phone: '12345' }, 'phone'],
      [{ tax_code: '0101234567' === TAX_CODE ? '0101234568' : '0101234567' }, 'tax_code'],
      [{ tax_code: '12345' }, 'tax_code'],
      [{ kind: 'complaint' }, 'kind'],
      [{ consent_publish_name: 'maybe' }, 'consent_publish_name'],
      [{ media_url: 'javascript:alert(1)' }, 'media_url'],
      [{ description: 'x'.repeat(10_001) }, 'description'],
      [{ description: '   ' }, 'description'],
      [{ 'attribute[loai_cong_trinh]': 'lau_dai' }, 'attribute[loai_cong_trinh]'],
      [{ 'attribute[ngay_nop]': '31/12/2025' }, 'attribute[ngay_nop]'],
      [{ 'attribute[so_tang]': 'ba' }, 'attribute[so_tang]'],
      [{ 'attribute[khong_co]': '1' }, 'attribute[khong_co]'],
      [{ 'attribute[thu_tuc][]': 'khong_co' }, 'attribute[thu_tuc]'],
    ];
    for (const [extra, field] of cases) {
      const r = await post('json', filing(extra));
      const list = expectJsonErrors(r, 400, [field]);
      expect(list).toHaveLength(1);
    }
    expectXmlErrors(await post('xml', filing({ phone: '12345', email: 'x@' })), 400, ['phone', 'email']);
    expect(await caseCount()).toBe(before);
  });

  it('refuses a body that is not form-encoded or JSON, in the specification\'s shape', async () => {
    const r = await t.request().post(`${BASE}/requests.json`).set('content-type', 'application/xml').send('<service_code>xay_dung</service_code>');
    expectJsonErrors(r, 415);
    const plain = await t.request().post(`${BASE}/requests.json`).set('content-type', 'text/plain').send('service_code=xay_dung');
    expectJsonErrors(plain, 400, ['body']);
    const bad = await t.request().post(`${BASE}/requests.xml`).set('content-type', 'application/json').send('{"api_key":');
    expectXmlErrors(bad, 400);
  });

  it('files a case from form fields (JSON answer): tracking code, deadline promise, account_id', async () => {
    const r = await post('json', filing({ 'attribute[loai_cong_trinh]': 'nha_xuong', 'attribute[ngay_nop]': '2025-12-10', 'attribute[thu_tuc][]': 'pccc', 'attribute[so_tang]': '3' }));
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe(JSON_TYPE);
    expect(r.body).toHaveLength(1);
    expect(Object.keys(r.body[0])).toEqual(['service_request_id', 'service_notice', 'account_id']);
    expect(r.body[0].service_request_id).toMatch(/^PAKN\.20260302\.\d{4}$/);
    // received Monday 2/3/2026 09:00: 10 working days → 17:00 Monday 16/3/2026
    expect(r.body[0].service_notice).toBe('Cơ quan có thẩm quyền sẽ trả lời trước 17:00 ngày 16/03/2026 (10 ngày làm việc).');
    expect(r.body[0].account_id).toBe('user-42');

    const [c] = await t.database.db.select().from(cases).where(eq(cases.trackingCode, r.body[0].service_request_id));
    expect(c).toMatchObject({
      channel: 'open311',
      kind: 'phan_anh',
      status: 'assigned',
      title: 'Hồ sơ cấp phép xây dựng nhà xưởng chậm giải quyết',
      contactName: 'Trần Thị Bình',
      phone: '0912345678',
      email: PERSON.email,
      businessName: PERSON.business_name,
      taxCode: TAX_CODE,
      consentPublishName: false,
      address: 'Lô C5, KCN Quế Võ, Bắc Ninh',
      lat: 21.1214,
      long: 106.1111,
      confidential: false,
    });
    expect(c.content).toContain('chưa có kết quả.');
    expect(c.content).toContain('- Số hồ sơ: XD-2025-1234');
    expect(c.content).toContain('- Loại công trình: Nhà xưởng');
    expect(c.content).toContain('- Ngày nộp hồ sơ: 10/12/2025');
    expect(c.content).toContain('- Thủ tục liên quan: Thẩm duyệt PCCC');
    expect(c.content).toContain('- Số tầng: 3');
    expect(c.resolveDueAt.toISOString()).toBe('2026-03-16T10:00:00.000Z');
  });

  it('files a case and answers in XML', async () => {
    const r = await post('xml', filing({ lat: '', long: '', address_string: '', address_id: 'p_tu_son', account_id: '' }));
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe(XML_TYPE);
    const [req] = requestNodes(r.text);
    expect(names(req)).toEqual(['service_request_id', 'service_notice', 'account_id']);
    expect(val(req, 'service_request_id')).toMatch(/^PAKN\.20260302\.\d{4}$/);
    expect(val(req, 'service_notice')).toContain('17:00 ngày 16/03/2026');
    expect(val(req, 'account_id')).toBe('');
    const [c] = await t.database.db.select().from(cases).where(eq(cases.trackingCode, val(req, 'service_request_id')));
    expect(c.lat).toBeNull();
    expect(c.localityId).not.toBeNull();
  });

  it('accepts the pakn extensions: kind, locality and consent; a to_cao case is confidential and never consents to publish the name', async () => {
    const r = await post('json', filing({ service_code: 'thai_do_can_bo', kind: 'to_cao', locality: 'p_kinh_bac', consent_publish_name: 'true', 'attribute[so_ho_so]': '' }));
    expect(r.status).toBe(200);
    const [c] = await t.database.db.select().from(cases).where(eq(cases.trackingCode, r.body[0].service_request_id));
    expect(c).toMatchObject({ kind: 'to_cao', confidential: true, consentPublishName: false, channel: 'open311' });
    // to_cao: 30 days from acceptance (thụ lý); not accepted yet, the latest deadline is provisional
    expect(r.body[0].service_notice).toMatch(
      /^Cơ quan có thẩm quyền sẽ trả lời muộn nhất trước 17:00 ngày \d{2}\/\d{2}\/2026 \(hạn tạm tính: 30 ngày kể từ ngày thụ lý; hạn chính thức được tính khi hồ sơ được thụ lý\)\.$/,
    );
  });
});

describe(`Open311 GET requests on ${dbLabel}`, () => {
  let code: string;
  let toCao: string;

  beforeAll(async () => {
    code = (await post('json', filing({ description: 'Chậm cấp phép xây dựng\nChi tiết.' }))).body[0].service_request_id;
    const tc = await post('json', filing({ service_code: 'thai_do_can_bo', kind: 'to_cao', 'attribute[so_ho_so]': '', description: 'Cán bộ gây khó khăn\nYêu cầu nộp thêm giấy tờ.' }));
    toCao = tc.body[0].service_request_id;
  });

  it('gets one request in JSON and XML with the specification\'s fields and +07:00 datetimes', async () => {
    const j = await get(`/requests/${code}.json`);
    expect(j.status).toBe(200);
    expect(j.headers['content-type']).toBe(JSON_TYPE);
    expect(j.body).toHaveLength(1);
    const r = j.body[0];
    expectRequestJson(r);
    expect(r).toMatchObject({
      service_request_id: code,
      status: 'open',
      // free text: only for the app that filed the request
      status_notes: null,
      service_name: 'Xây dựng',
      service_code: 'xay_dung',
      description: null,
      agency_responsible: 'Sở Xây dựng',
      service_notice: 'Cơ quan có thẩm quyền sẽ trả lời trước 17:00 ngày 16/03/2026 (10 ngày làm việc).',
      requested_datetime: '2026-03-02T09:00:00+07:00',
      updated_datetime: '2026-03-02T09:00:00+07:00',
      expected_datetime: '2026-03-16T17:00:00+07:00',
      address: 'Lô C5, KCN Quế Võ, Bắc Ninh',
      address_id: null,
      zipcode: null,
      lat: 21.1214,
      long: 106.1111,
      media_url: null,
    });

    const x = await get(`/requests/${code}.xml`);
    expect(x.status).toBe(200);
    expect(x.headers['content-type']).toBe(XML_TYPE);
    const [n] = requestNodes(x.text);
    expect(names(n)).toEqual(REQUEST_FIELDS);
    for (const f of REQUEST_FIELDS) {
      const expected = r[f] === null ? '' : String(r[f]);
      expect(val(n, f)).toBe(expected);
    }
    expect(val(n, 'expected_datetime')).toMatch(DATETIME);
  });

  it('accepts the code in any case and answers 404 for an unknown or malformed one, in both formats', async () => {
    expect((await get(`/requests/${code.toLowerCase()}.json`)).body[0].service_request_id).toBe(code);
    expect(expectJsonErrors(await get('/requests/PAKN.20260302.9999.json'), 404)[0].description).toContain('PAKN.20260302.9999');
    expectXmlErrors(await get('/requests/PAKN.20260302.9999.xml'), 404);
    expectJsonErrors(await get('/requests/khong-phai-ma.json'), 404);
    expectXmlErrors(await get('/requests/PAKN.20260231.0001.xml'), 404);
  });

  it('adds the public timeline with extensions=true (for the filing app), and refuses a bad extensions value', async () => {
    const own = `api_key=${encodeURIComponent(key)}`;
    const j = await get(`/requests/${code}.json?extensions=true&${own}`);
    expect(j.status).toBe(200);
    const r = j.body[0];
    expectRequestJson(r, true);
    expect(r.extended_attributes).toEqual({
      detailed_status: 'assigned',
      kind: 'phan_anh',
      channel: 'open311',
      outcome: null,
      resolved_datetime: null,
      closed_datetime: null,
      extensions_used: 0,
      expected_datetime_provisional: false,
    });
    expect(r.notes.map((n: { type: string }) => n.type)).toEqual(['receive', 'assign']);
    for (const n of r.notes) {
      expect(Object.keys(n)).toEqual(['type', 'summary', 'datetime']);
      expect(n.datetime).toMatch(DATETIME);
    }
    expect(r.notes[1].summary).toBe('Đã chuyển đến Sở Xây dựng để xử lý.');

    // another app gets the status, not the notes
    const other = (await get(`/requests/${code}.json?extensions=true`)).body[0];
    expect(other.extended_attributes.detailed_status).toBe('assigned');
    expect(other.notes).toEqual([]);

    const x = await get(`/requests/${code}.xml?extensions=true&${own}`);
    const [n] = requestNodes(x.text);
    expect(names(n)).toEqual([...REQUEST_FIELDS, 'extended_attributes', 'notes']);
    expect(val(kid(n, 'extended_attributes'), 'detailed_status')).toBe('assigned');
    const notes = kids(kid(n, 'notes'), 'note');
    expect(notes.map((x) => val(x, 'type'))).toEqual(['receive', 'assign']);
    expect(val(notes[0], 'datetime')).toMatch(DATETIME);

    expect((await get(`/requests/${code}.json?extensions=false`)).body[0].notes).toBeUndefined();
    expectJsonErrors(await get(`/requests/${code}.json?extensions=perhaps`), 400, ['extensions']);
    expectXmlErrors(await get('/requests.xml?extensions=perhaps'), 400, ['extensions']);
  });

  it('shows the description only to the client app that filed the request; refuses an invalid api_key', async () => {
    const own = await get(`/requests/${code}.json?api_key=${encodeURIComponent(key)}`);
    expect(own.body[0].description).toBe('Chậm cấp phép xây dựng\nChi tiết.\n\nThông tin bổ sung:\n- Số hồ sơ: XD-2025-1234');
    const other = await get(`/requests/${code}.json?api_key=${encodeURIComponent(otherKey)}`);
    expect(other.body[0].description).toBeNull();
    expectJsonErrors(await get(`/requests/${code}.json?api_key=nope`), 403);
    expectXmlErrors(await get(`/requests.xml?api_key=nope`), 403);
  });

  it('needs an api_key to read requests: a missing one is a 403 in the specification\'s shape, in both formats', async () => {
    for (const p of ['/requests.json', `/requests/${code}.json`]) {
      const r = await anonymous(p);
      expect(expectJsonErrors(r, 403)[0].description).toContain('api_key');
    }
    expectXmlErrors(await anonymous('/requests.xml'), 403);
    expectXmlErrors(await anonymous(`/requests/${code}.xml?api_key=`), 403);
  });

  it('never shows a confidential case (tố cáo) to another app; the app that filed it sees it with its location', async () => {
    expectJsonErrors(await get(`/requests/${toCao}.json`), 404);
    expectXmlErrors(await get(`/requests/${toCao}.xml`), 404);
    expect((await get(`/requests.json?service_request_id=${toCao}`)).body).toEqual([]);
    const listed = (await get('/requests.json')).body.map((r: { service_request_id: string }) => r.service_request_id);
    expect(listed).toContain(code);
    expect(listed).not.toContain(toCao);
    const own = (await get(`/requests/${toCao}.json?api_key=${encodeURIComponent(key)}`)).body[0];
    expect(own).toMatchObject({ address: 'Lô C5, KCN Quế Võ, Bắc Ninh', lat: 21.1214 });
  });

  it('carries no personal data in any answer', async () => {
    const paths = [
      '/requests.json',
      '/requests.xml',
      '/requests.json?extensions=true',
      '/requests.xml?extensions=true',
      `/requests/${code}.json?extensions=true`,
      `/requests/${code}.xml?extensions=true`,
      `/requests/${toCao}.json?extensions=true&api_key=${encodeURIComponent(key)}`,
      `/requests.xml?extensions=true&api_key=${encodeURIComponent(key)}`,
    ];
    for (const p of paths) {
      const r = await get(p);
      expect(r.status).toBe(200);
      for (const s of SECRETS) expect(r.text).not.toContain(s);
      expect(r.text).not.toMatch(/"(email|phone|first_name|last_name|business_name|tax_code|contact)"/);
    }
  });

  it('lists requests in JSON and XML, newest first, with the default 90-day window', async () => {
    const j = await get(`/requests.json?api_key=${encodeURIComponent(key)}`);
    expect(j.status).toBe(200);
    expect(j.headers['content-type']).toBe(JSON_TYPE);
    expect(j.body.length).toBeGreaterThanOrEqual(5);
    for (const r of j.body) expectRequestJson(r);
    const ids = j.body.map((r: { service_request_id: string }) => r.service_request_id);
    expect(ids).toEqual([...ids].sort().reverse());
    expect(ids).toContain(code);

    const x = await get(`/requests.xml?api_key=${encodeURIComponent(key)}`);
    const nodes = requestNodes(x.text);
    expect(nodes.map((n) => val(n, 'service_request_id'))).toEqual(ids);
    for (const n of nodes) {
      expect(names(n)).toEqual(REQUEST_FIELDS);
      expect(val(n, 'requested_datetime')).toMatch(DATETIME);
    }
  });

  it('filters by service_request_id (comma list, overriding the rest), service_code and status', async () => {
    // as the app that filed them (tố cáo are never listed to other apps)
    const own = `api_key=${encodeURIComponent(key)}`;
    const two = await get(`/requests.json?service_request_id=${code},${toCao}&service_code=pccc&status=closed&${own}`);
    expect(two.body.map((r: { service_request_id: string }) => r.service_request_id).sort()).toEqual([code, toCao].sort());
    const unknown = await get(`/requests.json?service_request_id=PAKN.20260302.9999&${own}`);
    expect(unknown.body).toEqual([]);
    const byCode = await get(`/requests.json?service_code=thai_do_can_bo&${own}`);
    expect(byCode.body.length).toBeGreaterThanOrEqual(2);
    expect(byCode.body.every((r: { service_code: string }) => r.service_code === 'thai_do_can_bo')).toBe(true);
    const both = await get(`/requests.json?service_code=thai_do_can_bo,xay_dung&${own}`);
    expect(both.body.length).toBeGreaterThan(byCode.body.length);
    expect((await get(`/requests.json?service_code=khong_co&${own}`)).body).toEqual([]);
    const open = await get(`/requests.json?status=open&${own}`);
    expect(open.body.length).toBeGreaterThan(0);
    expect(open.body.every((r: { status: string }) => r.status === 'open')).toBe(true);
    expect((await get(`/requests.json?status=closed&${own}`)).body).toEqual([]);
    expect((await get(`/requests.json?status=open,closed&${own}`)).body.length).toBe(open.body.length);
    const xmlOpen = requestNodes((await get(`/requests.xml?status=open&service_code=thai_do_can_bo&${own}`)).text);
    expect(xmlOpen.length).toBe(byCode.body.length);
  });

  it('answers bad filters with 400 naming the argument, in both formats', async () => {
    expectJsonErrors(await get('/requests.json?status=pending'), 400, ['status']);
    expectXmlErrors(await get('/requests.xml?status=pending'), 400, ['status']);
    expectJsonErrors(await get('/requests.json?start_date=yesterday'), 400, ['start_date']);
    expectXmlErrors(await get('/requests.xml?end_date=2026-13-01'), 400, ['end_date']);
    expectJsonErrors(await get('/requests.json?start_date=2026-02-30T00:00:00Z'), 400, ['start_date']);
    // more than 90 days apart, or the wrong way round
    expectJsonErrors(await get('/requests.json?start_date=2025-11-01T00:00:00%2B07:00&end_date=2026-03-02T00:00:00%2B07:00'), 400, ['end_date']);
    expectXmlErrors(await get('/requests.xml?start_date=2026-03-02T00:00:00Z&end_date=2026-03-01T00:00:00Z'), 400, ['end_date']);
    // malformed or too many ids
    expectJsonErrors(await get('/requests.json?service_request_id=abc'), 400, ['service_request_id']);
    const many = Array.from({ length: 1001 }, (_, i) => `PAKN.20260302.${String(i + 1).padStart(4, '0')}`).join(',');
    expectXmlErrors(await get(`/requests.xml?service_request_id=${many}`), 400, ['service_request_id']);
  });

  it('filters by start_date and end_date (W3C datetimes, dates alone in Asia/Ho_Chi_Minh)', async () => {
    const inRange = await get('/requests.json?start_date=2026-03-02T08:59:00%2B07:00&end_date=2026-03-02T09:00:00%2B07:00');
    expect(inRange.body.map((r: { service_request_id: string }) => r.service_request_id)).toContain(code);
    const utc = await get('/requests.json?start_date=2026-03-02T01:59:00Z&end_date=2026-03-02T02:00:00Z');
    expect(utc.body.length).toBe(inRange.body.length);
    const before = await get('/requests.json?end_date=2026-03-02T08:59:59%2B07:00');
    expect(before.body).toEqual([]);
    const day = await get('/requests.json?start_date=2026-03-02&end_date=2026-03-02');
    expect(day.body.length).toBe(inRange.body.length);
    const after = await get('/requests.json?start_date=2026-03-03');
    expect(after.body).toEqual([]);
    // exactly 90 days is allowed
    expect((await get('/requests.json?start_date=2025-12-02T09:00:00%2B07:00&end_date=2026-03-02T09:00:00%2B07:00')).status).toBe(200);

    // 95 days later, the default window no longer holds it; a start_date brings it back
    const saved = t.clock.now();
    t.clock.set('2026-06-05T02:00:00Z');
    try {
      const later = await get('/requests.json');
      expect(later.body.map((r: { service_request_id: string }) => r.service_request_id)).not.toContain(code);
      const back = await get('/requests.json?start_date=2026-03-01T00:00:00%2B07:00');
      expect(back.body.map((r: { service_request_id: string }) => r.service_request_id)).toContain(code);
    } finally {
      t.clock.set(saved);
    }
  });
});
