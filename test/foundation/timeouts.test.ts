import { connect, type AddressInfo, type Socket } from 'node:net';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../src/db/client.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { dbLabel } from '../helpers/db.js';

// Short configured timeouts, so that a real socket shows them without long waits.
const REQUEST_MS = 1500;
const HEADERS_MS = 1000;
const KEEPALIVE_MS = 1000;

let t: TestApp;
let port: number;
beforeAll(async () => {
  t = await createTestApp({
    config: {
      PAKN_REQUEST_TIMEOUT_MS: String(REQUEST_MS),
      PAKN_HEADERS_TIMEOUT_MS: String(HEADERS_MS),
      PAKN_KEEPALIVE_TIMEOUT_MS: String(KEEPALIVE_MS),
    },
  });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  port = (t.app.server.address() as AddressInfo).port;
});
afterAll(async () => t?.close());

/** A raw client connection: what it received, and when the server closed it (ms after opening). */
function open(): Promise<{ sock: Socket; received: () => string; closed: Promise<number> }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let data = '';
    const sock = connect(port, '127.0.0.1');
    const closed = new Promise<number>((r) => sock.on('close', () => r(performance.now() - started)));
    sock.on('data', (b) => (data += b.toString('latin1')));
    sock.on('error', () => {}); // a reset counts as closed
    sock.once('connect', () => resolve({ sock, received: () => data, closed }));
    sock.once('error', reject);
  });
}

/** Writes one byte every `everyMs` until the socket closes; returns the number written. */
function trickle(sock: Socket, bytes: string, everyMs: number): () => number {
  let i = 0;
  const timer = setInterval(() => {
    if (sock.destroyed || !sock.writable || i >= bytes.length) return clearInterval(timer);
    sock.write(bytes[i++]);
  }, everyMs);
  sock.on('close', () => clearInterval(timer));
  return () => i;
}

async function caseCount(): Promise<number> {
  return (await rows<{ n: number }>(t.database.db, sql`select count(*)::int as n from cases`))[0].n;
}

describe(`slow clients are cut off, on ${dbLabel}`, () => {
  it('a body trickled 1 byte every 5 s is cut off at the request timeout, and nothing is recorded', async () => {
    const before = await caseCount();
    const c = await open();
    const body = JSON.stringify({ kind: 'phan_anh', title: 'Chậm cấp phép xây dựng', content: 'x'.repeat(300) });
    c.sock.write(
      'POST /api/v1/public/cases HTTP/1.1\r\nHost: pakn.test\r\nContent-Type: application/json\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n`,
    );
    c.sock.write(body[0]);
    const sent = trickle(c.sock, body.slice(1), 5000);
    const closedAfter = await c.closed;
    expect(closedAfter).toBeGreaterThanOrEqual(REQUEST_MS - 100);
    expect(closedAfter).toBeLessThan(REQUEST_MS + 2000);
    expect(sent()).toBe(0); // cut off before the second byte
    expect(c.received()).toMatch(/^HTTP\/1\.1 408/);
    expect(await caseCount()).toBe(before);
  });

  it('a body trickled fast enough to stay busy is still cut off at the request timeout', async () => {
    const c = await open();
    c.sock.write('POST /api/v1/public/cases HTTP/1.1\r\nHost: pakn.test\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n');
    const sent = trickle(c.sock, '{'.padEnd(5000, ' '), 100);
    const closedAfter = await c.closed;
    expect(sent()).toBeGreaterThan(5); // the client was sending all along
    expect(closedAfter).toBeLessThan(REQUEST_MS + 2000);
    expect(c.received()).toMatch(/^HTTP\/1\.1 408/);
  });

  it('headers trickled a byte at a time are cut off at the headers timeout', async () => {
    const c = await open();
    c.sock.write('GET /healthz HTTP/1.1\r\nHost: pakn.test\r\n');
    trickle(c.sock, 'X-Slow: ' + 'a'.repeat(200), 100);
    const closedAfter = await c.closed;
    expect(closedAfter).toBeGreaterThanOrEqual(HEADERS_MS - 100);
    expect(closedAfter).toBeLessThan(HEADERS_MS + 2000);
    expect(c.received()).not.toContain('"status":"ok"');
  });

  it('an idle keep-alive connection is closed after the keep-alive timeout', async () => {
    const c = await open();
    c.sock.write('GET /healthz HTTP/1.1\r\nHost: pakn.test\r\n\r\n');
    const closedAfter = await c.closed;
    expect(c.received()).toMatch(/^HTTP\/1\.1 200/);
    expect(c.received()).toMatch(/keep-alive/i);
    expect(closedAfter).toBeGreaterThanOrEqual(KEEPALIVE_MS - 100);
    expect(closedAfter).toBeLessThan(KEEPALIVE_MS + 2000);
  });

  it('a prompt client is served as usual', async () => {
    const r = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ status: 'ok' });
  });
});
