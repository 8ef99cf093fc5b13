import { connect } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError, fieldError, ServiceUnavailable, TooManyRequests } from '../../src/lib/errors.js';
import { methodNotAllowed } from '../../src/plugins/method-not-allowed.js';
import { sql } from 'drizzle-orm';
import type { Database } from '../../src/db/client.js';
import { clientErrorHandler, fieldPath, frameworkErrors, pgBadInputCode, problemDetails } from '../../src/plugins/problem-details.js';
import { createTestDatabase, dbLabel } from '../helpers/db.js';

// the error handler on a bare Fastify: no database, no services
let app: FastifyInstance;
let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
  app = Fastify({ logger: false, frameworkErrors, clientErrorHandler, routerOptions: { maxParamLength: 20 } });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  await app.register(methodNotAllowed);
  await app.register(problemDetails);
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get('/conflict', async () => {
    throw new AppError(409, 'conflict', 'Xung đột trạng thái (conflict)', 'already closed', { currentStatus: 'closed' });
  });
  r.get('/limited', async () => {
    throw new TooManyRequests('too many', 42);
  });
  r.get('/unavailable/:when', async (req) => {
    const when = (req.params as { when: string }).when;
    throw new ServiceUnavailable('not now', when === 'later' ? 60 : undefined);
  });
  r.get('/field', async () => {
    throw fieldError('contact.email', 'not an e-mail address');
  });
  r.get('/boom', async () => {
    throw new Error('secret internals: password=hunter2');
  });
  // the database refuses a value the edge let through (NUL in text, in jsonb, a number that is not one)
  r.get('/db/:what', async (req) => {
    const v = (req.params as { what: string }).what;
    if (v === 'nul') await database.db.execute(sql`select ${'a\u0000b'}::text`);
    if (v === 'jsonb') await database.db.execute(sql`select ${'{"a":"\\u0000"}'}::jsonb`);
    if (v === 'int') await database.db.execute(sql`select ${'12x'}::int`);
    if (v === 'other') await database.db.execute(sql`select * from no_such_table`);
    return { ok: true };
  });
  r.get('/items/:id', { schema: { params: z.object({ id: z.coerce.number().int() }) } }, async (req) => ({ id: req.params.id }));
  r.post(
    '/things',
    { schema: { body: z.object({ name: z.string().min(1), contact: z.object({ email: z.email() }) }) } },
    async (req) => req.body,
  );
  r.get('/bad-response', { schema: { response: { 200: z.object({ n: z.number() }) } } }, async () => ({ n: 'x' }) as unknown as { n: number });
  await app.listen({ port: 0, host: '127.0.0.1' });
});

/** Sends raw bytes on a new connection and reads the answer until the server closes it. */
function raw(bytes: string): Promise<string> {
  const { port } = app.server.address() as { port: number };
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    let out = '';
    s.on('data', (d) => (out += d.toString('utf8')));
    s.on('close', () => resolve(out));
    s.on('error', () => resolve(out));
    setTimeout(() => reject(new Error(`no answer: ${out}`)), 5000).unref();
    s.write(bytes);
  });
}
const problemOf = (answer: string) => JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));
afterAll(async () => {
  await app?.close();
  await database?.close();
});

const isProblem = (r: { headers: Record<string, unknown> }) => expect(String(r.headers['content-type'])).toMatch(/^application\/problem\+json/);

