import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { dbLabel } from '../helpers/db.js';
import { countRows, refIds, validBody, type RefIds } from './helpers.js';

let t: TestApp;
let ids: RefIds;
beforeAll(async () => {
  // the default limit: 30 public writes per minute and IP address
  t = await createTestApp();
  ids = await refIds(t);
});
afterAll(async () => t?.close());

describe(`per-IP limit of public writes on ${dbLabel}`, () => {
  it('answers the 31st submission in a minute with 429 problem+json, while staff routes still answer', async () => {
    expect(t.app.config.PAKN_RATE_LIMIT_PUBLIC).toBe(30);
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) {
      // a mix of good and bad bodies: every request counts
      const body = i % 3 === 0 ? validBody(ids) : { kind: 'phan_anh' };
      statuses.push((await t.request().post('/api/v1/public/cases').send(body)).status);
    }
    expect(statuses.filter((s) => s === 429)).toHaveLength(0);
    const n = await countRows(t, 'cases');
    const r = await t.request().post('/api/v1/public/cases').send(validBody(ids));
    expect(r.status).toBe(429);
    expect(r.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(r.body).toMatchObject({ status: 429, type: expect.stringContaining('rate-limited') });
    expect(r.headers['retry-after']).toBeDefined();
    expect(await countRows(t, 'cases')).toBe(n);
    // staff carry no limit
    for (let i = 0; i < 5; i++) {
      expect((await t.request().get('/api/v1/agencies').set(bearer(t.tokens.coordinator))).status).toBe(200);
    }
    // nor does public reading of reference data or the form
    expect((await t.request().get('/api/v1/public/categories')).status).toBe(200);
    expect((await t.request().get('/')).status).toBe(200);
  });
});
