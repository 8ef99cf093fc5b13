import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

describe('what routes can reach through app.services', () => {
  it('holds no database handle: routes go through services, never straight to the database', () => {
    const services = t.app.services as unknown as Record<string, unknown>;
    expect(services).not.toHaveProperty('db');
    expect(services).not.toHaveProperty('database');
    for (const [name, value] of Object.entries(services)) {
      expect(value, name).not.toBe(t.database);
      expect(value, name).not.toBe(t.database.db);
    }
  });

  it('the readiness probe asks the database through its narrow health view', async () => {
    expect(t.app.services.health.kind).toBe(t.database.kind);
    await expect(t.app.services.health.ping()).resolves.toBeUndefined();
    const res = await t.request().get('/readyz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ready', database: t.database.kind });
  });
});
