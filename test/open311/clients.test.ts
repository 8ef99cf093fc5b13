import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseUrlOf, loadConfig } from '../../src/config.js';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { dbLabel } from '../helpers/db.js';
import { kid, kids, parseXml, val } from './xml-reader.js';

/** The query shapes real GeoReport v2 clients send (issue 16). */
const BASE = '/open311/v2';
const XML_TYPE = 'text/xml; charset=utf-8';
let t: TestApp;
let key: string;
const codes: string[] = [];

beforeAll(async () => {
  t = await createTestApp({ now: '2026-03-02T02:00:00Z', config: { PAKN_RATE_LIMIT_PUBLIC: '1000', PAKN_CORS_ORIGINS: 'https://app.example.vn, https://map.example.vn' } });
  key = (await t.request().post('/api/v1/admin/api-clients').set(bearer(t.tokens.admin)).send({ name: 'FixMyStreet Bắc Ninh' })).body.apiKey;
  const cats = (await t.request().get('/api/v1/public/categories')).body.items as Array<{ id: number; code: string }>;
  const xd = cats.find((c) => c.code === 'xay_dung')!;
  const r = await t.request()
    .patch(`/api/v1/admin/categories/${xd.id}`)
    .set(bearer(t.tokens.admin))
    .send({
      attributes: [
        { code: 'so_ho_so', datatype: 'string', required: false, description: 'Số hồ sơ', order: 1 },
        { code: 'thu_tuc', datatype: 'multivaluelist', required: false, description: 'Thủ tục liên quan', order: 2, values: [{ key: 'pccc', name: 'Thẩm duyệt PCCC' }, { key: 'dtm', name: 'Đánh giá tác động môi trường' }] },
      ],
    });
  expect(r.status).toBe(200);
});
afterAll(async () => t?.close());

const q = (s: string) => `${s}${s.includes('?') ? '&' : '?'}api_key=${encodeURIComponent(key)}`;
const get = (path: string) => t.request().get(`${BASE}${q(path)}`);
const ids = (body: Array<{ service_request_id: string }>) => body.map((r) => r.service_request_id).sort();
const xmlIds = (text: string) => kids(parseXml(text).root, 'request').map((n) => val(n, 'service_request_id')).sort();
const file = (body: string) => t.request().post(`${BASE}/requests.json`).type('form').send(body);
const form = (o: Record<string, string>) => new URLSearchParams(o).toString();
const base = { api_key: '', service_code: 'xay_dung', description: 'Hồ sơ cấp phép xây dựng chậm giải quyết', address_string: 'KCN Quế Võ, Bắc Ninh' };

