import Fastify, { type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError, fieldError } from '../../src/lib/errors.js';
import { methodNotAllowed } from '../../src/plugins/method-not-allowed.js';
import { fieldPath, frameworkErrors, problemDetails } from '../../src/plugins/problem-details.js';

// the error handler on a bare Fastify: no database, no services
let app: FastifyInstance;
beforeAll(async () => {
  app = Fastify({ logger: false, frameworkErrors, routerOptions: { maxParamLength: 20 } });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  await app.register(methodNotAllowed);
  await app.register(problemDetails);
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get('/conflict', async () => {
    throw new AppError(409, 'conflict', 'Xung đột trạng thái (conflict)', 'already closed', { currentStatus: 'closed' });
  });
  r.get('/field', async () => {
    throw fieldError('contact.email', 'not an e-mail address');
  });
  r.get('/boom', async () => {
    throw new Error('secret internals: password=hunter2');
  });
  r.get('/items/:id', { schema: { params: z.object({ id: z.coerce.number().int() }) } }, async (req) => ({ id: req.params.id }));
  r.post(
    '/things',
    { schema: { body: z.object({ name: z.string().min(1), contact: z.object({ email: z.email() }) }) } },
    async (req) => req.body,
  );
  r.get('/bad-response', { schema: { response: { 200: z.object({ n: z.number() }) } } }, async () => ({ n: 'x' }) as unknown as { n: number });
  await app.ready();
});
afterAll(async () => app?.close());

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
