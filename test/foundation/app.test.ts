import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { dbLabel } from '../helpers/db.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

describe(`foundation on ${dbLabel}`, () => {
  it('answers /healthz and /readyz', async () => {
    expect((await t.request().get('/healthz')).body).toEqual({ status: 'ok' });
    const r = await t.request().get('/readyz');
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('ready');
    expect(r.body.database).toBe(t.database.kind);
  });

  it('serves the OpenAPI document and its UI', async () => {
    const doc = await t.request().get('/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe('3.1.0');
    expect(Object.keys(doc.body.paths)).toContain('/api/v1/admin/agencies');
    const ui = await t.request().get('/docs/');
    expect(ui.status).toBe(200);
    expect(ui.text).toContain('swagger');
  });

  it('sets security headers', async () => {
    const r = await t.request().get('/healthz');
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['content-security-policy']).toContain("default-src 'self'");
  });

  it('answers an unknown route with a 404 problem and a wrong method with 405', async () => {
    const r = await t.request().get('/no/such/thing');
    expect(r.status).toBe(404);
    expect(r.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(r.body).toMatchObject({ status: 404, title: expect.any(String) });
    const m = await t.request().delete('/healthz');
    expect(m.status).toBe(405);
    expect(m.headers.allow).toContain('GET');
    expect(m.body.status).toBe(405);
  });

  it('refuses staff routes without a token, with an unknown token, and with the wrong role', async () => {
    expect((await t.request().get('/api/v1/admin/agencies')).status).toBe(401);
    expect((await t.request().get('/api/v1/admin/agencies').set(bearer('pakn_nope'))).status).toBe(401);
    const r = await t.request().get('/api/v1/admin/agencies').set(bearer(t.tokens.coordinator));
    expect(r.status).toBe(403);
    expect(r.headers['content-type']).toMatch(/problem\+json/);
    expect(r.body).toMatchObject({ type: '/docs/problems#forbidden', status: 403, detail: expect.stringContaining('coordinator'), instance: '/api/v1/admin/agencies' });
    const u = await t.request().get('/api/v1/admin/agencies');
    expect(u.headers['content-type']).toMatch(/problem\+json/);
    expect(u.body).toMatchObject({ type: '/docs/problems#unauthorized', status: 401, detail: 'A Bearer token is required' });
  });

  it('lists the demo province', async () => {
    const r = await t.request().get('/api/v1/admin/agencies').set(bearer(t.tokens.admin));
    expect(r.status).toBe(200);
    const names = r.body.items.map((a: { name: string }) => a.name);
    expect(names).toContain('Sở Xây dựng');
    expect(names).toContain('Thanh tra tỉnh');
    const pub = await t.request().get('/api/v1/public/agencies');
    expect(pub.status).toBe(200);
    expect(JSON.stringify(pub.body)).not.toContain('@');
    const cats = await t.request().get('/api/v1/public/categories');
    expect(cats.body.items.map((c: { code: string }) => c.code)).toContain('pccc');
    const locs = await t.request().get('/api/v1/public/localities');
    expect(locs.body.items.length).toBeGreaterThanOrEqual(5);
  });

  it('answers a bad body with a 400 problem naming each wrong field, and writes nothing', async () => {
    const before = (await t.request().get('/api/v1/admin/agencies').set(bearer(t.tokens.admin))).body.items.length;
    const r = await t.request()
      .post('/api/v1/admin/agencies')
      .set(bearer(t.tokens.admin))
      .send({ code: 'x y', kind: 'castle', contactEmails: ['not-mail'] });
    expect(r.status).toBe(400);
    expect(r.headers['content-type']).toMatch(/application\/problem\+json/);
    const paths = r.body.errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['code', 'name', 'kind', 'contactEmails.0']));
    const after = (await t.request().get('/api/v1/admin/agencies').set(bearer(t.tokens.admin))).body.items.length;
    expect(after).toBe(before);
  });

  it('answers malformed JSON with a 400, never a 500 or a stack trace', async () => {
    const r = await t.request()
      .post('/api/v1/admin/agencies')
      .set(bearer(t.tokens.admin))
      .set('content-type', 'application/json')
      .send('{"code": ');
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.body)).not.toMatch(/at .*\.ts:\d+/);
  });

  it('refuses a body over the size limit with 413', async () => {
    const r = await t.request()
      .post('/api/v1/admin/categories')
      .set(bearer(t.tokens.admin))
      .send({ code: 'big', name: 'x', description: 'a'.repeat(2 * 1024 * 1024) });
    expect(r.status).toBe(413);
  });

  it('creates agencies in a hierarchy with dates, and checks the parent', async () => {
    const parent = await t.request()
      .post('/api/v1/admin/agencies')
      .set(bearer(t.tokens.admin))
      .send({ code: 'so_kh_dt', name: 'Sở Kế hoạch và Đầu tư', kind: 'department', activeTo: '2025-02-28' });
    expect(parent.status).toBe(201);
    const bad = await t.request()
      .post('/api/v1/admin/agencies')
      .set(bearer(t.tokens.admin))
      .send({ code: 'child', name: 'Phòng', kind: 'other', parentId: 999999 });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe('parentId');
    const dup = await t.request()
      .post('/api/v1/admin/agencies')
      .set(bearer(t.tokens.admin))
      .send({ code: 'so_kh_dt', name: 'again', kind: 'department' });
    expect(dup.status).toBe(409);
    // a merged-away agency is not in today's public directory
    const pub = await t.request().get('/api/v1/public/agencies');
    expect(pub.body.items.map((a: { code: string }) => a.code)).not.toContain('so_kh_dt');
  });

  it('issues a token once, stores only its hash, records last use, and revokes it', async () => {
    const u = await t.request()
      .post('/api/v1/admin/users')
      .set(bearer(t.tokens.admin))
      .send({ name: 'Kiểm tra', role: 'inspector' });
    expect(u.status).toBe(201);
    const noAgency = await t.request()
      .post('/api/v1/admin/users')
      .set(bearer(t.tokens.admin))
      .send({ name: 'CV', role: 'agency_staff' });
    expect(noAgency.status).toBe(400);
    expect(noAgency.body.errors[0].path).toBe('agencyId');

    const tok = await t.request().post('/api/v1/admin/tokens').set(bearer(t.tokens.admin)).send({ userId: u.body.id, label: 'test' });
    expect(tok.status).toBe(201);
    expect(tok.body.token).toMatch(/^pakn_/);
    const stored = await t.database.pglite?.query<{ token_hash: string }>('select token_hash from api_tokens where id = $1', [tok.body.id]);
    if (stored) expect(stored.rows[0].token_hash).not.toContain(tok.body.token);

    expect((await t.request().get('/api/v1/agencies').set(bearer(tok.body.token))).status).toBe(200);
    const list = await t.request().get(`/api/v1/admin/tokens?userId=${u.body.id}`).set(bearer(t.tokens.admin));
    expect(list.body.items[0].lastUsedAt).not.toBeNull();
    expect(JSON.stringify(list.body)).not.toContain(tok.body.token);

    expect((await t.request().delete(`/api/v1/admin/tokens/${tok.body.id}`).set(bearer(t.tokens.admin))).status).toBe(204);
    expect((await t.request().get('/api/v1/agencies').set(bearer(tok.body.token))).status).toBe(401);
  });

  it('bootstraps an admin from PAKN_ADMIN_TOKEN', async () => {
    const token = 'bootstrap-admin-token-for-tests-0001';
    await t.app.services.auth.ensureBootstrapAdmin(token);
    await t.app.services.auth.ensureBootstrapAdmin(token);
    expect((await t.request().get('/api/v1/admin/users').set(bearer(token))).status).toBe(200);
    const next = 'bootstrap-admin-token-for-tests-0002';
    await t.app.services.auth.ensureBootstrapAdmin(next);
    expect((await t.request().get('/api/v1/admin/users').set(bearer(next))).status).toBe(200);
    expect((await t.request().get('/api/v1/admin/users').set(bearer(token))).status).toBe(401);
  });
});

describe('URLs the router refuses', () => {
  it('answers a malformed escape and an over-long parameter with problem+json', async () => {
    const bad = await t.request().get('/api/v1/admin/agencies/%E0%A4%A');
    expect(bad.status).toBe(400);
    expect(bad.headers['content-type']).toMatch(/problem\+json/);
    const long = await t.request().get(`/api/v1/admin/agencies/${'9'.repeat(300)}`);
    expect(long.status).toBeLessThan(500);
    expect(long.headers['content-type']).toMatch(/problem\+json/);
  });
});
