import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { boundedLookup, LookupBusy, RefusedUrl, resolveTarget, type HostLookup } from '../../src/features/webhooks/address.js';
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
    // the system's late answer changes nothing for this caller, and frees the slot
    r.pending[0].answer(PUBLIC);
    await vi.advanceTimersByTimeAsync(0);
    const next = bounded('hooks.agency.test', { all: true, verbatim: true });
    await vi.advanceTimersByTimeAsync(0);
    expect(r.pending).toHaveLength(2);
    r.pending[1].answer(PUBLIC);
    expect(await next).toEqual(PUBLIC);
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

  it('one system lookup per host name: callers asking for a name being looked up share it', async () => {
    const r = heldResolver();
    const bounded = boundedLookup(r.lookup, { maxInFlight: 2 });
    const asks = [bounded('same.test', { all: true, verbatim: true }), bounded('same.test', { all: true, verbatim: true }), bounded('same.test', { all: true, verbatim: true })];
    // and another name still has its slot
    const other = bounded('other.test', { all: true, verbatim: true });
    await Promise.resolve();
    await Promise.resolve();
    expect(r.pending.map((p) => p.host)).toEqual(['same.test', 'other.test']);
    r.pending[0].answer(PUBLIC);
    r.pending[1].answer(PUBLIC);
    expect(await Promise.all(asks)).toEqual([PUBLIC, PUBLIC, PUBLIC]);
    expect(await other).toEqual(PUBLIC);
  });

  it('two silent hosts hold both slots: a third name waits, and without a slot in time it is "busy", never looked up', async () => {
    vi.useFakeTimers();
    const r = heldResolver();
    const bounded = boundedLookup(r.lookup, { timeoutMs: 5000, maxInFlight: 2 });
    const a = bounded('slow-a.test', { all: true, verbatim: true }).catch((e: unknown) => e);
    const b = bounded('slow-b.test', { all: true, verbatim: true }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(1000);
    const c = bounded('fine.test', { all: true, verbatim: true }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(4000);
    // the slow ones ran and did not answer: their hosts do not resolve
    expect(((await a) as Error).message).toBe('host slow-a.test did not resolve within 5 s');
    expect(await b).toBeInstanceOf(RefusedUrl);
    await vi.advanceTimersByTimeAsync(1000);
    // the third never got a slot: busy, not blamed on its host, and it was never looked up
    const busy = await c;
    expect(busy).toBeInstanceOf(LookupBusy);
    expect(busy).not.toBeInstanceOf(RefusedUrl);
    expect((busy as Error).message).toMatch(/no DNS lookup was free within 5 s.*fine\.test was not looked up/);
    expect(r.pending.map((p) => p.host)).toEqual(['slow-a.test', 'slow-b.test']);
    // one of them answers at last: its slot is free, the next name runs at once
    r.pending[0].fail(new Error('EAI_AGAIN'));
    await vi.advanceTimersByTimeAsync(0);
    const d = bounded('fine.test', { all: true, verbatim: true });
    await vi.advanceTimersByTimeAsync(0);
    expect(r.pending.map((p) => p.host)).toEqual(['slow-a.test', 'slow-b.test', 'fine.test']);
    r.pending[2].answer(PUBLIC);
    expect(await d).toEqual(PUBLIC);
  });

  it('a name waiting for a slot starts as soon as one is free, within its own time', async () => {
    vi.useFakeTimers();
    const r = heldResolver();
    const bounded = boundedLookup(r.lookup, { timeoutMs: 5000, maxInFlight: 1 });
    const first = bounded('slow.test', { all: true, verbatim: true }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(5000);
    expect(((await first) as Error).message).toMatch(/did not resolve/);
    // the timed-out lookup keeps its slot (its thread is still busy): the next name waits
    const second = bounded('next.test', { all: true, verbatim: true });
    await vi.advanceTimersByTimeAsync(1000);
    expect(r.pending.map((p) => p.host)).toEqual(['slow.test']);
    // the system answers the first at last: the second runs
    r.pending[0].answer(PUBLIC);
    await vi.advanceTimersByTimeAsync(0);
    expect(r.pending.map((p) => p.host)).toEqual(['slow.test', 'next.test']);
    r.pending[1].answer(PUBLIC);
    expect(await second).toEqual(PUBLIC);
  });

  it('the time spent waiting for a slot is not counted against the host: its own lookup still has 5 s', async () => {
    vi.useFakeTimers();
    const r = heldResolver();
    const bounded = boundedLookup(r.lookup, { timeoutMs: 5000, maxInFlight: 1 });
    const slow = bounded('slow.test', { all: true, verbatim: true }).catch((e: unknown) => e);
    const good = bounded('good.test', { all: true, verbatim: true }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(4900);
    // the slow one's system lookup fails at last: good.test starts after 4.9 s of waiting
    r.pending[0].fail(new Error('EAI_AGAIN'));
    await vi.advanceTimersByTimeAsync(0);
    expect(r.pending.map((p) => p.host)).toEqual(['slow.test', 'good.test']);
    await vi.advanceTimersByTimeAsync(200);
    r.pending[1].answer(PUBLIC);
    expect(await good).toEqual(PUBLIC);
    // the slow one got the system's answer (a failure) just within its time
    expect(((await slow) as Error).message).toBe('EAI_AGAIN');
  });

  it('callers of one name waiting for a slot share one lookup when it starts, and are answered as that host', async () => {
    vi.useFakeTimers();
    const r = heldResolver();
    const bounded = boundedLookup(r.lookup, { timeoutMs: 5000, maxInFlight: 2 });
    const x = bounded('x.test', { all: true, verbatim: true });
    void bounded('y.test', { all: true, verbatim: true }).catch(() => undefined);
    const silent = [1, 2, 3].map(() => bounded('silent.test', { all: true, verbatim: true }).catch((e: unknown) => e));
    await vi.advanceTimersByTimeAsync(1000);
    r.pending[0].answer(PUBLIC);
    expect(await x).toEqual(PUBLIC);
    await vi.advanceTimersByTimeAsync(0);
    // one system lookup of silent.test for the three
    expect(r.pending.map((p) => p.host)).toEqual(['x.test', 'y.test', 'silent.test']);
    await vi.advanceTimersByTimeAsync(5000);
    const errs = await Promise.all(silent);
    expect(errs.map((e) => (e as Error).message)).toEqual(Array(3).fill('host silent.test did not resolve within 5 s'));
  });

  it('a resolver that throws at once frees its slot', async () => {
    let calls = 0;
    const bounded = boundedLookup(
      ((host: string) => {
        calls++;
        if (host === 'bad.test') throw new TypeError('not a host name');
        return Promise.resolve(PUBLIC);
      }) as HostLookup,
      { maxInFlight: 1 },
    );
    await expect(resolveTarget('https://bad.test/x', false, bounded)).rejects.toThrow('host bad.test does not resolve');
    expect(await bounded('good.test', { all: true, verbatim: true })).toEqual(PUBLIC);
    expect(calls).toBe(2);
  });
});

describe(`webhooks whose host does not resolve in time, on ${dbLabel}`, () => {
  let t: TestApp;
  let mode: 'answer' | 'silent' | 'busy' = 'answer';
  const timedOut = (host: string) => new RefusedUrl(`host ${host} did not resolve within 5 s`);
  // the bounded lookup's answer without waiting five seconds: the test decides what it says
  const lookup: HostLookup = async (host) => {
    if (mode === 'silent') throw timedOut(host);
    if (mode === 'busy') {
      // the wait for a free lookup takes (clock) time: a run must not claim its own put-backs again
      t.clock.advance(31_000);
      throw new LookupBusy(host, 5000);
    }
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

  it('no lookup free (other hosts slow): a subscription request is 503, a message is put back without an attempt', async () => {
    mode = 'answer';
    const w = await service.create(admin, { agencyId, url: 'https://busy.agency.test/pakn', events: ['case.assigned'] });
    mode = 'busy';
    const refused = await service.create(admin, { agencyId, url: 'https://other.agency.test/pakn', events: ['case.assigned'] }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ status: 503, retryAfterSeconds: 60 });
    expect((refused as Error).message).toMatch(/no DNS lookup was free.*nothing was changed/);
    const changed = await service.update(admin, w.id, { url: 'https://other.agency.test/pakn' }).catch((e: unknown) => e);
    expect(changed).toMatchObject({ status: 503 });
    expect((await service.get(admin, w.id)).url).toBe('https://busy.agency.test/pakn');
    // the test ping: 503, and no ping is left behind
    const ping = await service.test(admin, w.id).catch((e: unknown) => e);
    expect(ping).toMatchObject({ status: 503, retryAfterSeconds: 60 });
    expect((await service.deliveries(admin, w.id, { limit: 10 })).items).toEqual([]);
    // the first test's message, due: the worker puts it back without an attempt, once per run
    // and 24 more, failed the same way: more than one claim of the worker (20)
    const first = (await service.list(admin, {})).find((x) => x.url === 'https://hooks.agency.test/pakn')!;
    t.clock.set(new Date('2026-03-02T02:00:00Z'));
    mode = 'silent';
    for (let i = 0; i < 24; i++) await service.test(admin, first.id);
    mode = 'busy';
    const before = (await service.deliveries(admin, first.id, { limit: 100 })).items;
    expect(before).toHaveLength(25);
    expect(before.every((d) => d.status === 'pending')).toBe(true);
    t.clock.set(new Date('2026-03-02T02:00:31Z'));
    const run = await service.run(t.clock.now());
    // the four the workers took found no lookup free; the rest of the claim is handed back
    // untouched and the run stops: the next run tries again (waiting on busy lookups, 31 s each
    // here, it would otherwise claim its own put-backs as they fall due)
    expect(run).toMatchObject({ claimed: 20, busy: 4, released: 16, failed: 0, dead: 0, delivered: 0 });
    const after = (await service.deliveries(admin, first.id, { limit: 100 })).items;
    // no attempt counted, the last error and attempt untouched; due 30 s after each one's wait
    for (const [i, d] of after.entries()) {
      expect(d).toMatchObject({ status: 'pending', attempts: before[i].attempts, lastError: before[i].lastError, lastAttemptAt: before[i].lastAttemptAt });
    }
    expect(after.filter((d) => Date.parse(d.nextAttemptAt!) >= Date.parse('2026-03-02T09:01:32+07:00'))).toHaveLength(4);
    expect(after.filter((d) => d.nextAttemptAt === '2026-03-02T09:00:30+07:00')).toHaveLength(21);
  });
});
