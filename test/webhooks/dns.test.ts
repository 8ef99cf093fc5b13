import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { boundedLookup, RefusedUrl, resolveTarget, type HostLookup } from '../../src/features/webhooks/address.js';
import { createWebhookService } from '../../src/features/webhooks/service.js';
import type { Actor } from '../../src/domain/roles.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { dbLabel } from '../helpers/db.js';

type Answer = Array<{ address: string; family: number }>;
const PUBLIC: Answer = [{ address: '198.51.100.20', family: 4 }];

/** A system resolver whose every lookup waits until the test answers it. */
function heldResolver() {
  const pending: Array<{ host: string; answer: (a: Answer) => void; fail: (e: Error) => void }> = [];
  const lookup: HostLookup = (host) => new Promise((answer, fail) => pending.push({ host, answer, fail }));
  return { lookup, pending };
}

describe('webhook host lookups are bounded (time, and lookups in flight)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('a name server that does not answer: the host counts as not resolving after the timeout', async () => {
    vi.useFakeTimers();
    const r = heldResolver();
    const bounded = boundedLookup(r.lookup, { timeoutMs: 5000 });
    const target = resolveTarget('https://hooks.agency.test/pakn', false, bounded);
    const caught = target.catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(4999);
    expect(r.pending).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    const err = await caught;
    expect(err).toBeInstanceOf(RefusedUrl);
    expect((err as Error).message).toBe('host hooks.agency.test did not resolve within 5 s');
    // the system's late answer changes nothing
    r.pending[0].answer(PUBLIC);
  });

  it('an answer in time is used as the system gives it; a failure is "does not resolve"', async () => {
    const r = heldResolver();
    const bounded = boundedLookup(r.lookup);
    const ok = resolveTarget('https://hooks.agency.test/pakn', false, bounded);
    await Promise.resolve();
    r.pending[0].answer(PUBLIC);
    expect(await ok).toMatchObject({ address: '198.51.100.20', family: 4 });
    const bad = resolveTarget('https://nowhere.agency.test/pakn', false, bounded).catch((e: unknown) => e);
    await Promise.resolve();
    r.pending[1].fail(Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }));
    expect(((await bad) as Error).message).toBe('host nowhere.agency.test does not resolve');
  });

  it('at most two lookups run at once; the others wait their turn, within the same timeout', async () => {
    vi.useFakeTimers();
    const r = heldResolver();
    const bounded = boundedLookup(r.lookup, { timeoutMs: 5000, maxInFlight: 2 });
    const a = bounded('a.test', { all: true, verbatim: true });
    const b = bounded('b.test', { all: true, verbatim: true });
    const c = bounded('c.test', { all: true, verbatim: true });
    const d = bounded('d.test', { all: true, verbatim: true }).catch((e: unknown) => e);
    expect(r.pending.map((p) => p.host)).toEqual(['a.test', 'b.test']);
    // a answers: c starts in its slot
    r.pending[0].answer(PUBLIC);
    expect(await a).toEqual(PUBLIC);
    expect(r.pending.map((p) => p.host)).toEqual(['a.test', 'b.test', 'c.test']);
    r.pending[2].answer(PUBLIC);
    expect(await c).toEqual(PUBLIC);
    // b never answers: d waits behind it and gives up when its own time is over, without running
    expect(r.pending.map((p) => p.host)).toEqual(['a.test', 'b.test', 'c.test', 'd.test']);
    void b.catch(() => undefined);
    await vi.advanceTimersByTimeAsync(5000);
    expect(((await d) as Error).message).toMatch(/d\.test did not resolve within 5 s/);
  });

  it('a lookup that timed out keeps its slot until the system answers (its thread is still busy)', async () => {
    vi.useFakeTimers();
    const r = heldResolver();
    const bounded = boundedLookup(r.lookup, { timeoutMs: 5000, maxInFlight: 1 });
    const first = bounded('slow.test', { all: true, verbatim: true }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(5000);
    expect(((await first) as Error).message).toMatch(/did not resolve/);
    const second = bounded('next.test', { all: true, verbatim: true });
    await vi.advanceTimersByTimeAsync(1000);
    expect(r.pending.map((p) => p.host)).toEqual(['slow.test']);
    // the system answers the first at last: the slot is free, the second runs
    r.pending[0].answer(PUBLIC);
    await vi.advanceTimersByTimeAsync(0);
    expect(r.pending.map((p) => p.host)).toEqual(['slow.test', 'next.test']);
    r.pending[1].answer(PUBLIC);
    expect(await second).toEqual(PUBLIC);
  });
});

describe(`webhooks whose host does not resolve in time, on ${dbLabel}`, () => {
  let t: TestApp;
  let mode: 'answer' | 'silent' = 'answer';
  const timedOut = (host: string) => new RefusedUrl(`host ${host} did not resolve within 5 s`);
  // the bounded lookup's answer without waiting five seconds: the test decides what it says
  const lookup: HostLookup = async (host) => {
    if (mode === 'silent') throw timedOut(host);
    return PUBLIC;
  };
  let service: ReturnType<typeof createWebhookService>;
  let admin: Actor;
  let agencyId: number;
  beforeAll(async () => {
    t = await createTestApp({ config: { PAKN_WEBHOOK_ALLOW_PRIVATE: '0' } });
    service = createWebhookService({
      db: t.database.db,
      clock: t.clock,
      config: t.app.config,
      instanceId: 'dns-test',
      mailDomain: 'pakn.test',
      metrics: t.app.services.metrics,
      cases: t.app.services.cases,
      lookup,
    });
    const me = await t.request().get('/api/v1/me').set({ Authorization: `Bearer ${t.tokens.admin}` });
    admin = { userId: me.body.id ?? me.body.userId, name: 'admin', role: 'admin', agencyId: null, tokenId: 0 };
    const agencies = (await t.request().get('/api/v1/admin/agencies').set({ Authorization: `Bearer ${t.tokens.admin}` })).body.items as Array<{ id: number; code: string }>;
    agencyId = agencies.find((a) => a.code === 'so_xay_dung')!.id;
  });
  afterAll(async () => t?.close());

  it('a subscription is refused with 400 naming url; a delivery is a failed attempt, retried later', async () => {
    mode = 'answer';
    const w = await service.create(admin, { agencyId, url: 'https://hooks.agency.test/pakn', events: ['case.assigned'] });
    mode = 'silent';
    const refused = await service.create(admin, { agencyId, url: 'https://slow.agency.test/pakn', events: ['case.assigned'] }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ status: 400, errors: [{ path: 'url', message: 'host slow.agency.test did not resolve within 5 s' }] });
    const ping = await service.test(admin, w.id);
    expect(ping.outcome).toBe('failed');
    expect(ping.lastError).toBe('refused: host hooks.agency.test did not resolve within 5 s');
    // pending again, for its usual backoff (30 s after the first attempt)
    expect(ping).toMatchObject({ status: 'pending', attempts: 1, nextAttemptAt: '2026-03-02T09:00:30+07:00' });
  });
});
