import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientAddress } from '../../src/lib/client-address.js';
import { unverifiedPerAddress } from '../../src/plugins/staff-rate-limit.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { dbLabel } from '../helpers/db.js';
import type { FastifyRequest } from 'fastify';

// Every per-address limit counts an IPv6 client by its /64 (what one subscriber is handed) and an
// IPv4-mapped address as its IPv4 one: stepping through the addresses of one's own network gives
// no new allowance.
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ config: { PAKN_RATE_LIMIT_PUBLIC: '3', PAKN_RATE_LIMIT_KEY_RECOVERY: '2', PAKN_RATE_LIMIT_STAFF: '3' } });
});
afterAll(async () => t?.close());

const from = (remoteAddress: string, method: 'GET' | 'POST', url: string, payload?: unknown, headers: Record<string, string> = {}) =>
  t.app.inject({ method, url, remoteAddress, payload: payload as string, headers }).then((r) => r.statusCode);

describe(`per-address limits and IPv6 networks on ${dbLabel}`, () => {
  it('the key of an address: IPv6 by its /64, IPv4-mapped as IPv4, IPv4 as it is', () => {
    const key = (ip: string) => clientAddress({ ip } as FastifyRequest);
    expect(key('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).toBe(key('2001:db8:1:2::1'));
    expect(key('2001:db8:1:3::1')).not.toBe(key('2001:db8:1:2::1'));
    expect(key('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(key('192.0.2.7')).toBe('192.0.2.7');
    expect(key('192.0.2.8')).not.toBe(key('192.0.2.7'));
  });

  it('public submissions: the addresses of one /64 share one allowance; another /64 has its own', async () => {
    const post = (ip: string) => from(ip, 'POST', '/api/v1/public/cases', { kind: 'phan_anh' });
    // bad bodies count too (every request does)
    expect([await post('2001:db8:a:b::1'), await post('2001:db8:a:b::2'), await post('2001:db8:a:b:1:2:3:4')]).toEqual([400, 400, 400]);
    expect(await post('2001:db8:a:b:ffff:ffff:ffff:fffe')).toBe(429);
    expect(await post('2001:db8:a:c::1')).toBe(400);
    // an IPv4 client seen through an IPv6 socket is the same client
    expect([await post('192.0.2.7'), await post('::ffff:192.0.2.7'), await post('192.0.2.7')]).toEqual([400, 400, 400]);
    expect(await post('::ffff:192.0.2.7')).toBe(429);
  });

  it('lost-key requests: PAKN_RATE_LIMIT_KEY_RECOVERY an hour per /64, whatever the code', async () => {
    const ask = (ip: string, seq: number) => from(ip, 'POST', `/api/v1/public/cases/PAKN.20260302.${String(seq).padStart(4, '0')}/access-key-recovery`, { email: 'ai.do@example.vn' });
    expect([await ask('2001:db8:d:e::1', 901), await ask('2001:db8:d:e::2', 902)]).toEqual([202, 202]);
    expect(await ask('2001:db8:d:e::3', 903)).toBe(429);
    expect(await ask('2001:db8:d:f::1', 904)).toBe(202);
  });

  it('staff routes without a token that authenticated: one small allowance per /64', async () => {
    // made-up tokens, a new one each time (each would have an allowance of its own)
    let k = 0;
    const me = (ip: string) => from(ip, 'GET', '/api/v1/me', undefined, { authorization: `Bearer pakn_madeup_${++k}_${'x'.repeat(30)}` });
    const n = unverifiedPerAddress(3);
    const codes: number[] = [];
    for (let i = 0; i < n; i++) codes.push(await me(`2001:db8:5:6::${(i + 1).toString(16)}`));
    expect(codes.every((c) => c === 401)).toBe(true);
    expect(await me('2001:db8:5:6:9:9:9:9')).toBe(429);
    expect(await me('2001:db8:5:7::1')).toBe(401);
  });

  it('Open311 filings without an api_key: one allowance per /64', async () => {
    const file = (ip: string) =>
      t.app.inject({ method: 'POST', url: '/open311/v2/requests.json', remoteAddress: ip, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'service_code=x' }).then((r) => r.statusCode);
    const first = [await file('2001:db8:9:9::1'), await file('2001:db8:9:9::2'), await file('2001:db8:9:9::3')];
    expect(first.every((c) => c !== 429)).toBe(true);
    expect(await file('2001:db8:9:9::4')).toBe(429);
    expect(await file('2001:db8:9:a::1')).not.toBe(429);
  });
});