describe(`Open311 with the query shapes real clients send on ${dbLabel}`, () => {
  it('files 60 requests and follows them all in one GET, in both formats', async () => {
    for (let i = 0; i < 60; i++) {
      const r = await file(form({ ...base, api_key: key, description: `Phản ánh số ${i + 1}: hồ sơ chậm` }));
      expect(r.status).toBe(200);
      codes.push(r.body[0].service_request_id);
    }
    const j = await get(`/requests.json?service_request_id=${codes.join(',')}`);
    expect(j.status).toBe(200);
    expect(ids(j.body)).toEqual([...codes].sort());
    const x = await get(`/requests.xml?service_request_id=${codes.join(',')}`);
    expect(x.status).toBe(200);
    expect(x.headers['content-type']).toBe(XML_TYPE);
    expect(xmlIds(x.text)).toEqual([...codes].sort());
    // repeated keys, and both mixed, give the same union
    const repeated = await get(`/requests.json?${codes.map((c) => `service_request_id=${c}`).join('&')}`);
    expect(ids(repeated.body)).toEqual([...codes].sort());
    const mixed = await get(`/requests.xml?service_request_id=${codes.slice(0, 30).join(',')}&service_request_id=${codes.slice(25).join(',')}`);
    expect(xmlIds(mixed.text)).toEqual([...codes].sort());
    // 1000 ids are accepted (unknown ones are simply not listed), 1001 are not
    const thousand = [...codes, ...Array.from({ length: 940 }, (_, i) => `PAKN.20250101.${String(i + 1).padStart(4, '0')}`)];
    const big = await t.request().get(`${BASE}/requests.json`).query(`service_request_id=${thousand.join(',')}&api_key=${encodeURIComponent(key)}`);
    expect(big.status).toBe(200);
    expect(big.body).toHaveLength(60);
    const over = await t.request().get(`${BASE}/requests.json`).query(`service_request_id=${[...thousand, 'PAKN.20250101.0999'].join(',')}&api_key=${encodeURIComponent(key)}`);
    expect(over.status).toBe(400);
    expect(over.body[0].description).toMatch(/^service_request_id: at most 1000/);
  });

  it('takes status and service_code as comma lists or repeated keys, as their union', async () => {
    const all = await get('/requests.json');
    expect(all.body.length).toBe(60);
    for (const s of ['status=open,closed', 'status=open&status=closed', 'status=open&status=open,closed']) {
      expect((await get(`/requests.json?${s}`)).body.length).toBe(60);
      expect(xmlIds((await get(`/requests.xml?${s}`)).text)).toHaveLength(60);
    }
    expect((await get('/requests.json?status=closed')).body).toEqual([]);
    expect(kids(parseXml((await get('/requests.xml?status=closed&status=closed')).text).root, 'request')).toEqual([]);
    for (const s of ['service_code=xay_dung,pccc', 'service_code=pccc&service_code=xay_dung', 'service_code=xay_dung']) {
      expect((await get(`/requests.json?${s}`)).body.length).toBe(60);
    }
    expect((await get('/requests.json?service_code=pccc&service_code=moi_truong')).body).toEqual([]);
    // a bad value among repeated keys is still named
    const bad = await get('/requests.xml?status=open&status=pending');
    expect(bad.status).toBe(400);
    expect(val(kid(parseXml(bad.text).root, 'error'), 'description')).toMatch(/^status:/);
  });

  it('reads attribute[code], attribute[code][] and repeated attribute[code] from a form-encoded POST', async () => {
    const shapes = [
      `${form({ ...base, api_key: key })}&attribute%5Bso_ho_so%5D=XD-1&attribute%5Bthu_tuc%5D=pccc`,
      `${form({ ...base, api_key: key })}&attribute%5Bthu_tuc%5D%5B%5D=pccc&attribute%5Bthu_tuc%5D%5B%5D=dtm`,
      `${form({ ...base, api_key: key })}&attribute%5Bthu_tuc%5D=pccc&attribute%5Bthu_tuc%5D=dtm`,
    ];
    const expected = [['Số hồ sơ: XD-1', 'Thủ tục liên quan: Thẩm duyệt PCCC'], ['Thẩm duyệt PCCC; Đánh giá tác động môi trường'], ['Thẩm duyệt PCCC; Đánh giá tác động môi trường']];
    for (const [i, body] of shapes.entries()) {
      const r = await file(body);
      expect(r.status).toBe(200);
      const one = await get(`/requests/${r.body[0].service_request_id}.json`);
      for (const line of expected[i]) expect(one.body[0].description).toContain(line);
    }
    // a single-value attribute given twice is refused, naming it
    const twice = await file(`${form({ ...base, api_key: key })}&attribute%5Bso_ho_so%5D=A&attribute%5Bso_ho_so%5D=B`);
    expect(twice.status).toBe(400);
    expect(twice.body[0].description).toMatch(/^attribute\[so_ho_so\]: takes one value/);
  });

  it('answers an unknown service_code on POST with 404 in the specification\'s shape, and writes nothing', async () => {
    const before = (await get('/requests.json')).body.length;
    const j = await file(form({ ...base, api_key: key, service_code: 'khong_co' }));
    expect(j.status).toBe(404);
    expect(j.body).toEqual([{ code: 404, description: expect.stringContaining('khong_co') }]);
    const x = await t.request().post(`${BASE}/requests.xml`).type('form').send(form({ ...base, api_key: key, service_code: 'khong_co' }));
    expect(x.status).toBe(404);
    expect(x.headers['content-type']).toBe(XML_TYPE);
    const e = kid(parseXml(x.text).root, 'error');
    expect(val(e, 'code')).toBe('404');
    expect((await get('/requests.json')).body.length).toBe(before);
  });

  it('serves every XML answer as text/xml; charset=utf-8', async () => {
    for (const p of ['/discovery.xml', '/services.xml', '/services/xay_dung.xml', '/requests.xml', `/requests/${codes[0]}.xml`, '/requests.xml?status=pending']) {
      expect((await get(p)).headers['content-type']).toBe(XML_TYPE);
    }
  });

  it('lets browser apps from the allowed origins read, with a 204 preflight', async () => {
    const origin = 'https://app.example.vn';
    for (const path of [`${BASE}/services.json`, `${BASE}/requests.xml`, '/api/v1/public/categories']) {
      const pre = await t.request().options(path).set('Origin', origin).set('Access-Control-Request-Method', 'GET').set('Access-Control-Request-Headers', 'accept');
      expect(pre.status).toBe(204);
      expect(pre.headers['access-control-allow-origin']).toBe(origin);
      expect(pre.headers['access-control-allow-methods']).toBe('GET, HEAD, OPTIONS');
      expect(pre.headers['access-control-allow-headers']).toBe('Accept, Accept-Language, Content-Type');
      expect(pre.headers['access-control-allow-credentials']).toBeUndefined();
    }
    const g = await t.request().get(`${BASE}/services.json`).set('Origin', origin);
    expect(g.status).toBe(200);
    expect(g.headers['access-control-allow-origin']).toBe(origin);
    // another site, a write, or a staff route: no CORS
    expect((await t.request().get(`${BASE}/services.json`).set('Origin', 'https://evil.example')).headers['access-control-allow-origin']).toBeUndefined();
    const post = await t.request().post(`${BASE}/requests.json`).set('Origin', origin).type('form').send(form({ ...base, api_key: key }));
    expect(post.headers['access-control-allow-origin']).toBeUndefined();
    expect((await t.request().get('/api/v1/cases').set('Origin', origin)).headers['access-control-allow-origin']).toBeUndefined();
    const staffPre = await t.request().options('/api/v1/cases').set('Origin', origin).set('Access-Control-Request-Method', 'GET');
    expect(staffPre.status).not.toBe(204);
    expect(staffPre.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('allows any origin with PAKN_CORS_ORIGINS=*, without credentials', async () => {
    const any = await createTestApp({ now: '2026-03-02T02:00:00Z', seed: false, config: { PAKN_CORS_ORIGINS: '*' } });
    try {
      const pre = await any.request().options(`${BASE}/discovery.json`).set('Origin', 'https://x.example').set('Access-Control-Request-Method', 'GET');
      expect(pre.status).toBe(204);
      expect(pre.headers['access-control-allow-origin']).toBe('*');
      expect(pre.headers['access-control-allow-credentials']).toBeUndefined();
    } finally {
      await any.close();
    }
    expect(() => loadConfig({ PAKN_CORS_ORIGINS: 'ftp://x.example' })).toThrow(/PAKN_CORS_ORIGINS/);
  });

  it('keeps media_url and returns it to the filing app only, in both formats, without ever fetching it', async () => {
    // a loopback server stands for the photo host: the service must never call it
    let hits = 0;
    const host = createServer((_req, res) => {
      hits++;
      res.end();
    });
    await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(host.address() as AddressInfo).port}/anh/cong-trinh 1.jpg?kich_thuoc=lon&v=2`;
    try {
      const other = (await t.request().post('/api/v1/admin/api-clients').set(bearer(t.tokens.admin)).send({ name: 'Ứng dụng khác' })).body.apiKey as string;
      const r = await file(form({ ...base, api_key: key, media_url: url }));
      expect(r.status).toBe(200);
      const code = r.body[0].service_request_id as string;
      const bare = (await file(form({ ...base, api_key: key }))).body[0].service_request_id as string;

      // the filing app: one request and a list, JSON and XML (the & escaped and read back intact)
      const one = await get(`/requests/${code}.json`);
      expect(one.body[0].media_url).toBe(url);
      // staff read it in the content, where it has always been
      expect(one.body[0].description).toContain(`Ảnh/tệp minh họa: ${url}`);
      const list = await get(`/requests.json?service_request_id=${code},${bare}`);
      expect(Object.fromEntries(list.body.map((x: { service_request_id: string; media_url: string | null }) => [x.service_request_id, x.media_url]))).toEqual({ [code]: url, [bare]: null });
      const x = await get(`/requests/${code}.xml`);
      expect(x.text).toContain('kich_thuoc=lon&amp;v=2');
      expect(val(kid(parseXml(x.text).root, 'request'), 'media_url')).toBe(url);
      const xl = kids(parseXml((await get(`/requests.xml?service_request_id=${bare},${code}`)).text).root, 'request');
      expect(Object.fromEntries(xl.map((n) => [val(n, 'service_request_id'), val(n, 'media_url')]))).toEqual({ [code]: url, [bare]: '' });

      // another app sees the request, not the media (the same rule as description)
      const asOther = (p: string) => t.request().get(`${BASE}${p}${p.includes('?') ? '&' : '?'}api_key=${encodeURIComponent(other)}`);
      const oj = await asOther(`/requests/${code}.json`);
      expect(oj.status).toBe(200);
      expect(oj.body[0]).toMatchObject({ service_request_id: code, media_url: null, description: null });
      const ox = await asOther(`/requests.xml?service_request_id=${code}`);
      const on = kid(parseXml(ox.text).root, 'request');
      expect([val(on, 'media_url'), val(on, 'description')]).toEqual(['', '']);
      expect(ox.text).not.toContain('127.0.0.1');

      // a confidential tố cáo: its filing app still gets the media_url; no other app sees the request
      const tc = await file(form({ ...base, api_key: key, kind: 'to_cao', media_url: url }));
      expect(tc.status).toBe(200);
      const tcCode = tc.body[0].service_request_id as string;
      expect((await get(`/requests/${tcCode}.json`)).body[0].media_url).toBe(url);
      expect((await asOther(`/requests/${tcCode}.json`)).status).toBe(404);

      // 2000 characters are kept whole; 2001, or a scheme other than http(s), are refused and nothing is written
      const long = `https://anh.example.vn/${'a'.repeat(2000 - 'https://anh.example.vn/'.length)}`;
      const lr = await file(form({ ...base, api_key: key, media_url: long }));
      expect(lr.status).toBe(200);
      expect((await get(`/requests/${lr.body[0].service_request_id}.xml`)).text).toContain(`<media_url>${long}</media_url>`);
      const before = (await get('/requests.json')).body.length;
      for (const bad of [`${long}a`, 'ftp://anh.example.vn/1.jpg', 'file:///etc/passwd', 'anh.jpg']) {
        const br = await file(form({ ...base, api_key: key, media_url: bad }));
        expect(br.status).toBe(400);
        expect(br.body).toEqual([{ code: 400, description: expect.stringMatching(/^media_url: /) }]);
      }
      expect((await get('/requests.json')).body.length).toBe(before);
      expect(hits).toBe(0);
    } finally {
      await new Promise((resolve) => host.close(resolve));
    }
  });

  it('advertises HOST:PORT in discovery when PUBLIC_BASE_URL is unset', () => {
    expect(loadConfig({ PORT: '4250' }).PUBLIC_BASE_URL).toBe('http://127.0.0.1:4250');
    expect(loadConfig({ HOST: '0.0.0.0', PORT: '4250' }).PUBLIC_BASE_URL).toBe('http://127.0.0.1:4250');
    expect(loadConfig({ HOST: 'pakn.local', PORT: '8080', PUBLIC_BASE_URL: 'https://pakn.bacninh.gov.vn' }).PUBLIC_BASE_URL).toBe('https://pakn.bacninh.gov.vn');
    expect(baseUrlOf('::1', 4250)).toBe('http://[::1]:4250');
  });
});
