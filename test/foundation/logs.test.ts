import { Writable } from 'node:stream';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { testConfig } from '../../src/config.js';
import type { Database } from '../../src/db/client.js';
import { seedDemo } from '../../src/db/seed.js';
import { FixedClock } from '../../src/lib/clock.js';
import { loggerOptions, redactUrl } from '../../src/lib/log.js';
import { createTestDatabase, dbLabel } from '../helpers/db.js';
import type { FastifyInstance } from 'fastify';
import supertest from 'supertest';

/** Everything the service logs, as it would reach the log collector. */
let logged = '';
const sink = new Writable({
  write(chunk, _enc, done) {
    logged += chunk.toString();
    done();
  },
});

let database: Database;
let app: FastifyInstance;
let adminToken: string;
beforeAll(async () => {
  database = await createTestDatabase();
  const seeded = await seedDemo(database.db);
  adminToken = seeded.tokens.find((t) => t.role === 'admin')!.token;
  const config = testConfig({ PUBLIC_BASE_URL: 'http://pakn.test', LOG_LEVEL: 'info' });
  app = await buildApp({ config, database, clock: new FixedClock('2026-03-02T02:00:00Z'), logger: loggerOptions('info', sink) });
});
afterAll(async () => {
  await app?.close();
  await database?.close();
});

const request = () => supertest(app.server);

describe(`secrets never reach the logs, on ${dbLabel}`, () => {
  it('redacts the access key (khoa) of a tracking link, and logs the rest of the URL', async () => {
    logged = '';
    const key = 'KHOA-bi-mat-7Q2m9x';
    await request().get(`/tra-cuu?ma=PAKN.20260302.0001&khoa=${key}`);
    await request().post('/tra-cuu').type('form').send({ ma: 'PAKN.20260302.0001', khoa: key });
    expect(logged).toContain('/tra-cuu?ma=PAKN.20260302.0001&khoa=[redacted]');
    expect(logged).not.toContain(key);
  });

  it('redacts an Open311 api_key in the query string and the form body', async () => {
    logged = '';
    const key = 'o311-khoa-ung-dung-5fK8pQ';
    await request().get(`/open311/v2/requests.json?api_key=${key}&status=open`);
    await request().post('/open311/v2/requests.json').type('form').send({ api_key: key, service_code: 'xay_dung', description: 'x' });
    await request().get(`/open311/v2/requests.json?API_KEY=${key}`);
    expect(logged).toContain('api_key=[redacted]&status=open');
    expect(logged).not.toContain(key);
  });

  it('never logs a Bearer token', async () => {
    logged = '';
    await request().get('/api/v1/agencies').set('Authorization', `Bearer ${adminToken}`);
    await request().get('/api/v1/agencies').set('Authorization', 'Bearer pakn_not_a_real_token_0123456789');
    expect(logged).toContain('/api/v1/agencies');
    expect(logged).not.toContain(adminToken);
    expect(logged).not.toContain('pakn_not_a_real_token');
  });

  it('logs a failed SQL statement without its parameter values (drizzle and PostgreSQL error texts)', async () => {
    const email = 'nguyen.van.a@congty-anphat.vn';
    const story = 'Chủ doanh nghiệp Nguyễn Văn A, CCCD 001085012345';
    let err: unknown;
    try {
      await database.db.execute(sql`select ${email}::int as n, ${story} as s`);
    } catch (e) {
      err = e;
    }
    expect(err).toBeDefined();
    expect(String((err as Error).message) + String((err as { cause?: Error }).cause?.message)).toContain(email); // the raw error carries it
    logged = '';
    app.log.error({ err }, 'unhandled error');
    expect(logged).toContain('unhandled error');
    expect(logged).toContain('Failed query');
    expect(logged).toContain('[redacted]');
    expect(logged).not.toContain(email);
    expect(logged).not.toContain('001085012345');

    // a unique violation's detail echoes the value too
    let dup: unknown;
    try {
      await database.db.execute(sql`insert into agencies (code, name, kind) values (${'so_xay_dung'}, ${'Sở Xây dựng'}, ${'department'})`);
    } catch (e) {
      dup = e;
    }
    expect(dup).toBeDefined();
    logged = '';
    app.log.error({ err: dup }, 'unhandled error');
    expect(logged).toContain('duplicate key value violates unique constraint');
    expect(logged).not.toContain('so_xay_dung');
    expect(logged).not.toContain('Sở Xây dựng');
  });

  it('redactUrl keeps ordinary parameters and URLs without a query', () => {
    expect(redactUrl('/api/v1/cases?status=assigned&q=dat%20dai')).toBe('/api/v1/cases?status=assigned&q=dat%20dai');
    expect(redactUrl('/healthz')).toBe('/healthz');
    expect(redactUrl('/x?kho%61=abc&token=t&a')).toBe('/x?kho%61=[redacted]&token=[redacted]&a');
  });
});
