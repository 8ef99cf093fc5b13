import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPaknClient } from '../../clients/typescript/index.js';
import { horizon, runWorker, type WorkerIo } from '../../examples/agency-worker.js';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { dbLabel } from '../helpers/db.js';
import { at, enterCase, local, reference, timeline, view, type Entered, type Ref } from '../workflow/helpers.js';

/**
 * The example worker against a real server: the app listening on 127.0.0.1, behind a small
 * gateway (as agencies reach pakn through their own) that records every request and can answer
 * one request with 429 + Retry-After, or let a coordinator change a case just before an accept
 * reaches the app (a concurrent change: the accept carries a stale version).
 */
let t: TestApp;
let ref: Ref;
let gateway: http.Server;
let baseUrl: string;
const seen: Array<{ method: string; url: string; body: string; status: number }> = [];
/** the next request whose "METHOD path" starts with the key is answered by the gateway itself with 429 */
const limitNext = new Set<string>();
/** before the next accept of a case reaches the app, the coordinator adds a note to it */
const noteBeforeAccept = new Set<number>();

function startGateway(appPort: number): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      const key = `${req.method} ${req.url}`;
      const record = { method: req.method!, url: req.url!, body: body.toString('utf8'), status: 0 };
      seen.push(record);
      const limited = [...limitNext].find((k) => key.startsWith(k));
      if (limited) {
        limitNext.delete(limited);
        record.status = 429;
        res.writeHead(429, { 'content-type': 'application/problem+json', 'retry-after': '7' });
        res.end(JSON.stringify({ type: 'about:blank', title: 'Too many requests', status: 429 }));
        return;
      }
      const accept = /^POST \/api\/v1\/cases\/(\d+)\/accept$/.exec(key);
      if (accept && noteBeforeAccept.delete(Number(accept[1]))) {
        const id = Number(accept[1]);
        const current = await view(t, 'coordinator', id);
        const r = await t
          .request()
          .post(`/api/v1/cases/${id}/note`)
          .set(bearer(t.tokens.coordinator))
          .send({ version: current.version, internalText: 'Điều phối viên bổ sung ghi chú trong lúc cơ quan tiếp nhận' });
        expect(r.status).toBe(200);
      }
      const upstream = http.request({ host: '127.0.0.1', port: appPort, method: req.method, path: req.url, headers: req.headers }, (up) => {
        record.status = up.statusCode ?? 0;
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      upstream.end(body);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** The worker's I/O: the app's clock, a sleep that moves that clock (never waits), lines kept. */
function io(lines: string[], sleeps: number[], onSleep?: (n: number) => Promise<void> | void): WorkerIo {
  return {
    client: createPaknClient({ baseUrl, token: t.tokens.agency_staff }),
    now: () => t.clock.now(),
    sleep: async (ms) => {
      sleeps.push(ms);
      t.clock.advance(ms);
      await onSleep?.(sleeps.length);
    },
    log: (line) => lines.push(line),
  };
}

const xayDung = () => ({ categoryId: ref.categories.xay_dung });
const accepts = (id: number) => seen.filter((s) => s.method === 'POST' && s.url === `/api/v1/cases/${id}/accept`);

beforeAll(async () => {
  t = await createTestApp({ now: '2026-03-02T02:00:00Z' }); // Monday 2/3/2026 09:00 in Hà Nội
  ref = await reference(t);
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  gateway = await startGateway((t.app.server.address() as AddressInfo).port);
  baseUrl = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => gateway?.close(resolve));
  await t?.close();
});

describe(`GET /api/v1/me on ${dbLabel}`, () => {
  it('tells a token who it belongs to: an agency role its agency, others none; no token 401', async () => {
    const me = async (role: string) => (await t.request().get('/api/v1/me').set(bearer(t.tokens[role]))).body;
    expect(await me('agency_staff')).toEqual({ userId: expect.any(Number), name: 'Chuyên viên Sở Xây dựng (demo)', role: 'agency_staff', agencyId: ref.agencies.so_xay_dung, agencyName: expect.stringContaining('Xây dựng') });
    expect(await me('agency_staff_nnmt')).toMatchObject({ role: 'agency_staff', agencyId: ref.agencies.so_nn_mt });
    expect(await me('coordinator')).toMatchObject({ role: 'coordinator', agencyId: null, agencyName: null });
    expect((await t.request().get('/api/v1/me')).status).toBe(401);
  });
});

describe(`examples/agency-worker.ts against a test server on ${dbLabel}`, () => {
  let old: Entered;
  let fresh: Entered;
  let contested: Entered;
  /** the feed cursor where the first run stopped */
  let kept: string | null = null;

  it('--once: accepts the newly assigned cases, waits Retry-After on 429, re-reads on 409, lists what is due with the explanation', async () => {
    // an old case (received 16 working days ago: due within days) and two received this morning
    t.clock.set(at('2026-03-02 08:00'));
    old = await enterCase(t, { ...xayDung(), title: 'Chậm cấp phép xây dựng nhà xưởng lô B3', receivedAt: local('2026-02-09 08:00') });
    fresh = await enterCase(t, { ...xayDung(), title: 'Hỏi thủ tục cấp phép sửa chữa nhà xưởng', receivedAt: local('2026-03-02 07:30') });
    contested = await enterCase(t, { ...xayDung(), title: 'Đề nghị cấp giấy phép xây dựng tạm', receivedAt: local('2026-03-02 07:45') });
    for (const c of [old, fresh, contested]) expect((await view(t, 'coordinator', c.id)).status).toBe('assigned');
    t.clock.set(at('2026-03-02 09:00'));

    limitNext.add('GET /api/v1/agencies/');
    noteBeforeAccept.add(contested.id);
    const lines: string[] = [];
    const sleeps: number[] = [];
    const result = await runWorker(io(lines, sleeps), { once: true });
    kept = result.cursor;

    // 429 on the feed: waited the 7 s of Retry-After (on the injected sleep), then the same request
    expect(sleeps).toEqual([7000]);
    expect(lines).toContain('feed: 429 too many requests; waiting 7 s (Retry-After)');
    const feeds = seen.filter((s) => s.url.startsWith('/api/v1/agencies/'));
    expect(feeds.slice(0, 2).map((f) => f.status)).toEqual([429, 200]);
    expect(feeds[0]!.url).toBe(feeds[1]!.url);

    // all three accepted, on the server
    expect(result.passes).toHaveLength(1);
    expect(result.passes[0]!.accepted.map((a) => a.id).sort()).toEqual([old.id, fresh.id, contested.id].sort());
    for (const c of [old, fresh, contested]) expect((await view(t, 'agency_staff', c.id)).status).toBe('in_progress');

    // 409: the coordinator's note made the version stale; the worker read the case again and
    // accepted with the new version and a new updateId
    const tries = accepts(contested.id);
    expect(tries.map((a) => a.status)).toEqual([409, 200]);
    const [first, second] = tries.map((a) => JSON.parse(a.body) as { version: number; updateId: string });
    expect(second!.version).toBe(first!.version + 1);
    expect(second!.updateId).not.toBe(first!.updateId);
    expect(seen.some((s) => s.method === 'GET' && s.url === `/api/v1/cases/${contested.id}`)).toBe(true);
    expect((await timeline(t, 'coordinator', contested.id)).map((e) => e.action).slice(-2)).toEqual(['note', 'accept']);
    // the others went through at the first try
    expect(accepts(fresh.id).map((a) => a.status)).toEqual([200]);

    // due within 3 working days (Mon–Wed): the old case only, with the server's explanation
    const before = horizon(t.clock.now(), 3);
    expect(before.toISOString()).toBe('2026-03-04T16:59:59.999Z'); // Wednesday 23:59:59.999 in Hà Nội
    const oldView = await view(t, 'agency_staff', old.id);
    expect(new Date(oldView.resolveDueAt).getTime()).toBeLessThan(before.getTime());
    expect(new Date((await view(t, 'agency_staff', fresh.id)).resolveDueAt).getTime()).toBeGreaterThan(before.getTime());
    const sla = (await t.request().get(`/api/v1/cases/${old.id}/sla`).set(bearer(t.tokens.agency_staff))).body as { text: string };
    expect(result.passes[0]!.due).toEqual([{ id: old.id, trackingCode: old.trackingCode, title: oldView.title, resolveDueAt: oldView.resolveDueAt, explanation: sla.text }]);
    expect(sla.text.length).toBeGreaterThan(20);
    expect(lines.join('\n')).toContain(`- ${old.trackingCode} ${oldView.title}\n  hạn ${oldView.resolveDueAt}: ${sla.text}`);
  });

  it('without --once: goes on from the kept cursor, backs off while idle, and accepts a case assigned between polls', async () => {
    expect(kept).toEqual(expect.any(String));
    seen.length = 0;
    const lines: string[] = [];
    const sleeps: number[] = [];
    const controller = new AbortController();
    let later: Entered | undefined;
    const result = await runWorker(
      io(lines, sleeps, async (n) => {
        if (n === 1) later = await enterCase(t, { ...xayDung(), title: 'Phản ánh chậm thẩm định thiết kế cơ sở', receivedAt: t.clock.now().toISOString() });
        if (n === 5) controller.abort();
      }),
      { signal: controller.signal, pollMs: 15_000, maxPollMs: 60_000, cursor: kept },
    );
    // pass 1: nothing new since the kept cursor: 30 s; pass 2: the new case, accepted (its own
    // accept comes on the next page of the same pass), back to 15 s; then nothing: 30 s, 60 s,
    // 60 s (the longest)
    expect(result.passes.map((p) => p.accepted.map((a) => a.id))).toEqual([[], [later!.id], [], [], []]);
    expect(result.passes.map((p) => p.changes > 0)).toEqual([false, true, false, false, false]);
    expect(sleeps).toEqual([30_000, 15_000, 30_000, 60_000, 60_000]);
    expect((await view(t, 'agency_staff', later!.id)).status).toBe('in_progress');
    // every feed request carries a cursor: the kept one first, then the one the previous page gave
    const feeds = seen.filter((s) => s.url.startsWith('/api/v1/agencies/'));
    expect(feeds.length).toBeGreaterThanOrEqual(5);
    expect(new URL(feeds[0]!.url, baseUrl).searchParams.get('cursor')).toBe(kept);
    for (const f of feeds) expect(f.url).toMatch(/[?&]cursor=[A-Za-z0-9_-]+/);
    expect(result.cursor).toBe(new URL(feeds.at(-1)!.url, baseUrl).searchParams.get('cursor'));
  });

  it('is one command: PAKN_URL=… PAKN_TOKEN=… npx tsx examples/agency-worker.ts --once exits 0', async () => {
    const run = promisify(execFile);
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'examples/agency-worker.ts', '--once'], {
      env: { ...process.env, PAKN_URL: baseUrl, PAKN_TOKEN: t.tokens.agency_staff },
      timeout: 60_000,
    });
    expect(stdout).toContain('Chuyên viên Sở Xây dựng (demo)');
    expect(stdout).toMatch(/due in the next 3 working days/);
    // no token: a clear message and exit code 2
    const failed = await run(process.execPath, ['--import', 'tsx', 'examples/agency-worker.ts', '--once'], { env: { ...process.env, PAKN_URL: baseUrl, PAKN_TOKEN: '' } }).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(failed).toMatchObject({ code: 2 });
  }, 90_000);
});
