import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClients, cases } from '../../src/db/schema.js';
import { sha256Hex } from '../../src/lib/crypto.js';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { dbLabel } from '../helpers/db.js';
import { parseXml, val } from './xml-reader.js';

let t: TestApp;
beforeAll(async () => {
  // a small rate limit so that it can be reached here
  t = await createTestApp({ config: { PAKN_RATE_LIMIT_PUBLIC: '3' } });
});
afterAll(async () => t?.close());

const filing = (apiKey: string) => ({
  api_key: apiKey,
  service_code: 'xay_dung',
  description: 'Hồ sơ cấp phép xây dựng nhà xưởng nộp từ tháng 12 chưa có kết quả.',
  address_string: 'KCN Quế Võ, Bắc Ninh',
});

describe(`Open311 client apps (admin) on ${dbLabel}`, () => {
  it('lets only admin manage client apps', async () => {
    expect((await t.request().get('/api/v1/admin/api-clients')).status).toBe(401);
    const coord = await t.request().post('/api/v1/admin/api-clients').set(bearer(t.tokens.coordinator)).send({ name: 'x' });
    expect(coord.status).toBe(403);
    expect(coord.headers['content-type']).toMatch(/problem\+json/);
    expect((await t.request().delete('/api/v1/admin/api-clients/1').set(bearer(t.tokens.agency_lead))).status).toBe(403);
  });

  it('refuses a client app without a name, naming the field', async () => {
    for (const body of [{}, { name: '   ' }, { name: 'x'.repeat(201) }]) {
      const r = await t.request().post('/api/v1/admin/api-clients').set(bearer(t.tokens.admin)).send(body);
      expect(r.status).toBe(400);
      expect(r.body.errors.map((e: { path: string }) => e.path)).toContain('name');
    }
    const list = await t.request().get('/api/v1/admin/api-clients').set(bearer(t.tokens.admin));
    expect(list.body.items).toEqual([]);
  });

  it('issues an api_key once, stores only its hash, records its last use, and deactivates it', async () => {
    const c = await t.request().post('/api/v1/admin/api-clients').set(bearer(t.tokens.admin)).send({ name: 'Ứng dụng Bắc Ninh Smart' });
    expect(c.status).toBe(201);
    expect(c.headers['cache-control']).toBe('no-store');
    expect(c.body).toMatchObject({ id: expect.any(Number), name: 'Ứng dụng Bắc Ninh Smart', active: true });
    const key: string = c.body.apiKey;
    expect(key).toMatch(/^o311_[A-Za-z0-9_-]{40,}$/);
    expect(key.startsWith(c.body.prefix)).toBe(true);

    const [row] = await t.database.db.select().from(apiClients).where(eq(apiClients.id, c.body.id));
    expect(row.keyHash).toBe(sha256Hex(key));
    expect(JSON.stringify(row)).not.toContain(key);
    expect(row.lastUsedAt).toBeNull();

    const list = await t.request().get('/api/v1/admin/api-clients').set(bearer(t.tokens.admin));
    expect(list.status).toBe(200);
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0]).toEqual({
      id: c.body.id,
      name: 'Ứng dụng Bắc Ninh Smart',
      prefix: c.body.prefix,
      active: true,
      createdAt: '2026-03-02T02:00:00.000Z',
      lastUsedAt: null,
    });
    expect(JSON.stringify(list.body)).not.toContain(key);

    // the key files a case, which is linked to the client app
    const p = await t.request().post('/open311/v2/requests.json').type('form').send(filing(key));
    expect(p.status).toBe(200);
    const [kase] = await t.database.db.select().from(cases).where(eq(cases.trackingCode, p.body[0].service_request_id));
    expect(kase.clientId).toBe(c.body.id);
    expect(kase.channel).toBe('open311');
    const used = await t.request().get('/api/v1/admin/api-clients').set(bearer(t.tokens.admin));
    expect(used.body.items[0].lastUsedAt).toBe('2026-03-02T02:00:00.000Z');

    // deactivated: the key stops working at once, in both formats
    const d = await t.request().delete(`/api/v1/admin/api-clients/${c.body.id}`).set(bearer(t.tokens.admin));
    expect(d.status).toBe(204);
    const j = await t.request().post('/open311/v2/requests.json').type('form').send(filing(key));
    expect(j.status).toBe(403);
    expect(j.body).toEqual([{ code: 403, description: 'Invalid api_key' }]);
    const x = await t.request().post('/open311/v2/requests.xml').type('form').send(filing(key));
    expect(x.status).toBe(403);
    expect(x.headers['content-type']).toBe('text/xml; charset=utf-8');
    const err = parseXml(x.text).root;
    expect(err.name).toBe('errors');
    expect(val(err.children[0], 'code')).toBe('403');
    const after = await t.request().get('/api/v1/admin/api-clients').set(bearer(t.tokens.admin));
    expect(after.body.items[0].active).toBe(false);
  });

  it('answers 404 for an unknown client app and 400 for a bad id', async () => {
    const r = await t.request().delete('/api/v1/admin/api-clients/99999').set(bearer(t.tokens.admin));
    expect(r.status).toBe(404);
    expect(r.headers['content-type']).toMatch(/problem\+json/);
    expect((await t.request().delete('/api/v1/admin/api-clients/abc').set(bearer(t.tokens.admin))).status).toBe(400);
  });

  it('rate-limits POST requests per api_key, answering 429 in the specification\'s shape', async () => {
    const a = (await t.request().post('/api/v1/admin/api-clients').set(bearer(t.tokens.admin)).send({ name: 'A' })).body.apiKey as string;
    const b = (await t.request().post('/api/v1/admin/api-clients').set(bearer(t.tokens.admin)).send({ name: 'B' })).body.apiKey as string;
    // a's first filing: counted against this address until the key has authenticated, then per key
    expect((await t.request().post('/open311/v2/requests.json').type('form').send(filing(a))).status).toBe(200);
    // bad requests count too (limit 3 a minute in this app)
    for (let i = 0; i < 3; i++) {
      const r = await t.request().post('/open311/v2/requests.json').type('form').send({ api_key: a });
      expect(r.status).toBe(400);
    }
    const over = await t.request().post('/open311/v2/requests.json').type('form').send(filing(a));
    expect(over.status).toBe(429);
    expect(over.body).toEqual([{ code: 429, description: expect.any(String) }]);
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
    const overXml = await t.request().post('/open311/v2/requests.xml').type('form').send(filing(a));
    expect(overXml.status).toBe(429);
    expect(val(parseXml(overXml.text).root.children[0], 'code')).toBe('429');
    // another app's key is counted apart (its first filing on its own address's allowance)
    const other = await t.app.inject({ method: 'POST', url: '/open311/v2/requests.json', remoteAddress: '198.51.100.50', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(filing(b)).toString() });
    expect(other.statusCode).toBe(200);
  });

  it('a revoked key goes back to its address’s allowance at its first refusal', async () => {
    const created = (await t.request().post('/api/v1/admin/api-clients').set(bearer(t.tokens.admin)).send({ name: 'C' })).body as { id: number; apiKey: string };
    const form = (key: string, ip: string) =>
      t.app.inject({ method: 'POST', url: '/open311/v2/requests.json', remoteAddress: ip, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(filing(key)).toString() }).then((r) => r.statusCode);
    expect(await form(created.apiKey, '198.51.100.90')).toBe(200);
    expect((await t.request().delete(`/api/v1/admin/api-clients/${created.id}`).set(bearer(t.tokens.admin))).status).toBe(204);
    // from five fresh addresses: each refusal counts on its address, not on the key (limit 3)
    const codes: number[] = [];
    for (let i = 0; i < 5; i++) codes.push(await form(created.apiKey, `198.51.100.${91 + i}`));
    expect(codes).toEqual([403, 403, 403, 403, 403]);
  });

  it('made-up api_keys share their address’s allowance: each is not a new one (nor a key lookup past it)', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await t.app.inject({ method: 'POST', url: '/open311/v2/requests.json', remoteAddress: '198.51.100.77', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(filing(`madeup-${i}`)).toString() });
      codes.push(r.statusCode);
    }
    expect(codes).toEqual([403, 403, 403, 429, 429]);
    // another address is counted apart
    const elsewhere = await t.app.inject({ method: 'POST', url: '/open311/v2/requests.json', remoteAddress: '198.51.100.78', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(filing('madeup-x')).toString() });
    expect(elsewhere.statusCode).toBe(403);
  });
});
