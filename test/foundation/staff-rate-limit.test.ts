import type { FastifyRequest } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staffRateKey, unverifiedPerAddress } from '../../src/plugins/staff-rate-limit.js';

const UNVERIFIED_PER_ADDRESS = unverifiedPerAddress(3);
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ config: { PAKN_RATE_LIMIT_STAFF: '3' } });
});
afterAll(async () => {
  await t.close();
});

describe('staff API: PAKN_RATE_LIMIT_STAFF requests per token per minute', () => {
  it('answers 429 problem+json with Retry-After past the limit, per token', async () => {
    const me = () => t.request().get('/api/v1/me').set(bearer(t.tokens.agency_staff));
    for (let i = 0; i < 3; i++) {
      const r = await me();
      expect(r.status).toBe(200);
      expect(r.headers['x-ratelimit-limit']).toBe('3');
      expect(r.headers['x-ratelimit-remaining']).toBe(String(2 - i));
    }
    const over = await me();
    expect(over.status).toBe(429);
    expect(over.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(over.body).toMatchObject({ status: 429, type: expect.stringMatching(/#rate-limited$/) });
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
    // another token has its own allowance, on any staff route
    const other = await t.request().get('/api/v1/cases').set(bearer(t.tokens.coordinator));
    expect(other.status).toBe(200);
    // the same token is limited on every staff route, not per route
    expect((await t.request().get('/api/v1/cases').set(bearer(t.tokens.agency_staff))).status).toBe(429);
  });

  it('counts before the token is looked up: requests without one share their address’s allowance', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 4; i++) codes.push((await t.request().get('/api/v1/me')).status);
    expect(codes).toEqual([401, 401, 401, 429]);
  });

  it('made-up tokens run out of their address’s small allowance; tokens that authenticated here keep theirs', async () => {
    const codes: number[] = [];
    for (let i = 0; i < UNVERIFIED_PER_ADDRESS + 5; i++) {
      codes.push((await t.request().get('/api/v1/me').set(bearer(`pakn_madeup_${i}_${'x'.repeat(30)}`))).status);
      if (codes.at(-1) === 429) break;
    }
    // earlier tests of this file spent some of the address's allowance; then 429, and no more lookups
    expect(codes.at(-1)).toBe(429);
    expect(codes.slice(0, -1).every((c) => c === 401)).toBe(true);
    expect(codes.length).toBeLessThanOrEqual(UNVERIFIED_PER_ADDRESS);
    const over = await t.request().get('/api/v1/me').set(bearer('pakn_madeup_again'));
    expect(over.status).toBe(429);
    expect(over.body.detail).toMatch(/without a token that has authenticated/);
    // the coordinator's token authenticated in the first test: it still has its own allowance
    expect((await t.request().get('/api/v1/me').set(bearer(t.tokens.coordinator))).status).toBe(200);
  });

  it('leaves the public routes to their own limit', async () => {
    const r = await t.request().get('/api/v1/public/categories');
    expect(r.status).toBe(200);
    expect(r.headers['x-ratelimit-limit']).toBeUndefined();
  });

  it('the allowance of tokens not yet seen to authenticate is a twentieth of the per-token one, at least 60', () => {
    expect(unverifiedPerAddress(3)).toBe(60);
    expect(unverifiedPerAddress(1200)).toBe(60);
    expect(unverifiedPerAddress(6000)).toBe(300);
  });

  it('keeps no token in the limiter: the bucket is a hash of it', () => {
    const token = t.tokens.admin;
    const key = staffRateKey({ headers: { authorization: `Bearer ${token}` }, ip: '10.0.0.1' } as unknown as FastifyRequest);
    expect(key).toMatch(/^staff:[A-Za-z0-9_-]{22}$/);
    expect(key).not.toContain(token.slice(5, 15));
    expect(staffRateKey({ headers: {}, ip: '10.0.0.1' } as unknown as FastifyRequest)).toBe('staff-ip:10.0.0.1');
    // longer than any token authentication looks up: counted by address, not one bucket each
    expect(staffRateKey({ headers: { authorization: `Bearer ${'a'.repeat(201)}` }, ip: '10.0.0.1' } as unknown as FastifyRequest)).toBe('staff-ip:10.0.0.1');
  });

  it('the OpenAPI document gives every staff operation its 429', async () => {
    const doc = (await t.request().get('/openapi.json')).body as { paths: Record<string, Record<string, { security?: unknown; responses: Record<string, unknown> }>> };
    const staffOps = Object.entries(doc.paths)
      .filter(([p]) => p.startsWith('/api/v1/') && !p.startsWith('/api/v1/public'))
      .flatMap(([p, ops]) => Object.entries(ops).map(([m, op]) => ({ op: `${m} ${p}`, has429: '429' in op.responses })));
    expect(staffOps.length).toBeGreaterThan(40);
    expect(staffOps.filter((o) => !o.has429)).toEqual([]);
  });
});