describe('problem-details plugin', () => {
  it('turns an AppError into its status, type, detail and extra fields', async () => {
    const r = await app.inject({ method: 'GET', url: '/conflict?x=1' });
    expect(r.statusCode).toBe(409);
    isProblem(r);
    expect(r.json()).toEqual({
      type: '/docs/problems#conflict',
      title: 'Xung đột trạng thái (conflict)',
      status: 409,
      detail: 'already closed',
      currentStatus: 'closed',
      instance: '/conflict',
    });
  });

  it('says when to come back on a 429 of our own limits (Retry-After from the error)', async () => {
    const r = await app.inject({ method: 'GET', url: '/limited' });
    expect(r.statusCode).toBe(429);
    isProblem(r);
    expect(r.headers['retry-after']).toBe('42');
    expect(r.json()).toMatchObject({ type: '/docs/problems#rate-limited', status: 429, detail: 'too many' });
  });

  it('a 503 says when to come back when the error knows, and only then', async () => {
    const later = await app.inject({ method: 'GET', url: '/unavailable/later' });
    expect(later.statusCode).toBe(503);
    isProblem(later);
    expect(later.headers['retry-after']).toBe('60');
    const unknown = await app.inject({ method: 'GET', url: '/unavailable/unknown' });
    expect(unknown.statusCode).toBe(503);
    expect(unknown.headers['retry-after']).toBeUndefined();
  });

  it('names the field of a service-side 400', async () => {
    const r = await app.inject({ method: 'GET', url: '/field' });
    expect(r.statusCode).toBe(400);
    expect(r.json().errors).toEqual([{ path: 'contact.email', message: 'not an e-mail address' }]);
  });

  it('names every wrong field of a body, and where it was', async () => {
    const r = await app.inject({ method: 'POST', url: '/things', payload: { name: '', contact: { email: 'x' } } });
    expect(r.statusCode).toBe(400);
    isProblem(r);
    const body = r.json();
    expect(body.type).toBe('/docs/problems#validation-error');
    expect(body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['contact.email', 'name']);
    expect(body.errors.every((e: { in: string }) => e.in === 'body')).toBe(true);
    const p = await app.inject({ method: 'GET', url: '/items/abc' });
    expect(p.statusCode).toBe(400);
    expect(p.json().errors[0]).toMatchObject({ path: 'id', in: 'params' });
  });

  it('answers malformed JSON with a 400 problem, not a 500', async () => {
    const r = await app.inject({ method: 'POST', url: '/things', headers: { 'content-type': 'application/json' }, payload: '{"name":' });
    expect(r.statusCode).toBe(400);
    isProblem(r);
    expect(r.json().detail).toBe('The body is not valid JSON');
  });

  it('hides an unexpected error behind a 500 with no internals', async () => {
    const r = await app.inject({ method: 'GET', url: '/boom' });
    expect(r.statusCode).toBe(500);
    isProblem(r);
    expect(r.json().type).toBe('/docs/problems#internal');
    expect(r.body).not.toContain('hunter2');
    const s = await app.inject({ method: 'GET', url: '/bad-response' });
    expect(s.statusCode).toBe(500);
    expect(s.json().type).toBe('/docs/problems#internal');
  });

  it(`maps ${dbLabel}'s refusal of a value (NUL, bad jsonb, not a number) to 400, other database errors stay 500`, async () => {
    for (const what of ['nul', 'jsonb', 'int']) {
      const r = await app.inject({ method: 'GET', url: `/db/${what}` });
      expect(r.statusCode, what).toBe(400);
      isProblem(r);
      expect(r.json()).toMatchObject({ type: '/docs/problems#bad-request', errors: [{ path: '(request)' }] });
    }
    const o = await app.inject({ method: 'GET', url: '/db/other' });
    expect(o.statusCode).toBe(500);
    expect(pgBadInputCode({ message: 'x', cause: { code: '22021' } })).toBe('22021');
    expect(pgBadInputCode({ code: '23505' })).toBeNull();
  });

  it("answers the HTTP server's own client errors (431, malformed chunked body, bad request line) as problems", async () => {
    const big = await raw(`GET /things HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(big).toMatch(/^HTTP\/1.1 431 /);
    expect(big).toMatch(/content-type: application\/problem\+json/i);
    expect(problemOf(big)).toMatchObject({ status: 431, type: '/docs/problems#header-too-large' });
    const chunked = await raw('POST /things HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n');
    expect(chunked).toMatch(/^HTTP\/1.1 400 /);
    expect(chunked).toMatch(/content-type: application\/problem\+json/i);
    expect(problemOf(chunked)).toMatchObject({ status: 400, type: '/docs/problems#bad-request' });
    const line = await raw('GET /things HTTP/1.1 extra\r\nHost: x\r\n\r\n');
    expect(line).toMatch(/^HTTP\/1.1 400 /);
    expect(problemOf(line).status).toBe(400);
    const nul = await raw('GET /things HTTP/1.1\r\nHost: x\r\nX-Access-Key: a\u0000b\r\n\r\n');
    expect(nul).toMatch(/^HTTP\/1.1 400 /);
    expect(nul).toMatch(/application\/problem\+json/i);
  });

  it('answers router errors (bad escape, over-long parameter) as problems', async () => {
    const e = await app.inject({ method: 'GET', url: '/items/%E0%A4%A' });
    expect(e.statusCode).toBe(400);
    isProblem(e);
    const l = await app.inject({ method: 'GET', url: `/items/${'9'.repeat(40)}` });
    expect(l.statusCode).toBe(414);
    isProblem(l);
  });

  it('answers 404 for an unknown path and 405 with Allow for a wrong method', async () => {
    const n = await app.inject({ method: 'GET', url: '/nowhere' });
    expect(n.statusCode).toBe(404);
    isProblem(n);
    const m = await app.inject({ method: 'DELETE', url: '/things' });
    expect(m.statusCode).toBe(405);
    expect(m.headers.allow).toBe('POST');
  });

  it('turns a JSON pointer into a dotted path', () => {
    expect(fieldPath('/contact/emails/0')).toBe('contact.emails.0');
    expect(fieldPath('/a~1b/c~0d')).toBe('a/b.c~d');
    expect(fieldPath(undefined)).toBe('');
  });
});
