import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { dbLabel } from '../helpers/db.js';
import { refIds, validBody } from '../intake/helpers.js';

let http: TestApp;
let https: TestApp;
beforeAll(async () => {
  http = await createTestApp({ config: { PUBLIC_BASE_URL: 'http://192.168.1.20:3000' } });
  https = await createTestApp({ config: { PUBLIC_BASE_URL: 'https://pakn.example.gov.vn' }, seed: false });
});
afterAll(async () => {
  await http?.close();
  await https?.close();
});

/** Without any client-side decompression: the bytes as sent. */
async function raw(t: TestApp, path: string, encoding: string) {
  const r = await t.app.inject({ method: 'GET', url: path, headers: { 'accept-encoding': encoding } });
  return { status: r.statusCode, headers: r.headers, body: r.rawPayload };
}

describe(`transport headers on ${dbLabel}`, () => {
  it('on plain http: no upgrade-insecure-requests and no HSTS, so forms post to the same http host', async () => {
    const r = await http.request().get('/');
    expect(r.status).toBe(200);
    expect(r.headers['content-security-policy']).toBeDefined();
    expect(r.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
    expect(r.headers['strict-transport-security']).toBeUndefined();
  });

  it('on https: upgrade-insecure-requests and HSTS', async () => {
    const r = await https.request().get('/api/v1/health');
    expect(r.headers['content-security-policy']).toContain('upgrade-insecure-requests');
    expect(r.headers['strict-transport-security']).toMatch(/max-age=31536000/);
  });

  it.each([
    ['the form (HTML)', '/', 'br', /text\/html/],
    ['the form (HTML)', '/', 'gzip', /text\/html/],
    ['the OpenAPI document', '/openapi.json', 'gzip', /application\/json/],
    ['the OpenAPI document', '/openapi.json', 'br', /application\/json/],
    ['JSON', '/api/v1/public/categories', 'gzip', /application\/json/],
  ])('serves %s compressed when asked (%s)', async (_n, path, enc, type) => {
    const r = await raw(http, path, enc);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(type);
    expect(r.headers['content-encoding']).toBe(enc);
    const body = (enc === 'br' ? brotliDecompressSync(r.body) : gunzipSync(r.body)).toString('utf8');
    expect(body.length).toBeGreaterThan(200);
    // and plain when not asked
    const plain = await raw(http, path, 'identity');
    expect(plain.headers['content-encoding']).toBeUndefined();
    // (the form carries a fresh form id each time)
    const norm = (x: string) => x.replace(/(name="formId"[^>]*value=")[^"]*"|(value=")[^"]*("[^>]*name="formId")/g, '$1$2$3');
    expect(norm(plain.body.toString('utf8'))).toBe(norm(body));
  });

  it('serves CSV compressed', async () => {
    const ids = await refIds(http);
    for (let i = 0; i < 8; i++) expect((await http.request().post('/api/v1/public/cases').send(validBody(ids))).status).toBe(201);
    const r = await http.app.inject({
      method: 'GET',
      url: '/api/v1/audit/cases?format=csv&dateField=received&from=2026-01-01&to=2026-12-31',
      headers: { ...bearer(http.tokens.inspector), 'accept-encoding': 'gzip' },
    });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.headers['content-type']).toMatch(/text\/csv/);
    // a header row at least; compressed once above the threshold
    const text = r.headers['content-encoding'] === 'gzip' ? gunzipSync(r.rawPayload).toString('utf8') : r.body;
    expect(text.split('\n')[0]).toContain(',');
    expect(text.split('\n').length).toBeGreaterThan(8);
    expect(r.headers['content-encoding']).toBe('gzip');
  });

  it('/docs carries a viewport meta', async () => {
    let r = await http.request().get('/docs');
    if (r.status >= 300 && r.status < 400) r = await http.request().get(String(r.headers.location));
    const page = await http.request().get('/docs/');
    const text = [r.text, page.text].find((x) => x && x.includes('swagger-ui')) ?? '';
    expect(text).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
  });
});
