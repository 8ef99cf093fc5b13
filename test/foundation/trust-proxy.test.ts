import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import { loadConfig, ConfigError } from '../../src/config.js';
import { trustProxyOption } from '../../src/lib/client-address.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { dbLabel } from '../helpers/db.js';

// Behind a proxy, the client's address comes from X-Forwarded-For — but only the hops the
// service's own proxies added: whatever a client writes into the header itself must not pick
// its address (and so its rate-limit allowance).
const submit = (t: TestApp, remoteAddress: string, xff?: string) =>
  t.app
    .inject({ method: 'POST', url: '/api/v1/public/cases', remoteAddress, headers: { 'content-type': 'application/json', ...(xff ? { 'x-forwarded-for': xff } : {}) }, payload: { kind: 'phan_anh' } })
    .then((r) => r.statusCode);

describe(`PAKN_TRUST_PROXY on ${dbLabel}`, () => {
  describe('one proxy in front (PAKN_TRUST_PROXY=1)', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({ config: { PAKN_TRUST_PROXY: '1', PAKN_RATE_LIMIT_PUBLIC: '3' } });
    });
    afterAll(async () => t?.close());

    it('a client cannot pick its address by writing X-Forwarded-For itself: the proxy’s own hop counts', async () => {
      // the proxy (127.0.0.1) appends the client's real address (198.51.100.7) to what the client sent
      const codes: number[] = [];
      for (let i = 0; i < 4; i++) codes.push(await submit(t, '127.0.0.1', `203.0.113.${i + 1}, 198.51.100.7`));
      expect(codes).toEqual([400, 400, 400, 429]);
      // another client behind the same proxy has its own allowance
      expect(await submit(t, '127.0.0.1', '198.51.100.8')).toBe(400);
    });
  });

  describe('the proxies named by address (PAKN_TRUST_PROXY=127.0.0.1,10.0.0.0/8)', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({ config: { PAKN_TRUST_PROXY: '127.0.0.1, 10.0.0.0/8', PAKN_RATE_LIMIT_PUBLIC: '3' } });
    });
    afterAll(async () => t?.close());

    it('the client is the nearest address that is not one of them; a direct client’s header is ignored', async () => {
      const codes: number[] = [];
      // a load balancer (10.1.2.3) then nginx (127.0.0.1): the client is 198.51.100.9 whatever it wrote before
      for (let i = 0; i < 4; i++) codes.push(await submit(t, '127.0.0.1', `203.0.113.${i + 1}, 198.51.100.9, 10.1.2.3`));
      expect(codes).toEqual([400, 400, 400, 429]);
      // a client reaching the service directly (not a named proxy) is its own address, header or not
      const direct: number[] = [];
      for (let i = 0; i < 4; i++) direct.push(await submit(t, '198.51.100.20', `203.0.113.${i + 10}`));
      expect(direct).toEqual([400, 400, 400, 429]);
    });
  });

  it('reads a number of hops, a list of addresses or networks, or off; refuses "trust every hop"', () => {
    const of = (v: string) => loadConfig({ NODE_ENV: 'test', PAKN_TRUST_PROXY: v }).PAKN_TRUST_PROXY;
    expect(of('')).toBe(false);
    expect(of('0')).toBe(false);
    expect(of('no')).toBe(false);
    expect(of('off')).toBe(false);
    expect(of('OFF')).toBe(false);
    expect(of('1')).toBe(1);
    expect(of('2')).toBe(2);
    expect(of('10.0.0.1, 10.0.0.0/8 ,::1,fd00::/8')).toEqual(['10.0.0.1', '10.0.0.0/8', '::1', 'fd00::/8']);
    expect(loadConfig({ NODE_ENV: 'test' }).PAKN_TRUST_PROXY).toBe(false);
    for (const bad of ['true', 'yes', 'all', '-1', '1.5', '01', '100', '10.0.0.0/33', 'fd00::/129', 'proxy.example.vn', '10.0.0.1,,', '10.0.0.1/8/8']) {
      expect(() => of(bad), bad).toThrow(ConfigError);
      expect(() => of(bad), bad).toThrow(/PAKN_TRUST_PROXY/);
    }
    // every address is "every hop" too
    for (const all of ['true', '0.0.0.0/0', '::/0', '10.0.0.1, 1.2.3.4/000', '0.0.0.0/1,128.0.0.0/1', '10.0.0.0/7', '::ffff:0.0.0.0/96', '::ffff:10.0.0.0/103', '0:0:0:0:0:ffff::/96', '2000::/3', '2400::/8', '2001::/16', '2402:800::/27', 'fc00::/6', 'fe80::/9']) {
      expect(() => of(all), all).toThrow(/lets a client choose its own address/);
    }
    // zone ids are not proxies' addresses (and proxy-addr would stop the start on most of them)
    for (const zoned of ['fe80::1%eth0', 'fe80::1%en-0', 'fe80::1%eth0.10']) expect(() => of(zoned), zoned).toThrow(/PAKN_TRUST_PROXY/);
  });

  it('every value the setting accepts starts the server (proxy-addr takes each network it lets through)', async () => {
    for (const v of ['0', '1', '2', '99', '127.0.0.1', '10.0.0.0/8, 192.168.1.0/24', '::1, fd00::/8', '::ffff:10.0.0.0/104', '::ffff:10.1.2.3', '10.0.0.0/08', '1.2.3.4/32', '2001:db8::/32', '2001:db8::/128', '2a06:98c0::/29', 'fc00::/7', 'fe80::/10']) {
      const app = Fastify({ trustProxy: trustProxyOption(loadConfig({ NODE_ENV: 'test', PAKN_TRUST_PROXY: v }).PAKN_TRUST_PROXY) });
      app.get('/', async (req) => ({ ip: req.ip }));
      const r = await app.inject({ url: '/', remoteAddress: '127.0.0.1', headers: { 'x-forwarded-for': '198.51.100.1' } });
      expect(r.statusCode, v).toBe(200);
      await app.close();
    }
  });
});
