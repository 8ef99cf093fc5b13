import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { dbLabel } from '../helpers/db.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

describe(`unknown query parameters on staff routes, on ${dbLabel}`, () => {
  it('answers GET /api/v1/cases?agencyId=5 (a typo for agency) with a 400 naming the parameter', async () => {
    const r = await t.request().get('/api/v1/cases?agencyId=5').set(bearer(t.tokens.coordinator));
    expect(r.status).toBe(400);
    expect(r.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(r.body.errors).toEqual([{ path: 'agencyId', in: 'querystring', message: 'unknown query parameter' }]);
    expect(r.body.detail).toContain('agencyId');
    // the right name still works
    expect((await t.request().get('/api/v1/cases?agency=5').set(bearer(t.tokens.coordinator))).status).toBe(200);
  });

  it('names every unknown parameter, beside the known ones', async () => {
    const r = await t.request().get('/api/v1/cases?status=assigned&agencyid=5&limt=10').set(bearer(t.tokens.coordinator));
    expect(r.status).toBe(400);
    expect(r.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['agencyid', 'limt']);
  });

  it('refuses query parameters on a staff route that takes none', async () => {
    const r = await t.request().get('/api/v1/admin/agencies?active=true').set(bearer(t.tokens.admin));
    expect(r.status).toBe(400);
    expect(r.body.errors).toEqual([{ path: 'active', in: 'querystring', message: 'unknown query parameter' }]);
  });

  it('checks the token first: without one the answer is 401, whatever the query', async () => {
    expect((await t.request().get('/api/v1/cases?agencyId=5')).status).toBe(401);
  });

  it('leaves public routes alone', async () => {
    expect((await t.request().get('/api/v1/public/categories?utm_source=zalo')).status).toBe(200);
  });

  it('holds on every staff GET route of the API', async () => {
    const doc = (await t.request().get('/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
    const routes = Object.entries(doc.paths)
      .filter(([p, ops]) => 'get' in ops && p.startsWith('/api/v1/') && !p.startsWith('/api/v1/public'))
      .map(([p]) => p.replace(/\{period\}/g, '2026-02').replace(/\{year\}/g, '2026').replace(/\{[^}]+\}/g, '1'));
    expect(routes.length).toBeGreaterThan(15);
    const roles = ['admin', 'coordinator', 'inspector', 'agency_lead'];
    for (const path of routes) {
      let status = 0;
      for (const role of roles) {
        status = (await t.request().get(`${path}?zz_unknown=1`).set(bearer(t.tokens[role]))).status;
        if (status !== 403) break;
      }
      expect(status, path).toBe(400);
    }
  });
});
