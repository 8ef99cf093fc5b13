import { sql } from 'drizzle-orm';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { isForbiddenAddress } from '../../src/features/webhooks/address.js';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { dbLabel } from '../helpers/db.js';
import { enterCase, outboxOf, secondInstance, staffActor } from '../escalation/helpers.js';
import { startReceiver, type Receiver } from './receiver.js';

const MIN = 60_000;
let t: TestApp;
let rx: Receiver;
let xayDung: number;
let nnmt: number;

const admin = () => bearer(t.tokens.admin);
const lead = () => bearer(t.tokens.agency_lead);

beforeAll(async () => {
  rx = await startReceiver();
  t = await createTestApp({ config: { PAKN_WEBHOOK_ALLOW_PRIVATE: '1', PAKN_WEBHOOK_MAX_ATTEMPTS: '4' } });
  const agencies = (await t.request().get('/api/v1/admin/agencies').set(admin())).body.items as Array<{ id: number; code: string }>;
  xayDung = agencies.find((a) => a.code === 'so_xay_dung')!.id;
  nnmt = agencies.find((a) => a.code === 'so_nn_mt')!.id;
});
afterAll(async () => {
  await t?.close();
  await rx?.stop();
});

async function subscribe(url: string, events = ['case.assigned', 'case.updated', 'case.escalated', 'case.left_agency'], agencyId = xayDung) {
  const r = await t.request().post('/api/v1/admin/webhooks').set(admin()).send({ agencyId, url, events, description: 'Hệ thống một cửa Sở Xây dựng' });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body as { id: number; secret: string };
}
/** no other subscription of the agency gets in the way of a test's counts */
async function dropAll() {
  await t.database.db.execute(sql`delete from webhooks`);
}
const run = (app: FastifyInstance = t.app) => app.services.webhooks.run(t.clock.now());

/** Verifies as a receiver would, with the reference library (its clock set to the message's time). */
function verify(secret: string, r: { headers: Record<string, unknown>; body: string }) {
  // the receiver's clock at the moment the message arrived (the service's clock is a test clock)
  vi.useFakeTimers({ toFake: ['Date'], now: Number(r.headers['webhook-timestamp']) * 1000 + 2000 });
  try {
    return new Webhook(secret).verify(r.body, {
      'webhook-id': String(r.headers['webhook-id']),
      'webhook-timestamp': String(r.headers['webhook-timestamp']),
      'webhook-signature': String(r.headers['webhook-signature']),
    });
  } finally {
    vi.useRealTimers();
  }
}

async function deliveriesOf(id: number) {
  const r = await t.request().get(`/api/v1/admin/webhooks/${id}/deliveries`).set(admin());
  expect(r.status).toBe(200);
  return r.body.items as Array<{ id: number; status: string; attempts: number; lastError: string | null; lastStatus: number | null; eventType: string; caseId: number | null; msgId: string }>;
}

describe(`webhooks to agency systems on ${dbLabel}`, () => {
  it('an assignment arrives signed, verifiable with the secret, carrying the agency feed item of the case', async () => {
    await dropAll();
    rx.received.length = 0;
    const w = await subscribe(rx.url);
    expect(w.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    const c = await enterCase(t.app, t.clock.now());
    expect(c.agencyId).toBe(xayDung);

    const r = await run();
    expect(r).toMatchObject({ claimed: 1, delivered: 1, failed: 0 });
    expect(rx.received).toHaveLength(1);
    const msg = rx.received[0];
    const payload = verify(w.secret, msg) as { type: string; timestamp: string; agencyId: number; caseVersion: number; eventId: number; data: Record<string, unknown> };
    expect(payload.type).toBe('case.assigned');
    expect(payload.agencyId).toBe(xayDung);
    expect(payload.caseVersion).toBe(c.version);
    expect(new Date(payload.timestamp).getTime()).toBe(t.clock.now().getTime());
    // a forged body or a wrong secret does not verify
    expect(() => verify(w.secret, { ...msg, body: msg.body.replace('case.assigned', 'case.updated') })).toThrow();
    expect(() => verify('whsec_' + Buffer.alloc(24, 7).toString('base64'), msg)).toThrow();

    // the very item the agency feed answers for this case
    const feed = await t.request().get(`/api/v1/agencies/${xayDung}/feed`).set(lead());
    expect(feed.status).toBe(200);
    const item = (feed.body.items as Array<{ id: number }>).find((i) => i.id === c.id);
    expect(payload.data).toEqual(item);
    expect(payload.data).toMatchObject({ change: 'current', case: { id: c.id, trackingCode: c.trackingCode, agencyId: xayDung } });

    // nothing more to send; the delivery is listed as delivered
    expect(await run()).toMatchObject({ claimed: 0 });
    const ds = await deliveriesOf(w.id);
    expect(ds).toHaveLength(1);
    expect(ds[0]).toMatchObject({ status: 'delivered', attempts: 1, lastStatus: 200, eventType: 'case.assigned', caseId: c.id, msgId: msg.headers['webhook-id'] });
  });

  it('a receiver that answers 500 twice gets the event on the third try, once, with the same webhook-id', async () => {
    await dropAll();
    rx.received.length = 0;
    rx.answerWith((n) => (n <= 2 ? 500 : 200));
    try {
      const w = await subscribe(rx.url);
      const c = await enterCase(t.app, t.clock.now());
      expect(await run()).toMatchObject({ failed: 1, delivered: 0 });
      // not before the backoff
      t.clock.advance(10_000);
      expect(await run()).toMatchObject({ claimed: 0 });
      t.clock.advance(30_000);
      expect(await run()).toMatchObject({ failed: 1, delivered: 0 });
      expect((await deliveriesOf(w.id))[0]).toMatchObject({ status: 'pending', attempts: 2, lastStatus: 500, lastError: 'HTTP 500' });
      t.clock.advance(2 * MIN);
      expect(await run()).toMatchObject({ delivered: 1 });
      t.clock.advance(60 * MIN);
      expect(await run()).toMatchObject({ claimed: 0 });

      expect(rx.received.map((m) => m.answered)).toEqual([500, 500, 200]);
      expect(new Set(rx.received.map((m) => m.headers['webhook-id'])).size).toBe(1);
      expect(new Set(rx.received.map((m) => m.body)).size).toBe(1);
      const ok = rx.delivered();
      expect(ok).toHaveLength(1);
      expect(ok[0]).toMatchObject({ type: 'case.assigned', data: { id: c.id } });
      verify(w.secret, rx.received[2]);
      expect((await deliveriesOf(w.id))[0]).toMatchObject({ status: 'delivered', attempts: 3, lastStatus: 200, lastError: null });
    } finally {
      rx.answerWith(() => 200);
    }
  });

  it('a receiver that is down for a while gets every event afterwards, each case in order', async () => {
    await dropAll();
    const down = await startReceiver();
    const w = await subscribe(down.url);
    await down.stop();
    const staff = await staffActor(t.app, 'agency_staff');
    const cases = [await enterCase(t.app, t.clock.now(), { title: 'Hồ sơ A' }), await enterCase(t.app, t.clock.now(), { title: 'Hồ sơ B' })];
    // more changes to each case while the receiver is down
    for (const c of cases) {
      let v = (await t.app.services.workflow.act(c.id, 'accept', staff, { version: c.version })).case.version;
      for (let i = 1; i <= 3; i++) {
        v = (await t.app.services.workflow.act(c.id, 'note', staff, { version: v, internalText: `Ghi chú ${i}` })).case.version;
      }
    }
    const expected = await t.database.db.execute(sql`select case_id, event_id, event_type, case_version from webhook_deliveries where webhook_id = ${w.id} order by id`);
    const rowsExpected = (expected as unknown as { rows: Array<{ case_id: number; event_id: number; event_type: string; case_version: number }> }).rows;
    expect(rowsExpected).toHaveLength(10); // per case: assigned, accept, 3 notes

    // down: only the first message of each case is tried; the others wait behind it
    for (let i = 0; i < 3; i++) {
      const r = await run();
      expect(r.delivered).toBe(0);
      expect(r.claimed).toBeLessThanOrEqual(2);
      t.clock.advance(30 * MIN);
    }
    const waiting = await deliveriesOf(w.id);
    expect(waiting.filter((d) => d.attempts > 0)).toHaveLength(2);
    expect(waiting.every((d) => d.status === 'pending')).toBe(true);
    expect(waiting.find((d) => d.attempts > 0)!.lastError).toMatch(/ECONNREFUSED/);

    await down.start();
    try {
      t.clock.advance(3 * 60 * MIN);
      const r = await run();
      expect(r.delivered).toBe(10);
      const got = down.delivered() as Array<{ id: string; type: string; eventId: number; caseVersion: number; data: { id: number } }>;
      expect(got).toHaveLength(10);
      expect(new Set(got.map((g) => g.id)).size).toBe(10);
      for (const c of cases) {
        const mine = got.filter((g) => g.data.id === c.id);
        const want = rowsExpected.filter((x) => Number(x.case_id) === c.id);
        expect(mine.map((g) => [g.type, g.eventId, g.caseVersion])).toEqual(want.map((x) => [x.event_type, Number(x.event_id), x.case_version]));
        expect(mine.map((g) => g.caseVersion)).toEqual([...mine.map((g) => g.caseVersion)].sort((a, b) => a - b));
      }
      for (const m of down.received.filter((x) => x.answered < 300)) verify(w.secret, m);
    } finally {
      await down.stop();
    }
  });

  it('a case that leaves the agency is told as left_agency, without its content', async () => {
    await dropAll();
    rx.received.length = 0;
    const w = await subscribe(rx.url, ['case.left_agency']);
    const c = await enterCase(t.app, t.clock.now());
    const staff = await staffActor(t.app, 'agency_staff');
    await t.app.services.workflow.act(c.id, 'return', staff, { version: c.version, reason: 'Không thuộc thẩm quyền của Sở Xây dựng' });
    expect(await run()).toMatchObject({ delivered: 1 });
    const [m] = rx.delivered() as Array<{ type: string; data: Record<string, unknown> }>;
    expect(m.type).toBe('case.left_agency');
    expect(m.data).toMatchObject({ id: c.id, change: 'left_agency', case: null });
    expect(JSON.stringify(m)).not.toMatch(/Chậm cấp giấy phép|Kinh Bắc/);
    expect((await deliveriesOf(w.id)).map((d) => d.eventType)).toEqual(['case.left_agency']);
  });

  it("a confidential case's payload carries no reporter, nor any access key or token", async () => {
    await dropAll();
    rx.received.length = 0;
    await subscribe(rx.url);
    const c = await enterCase(t.app, t.clock.now(), { kind: 'to_cao', title: 'Tố cáo cán bộ nhũng nhiễu' });
    if (c.agencyId !== xayDung) {
      await t.app.services.workflow.act(c.id, 'assign', await staffActor(t.app, 'coordinator'), { version: c.version, agencyId: xayDung });
    }
    expect(await run()).toMatchObject({ delivered: 1 });
    const [m] = rx.delivered() as Array<{ data: { case: Record<string, unknown> } }>;
    expect(m.data.case).toMatchObject({ id: c.id, confidential: true, reporterHidden: true, submitter: null, address: null });
    const body = rx.received[0].body;
    for (const personal of ['Nguyễn Văn An', '0912345678', 'lienhe@cokhikinhbac.example', 'Cơ khí Kinh Bắc', 'Kinh Bắc']) expect(body).not.toContain(personal);
    expect(body).not.toContain(c.accessKey);
    expect(body).not.toMatch(/accessKey|access_key|token|secret/i);
  });

  it('two instances on one database deliver each event once', async () => {
    await dropAll();
    rx.received.length = 0;
    const w = await subscribe(rx.url, ['case.assigned']);
    for (let i = 0; i < 24; i++) await enterCase(t.app, t.clock.now(), { title: `Hồ sơ song song ${i}` });
    const other = await secondInstance(t.database, t.clock, { PAKN_WEBHOOK_ALLOW_PRIVATE: '1' });
    try {
      const [a, b] = await Promise.all([run(), run(other.app)]);
      expect(a.delivered + b.delivered).toBe(24);
      expect(a.failed + b.failed).toBe(0);
      expect(rx.received).toHaveLength(24);
      expect(new Set(rx.received.map((m) => m.headers['webhook-id'])).size).toBe(24);
      expect((await deliveriesOf(w.id)).every((d) => d.status === 'delivered' && d.attempts === 1)).toBe(true);
    } finally {
      await other.close();
    }
  });

  it('dead after the last attempt; redelivered on request; a subscription failing for 3 days is switched off and its agency e-mailed', async () => {
    await dropAll();
    rx.received.length = 0;
    rx.answerWith(() => 503);
    try {
      const w = await subscribe(rx.url);
      const c = await enterCase(t.app, t.clock.now());
      // PAKN_WEBHOOK_MAX_ATTEMPTS=4: 30 s, 2 min, 8 min between them
      for (let i = 0; i < 4; i++) {
        await run();
        t.clock.advance(10 * MIN);
      }
      let [d] = await deliveriesOf(w.id);
      expect(d).toMatchObject({ status: 'dead', attempts: 4, lastStatus: 503 });
      expect(rx.received).toHaveLength(4);

      // the receiver works again: admin sends the dead ones again
      rx.answerWith(() => 200);
      const again = await t.request().post(`/api/v1/admin/webhooks/${w.id}/redeliver-dead`).set(admin()).send();
      expect(again.body).toEqual({ requeued: 1 });
      expect(await run()).toMatchObject({ delivered: 1 });
      [d] = await deliveriesOf(w.id);
      expect(d).toMatchObject({ status: 'delivered', attempts: 1 });
      const one = await t.request().post(`/api/v1/admin/webhooks/${w.id}/deliveries/${d.id}/redeliver`).set(admin()).send();
      expect(one.status).toBe(200);
      expect(await run()).toMatchObject({ delivered: 1 });
      const twice = rx.delivered();
      expect(twice.at(-1)!.id).toBe(twice.at(-2)!.id); // the same message: the receiver dedupes on webhook-id
      const pendingAgain = await t.request().post(`/api/v1/admin/webhooks/${w.id}/deliveries/${d.id}/redeliver`).set(admin()).send();
      expect(pendingAgain.status).toBe(200);
      const conflict = await t.request().post(`/api/v1/admin/webhooks/${w.id}/deliveries/${d.id}/redeliver`).set(admin()).send();
      expect(conflict.status).toBe(409);
      await run();

      // failing from now on: 3 days later the subscription is switched off and the agency told
      rx.answerWith(() => 500);
      const staff = await staffActor(t.app, 'agency_staff');
      const v = (await t.app.services.workflow.act(c.id, 'note', staff, { version: c.version, internalText: 'Đang xử lý' })).case.version;
      await run();
      expect((await t.request().get(`/api/v1/admin/webhooks/${w.id}`).set(admin())).body).toMatchObject({ active: true, failingSince: expect.any(String) });
      t.clock.advance(3 * 24 * 60 * MIN + MIN);
      await t.app.services.workflow.act(c.id, 'note', staff, { version: v, internalText: 'Vẫn đang xử lý' });
      const mailsBefore = (await outboxOf(t.app)).filter((m) => m.template === 'webhook_disabled').length;
      const r = await run();
      expect(r.disabled).toBe(1);
      const after = (await t.request().get(`/api/v1/admin/webhooks/${w.id}`).set(admin())).body;
      expect(after).toMatchObject({ active: false, disabledReason: expect.stringMatching(/3 days/) });
      const mails = (await outboxOf(t.app)).filter((m) => m.template === 'webhook_disabled');
      expect(mails).toHaveLength(mailsBefore + 1);
      expect(mails.at(-1)!.to_addrs).toEqual(['so.xay.dung@bacninh.example']);
      expect(mails.at(-1)!.text_body).toContain(rx.url);
      // switched off: nothing is sent, nothing new is queued
      const sentBefore = rx.received.length;
      t.clock.advance(24 * 60 * MIN);
      expect(await run()).toMatchObject({ claimed: 0 });
      expect(rx.received).toHaveLength(sentBefore);
      // switched on again by the agency lead: the waiting messages go out
      rx.answerWith(() => 200);
      const on = await t.request().patch(`/api/v1/admin/webhooks/${w.id}`).set(lead()).send({ active: true });
      expect(on.body).toMatchObject({ active: true, disabledAt: null, disabledReason: null, failingSince: null });
      expect((await run()).delivered).toBeGreaterThan(0);
    } finally {
      rx.answerWith(() => 200);
    }
  });

  it('ping and secret rotation: the new secret verifies at once, the previous one for a day', async () => {
    await dropAll();
    rx.received.length = 0;
    const w = await subscribe(rx.url);
    const ping = await t.request().post(`/api/v1/admin/webhooks/${w.id}/test`).set(lead()).send();
    expect(ping.status).toBe(200);
    expect(ping.body).toMatchObject({ outcome: 'delivered', status: 'delivered', eventType: 'ping', lastStatus: 200 });
    expect(verify(w.secret, rx.received[0])).toMatchObject({ type: 'ping', data: { webhookId: w.id, agencyId: xayDung } });

    const rot = await t.request().post(`/api/v1/admin/webhooks/${w.id}/rotate-secret`).set(admin()).send();
    expect(rot.status).toBe(200);
    expect(rot.body.secret).toMatch(/^whsec_/);
    expect(rot.body.secret).not.toBe(w.secret);
    await t.request().post(`/api/v1/admin/webhooks/${w.id}/test`).set(admin()).send();
    verify(rot.body.secret, rx.received[1]);
    verify(w.secret, rx.received[1]);
    t.clock.advance(25 * 60 * MIN);
    await t.request().post(`/api/v1/admin/webhooks/${w.id}/test`).set(admin()).send();
    verify(rot.body.secret, rx.received[2]);
    expect(() => verify(w.secret, rx.received[2])).toThrow();
    // the secret is never shown again
    const listed = await t.request().get('/api/v1/admin/webhooks').set(admin());
    expect(JSON.stringify(listed.body)).not.toContain('whsec_');
    expect(JSON.stringify((await t.request().get(`/api/v1/admin/webhooks/${w.id}`).set(admin())).body)).not.toContain('whsec_');
  });
});

describe(`escalations and metrics on ${dbLabel}`, () => {
  it('an escalation of a case is told as case.escalated; deliveries are counted and timed in the metrics', async () => {
    await dropAll();
    rx.received.length = 0;
    const w = await subscribe(rx.url, ['case.escalated']);
    const c = await enterCase(t.app, t.clock.now(), { title: 'Hồ sơ chậm tiếp nhận' });
    expect(await run()).toMatchObject({ claimed: 0 }); // not subscribed to case.assigned
    // three days later the acceptance deadline has passed: the escalation job fires
    t.clock.advance(3 * 24 * 60 * MIN);
    const esc = await t.app.services.escalation.runEscalation(t.clock.now());
    expect(esc.acceptOverdue).toBeGreaterThan(0);
    const r = await run();
    expect(r.delivered).toBeGreaterThan(0);
    const got = rx.delivered() as Array<{ type: string; data: { id: number; case: { escalationLevel: number } } }>;
    expect(got.every((m) => m.type === 'case.escalated')).toBe(true);
    const mine = got.find((m) => m.data.id === c.id)!;
    expect(mine.data.case.escalationLevel).toBeGreaterThanOrEqual(1);
    expect((await deliveriesOf(w.id)).every((d) => d.status === 'delivered')).toBe(true);

    const text = await t.app.services.metrics.registry.metrics();
    expect(text).toMatch(/pakn_webhook_deliveries_total\{result="delivered"\} \d+/);
    expect(text).toMatch(/pakn_webhook_deliveries_total\{result="dead"\} [1-9]/);
    expect(text).toMatch(/pakn_webhook_delivery_duration_seconds_count\{result="delivered"\} [1-9]/);
    expect(text).toMatch(/pakn_webhooks_disabled_total [1-9]/);
    expect(text).toMatch(/pakn_webhook_deliveries\{status="pending"\} \d+/);
  });
});

describe(`managing webhooks on ${dbLabel}`, () => {
  it('a private or plain-http URL is refused with 400 naming url when PAKN_WEBHOOK_ALLOW_PRIVATE is off', async () => {
    const strict = await secondInstance(t.database, t.clock, {});
    try {
      for (const url of [
        rx.url,
        'https://127.0.0.1/hook',
        'https://10.1.2.3/hook',
        'https://192.168.1.10/hook',
        'https://169.254.169.254/latest/meta-data',
        'https://100.64.0.1/hook',
        'https://[::1]/hook',
        'https://[fd00::1]/hook',
        'https://[::ffff:127.0.0.1]/hook',
        'https://localhost/hook',
        'http://198.51.100.20/hook',
        'ftp://198.51.100.20/hook',
        'https://user:pass@198.51.100.20/hook',
      ]) {
        const r = await strict.app.inject({
          method: 'POST',
          url: '/api/v1/admin/webhooks',
          headers: { ...admin(), 'content-type': 'application/json' },
          payload: { agencyId: xayDung, url, events: ['case.assigned'] },
        });
        expect(r.statusCode, url).toBe(400);
        expect(r.json().errors[0].path, url).toBe('url');
      }
      // a public address is accepted
      const ok = await strict.app.inject({
        method: 'POST',
        url: '/api/v1/admin/webhooks',
        headers: { ...admin(), 'content-type': 'application/json' },
        payload: { agencyId: xayDung, url: 'https://198.51.100.20/hook', events: ['case.assigned'] },
      });
      expect(ok.statusCode).toBe(201);
      // and a change of url is checked the same way
      const bad = await strict.app.inject({
        method: 'PATCH',
        url: `/api/v1/admin/webhooks/${ok.json().id}`,
        headers: { ...admin(), 'content-type': 'application/json' },
        payload: { url: 'https://10.0.0.5/hook' },
      });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().errors[0].path).toBe('url');
    } finally {
      await strict.close();
    }
    expect(['127.0.0.1', '10.0.0.1', '172.16.5.4', '192.168.0.1', '169.254.169.254', '100.100.1.1', '0.0.0.0', '::1', 'fe80::1', 'fc00::1', '::ffff:10.0.0.1', '::ffff:a00:1', '64:ff9b::a00:1', '::7f00:1', '::127.0.0.1', '64:ff9b:1::a00:1', '2002:a00:1::1'].every(isForbiddenAddress)).toBe(true);
    expect(['198.51.100.20', '8.8.8.8', '2001:4860:4860::8888', '::ffff:8.8.8.8'].some(isForbiddenAddress)).toBe(false);
  });

  it('an agency lead manages only its own agency’s webhooks; others are 403 and not listed', async () => {
    await dropAll();
    const own = await t.request().post('/api/v1/admin/webhooks').set(lead()).send({ agencyId: xayDung, url: rx.url, events: ['case.assigned'] });
    expect(own.status).toBe(201);
    const theirs = await t.request().post('/api/v1/admin/webhooks').set(lead()).send({ agencyId: nnmt, url: rx.url, events: ['case.assigned'] });
    expect(theirs.status).toBe(403);
    const other = await subscribe(rx.url, ['case.assigned'], nnmt);
    const list = await t.request().get('/api/v1/admin/webhooks').set(lead());
    expect((list.body.items as Array<{ id: number }>).map((x) => x.id)).toEqual([own.body.id]);
    expect((await t.request().get('/api/v1/admin/webhooks').set(admin())).body.items).toHaveLength(2);
    for (const [method, path] of [
      ['get', `/api/v1/admin/webhooks/${other.id}`],
      ['patch', `/api/v1/admin/webhooks/${other.id}`],
      ['delete', `/api/v1/admin/webhooks/${other.id}`],
      ['post', `/api/v1/admin/webhooks/${other.id}/rotate-secret`],
      ['post', `/api/v1/admin/webhooks/${other.id}/test`],
      ['get', `/api/v1/admin/webhooks/${other.id}/deliveries`],
      ['post', `/api/v1/admin/webhooks/${other.id}/redeliver-dead`],
    ] as const) {
      const r = await t.request()[method](path).set(lead()).send(method === 'patch' ? { active: false } : undefined);
      expect(r.status, `${method} ${path}`).toBe(403);
    }
    // agency staff and coordinators do not manage webhooks
    expect((await t.request().get('/api/v1/admin/webhooks').set(bearer(t.tokens.agency_staff))).status).toBe(403);
    expect((await t.request().get('/api/v1/admin/webhooks').set(bearer(t.tokens.coordinator))).status).toBe(403);
    // bad input names the field
    const noEvents = await t.request().post('/api/v1/admin/webhooks').set(admin()).send({ agencyId: xayDung, url: rx.url, events: [] });
    expect(noEvents.status).toBe(400);
    expect(noEvents.body.errors[0].path).toBe('events');
    const badEvent = await t.request().post('/api/v1/admin/webhooks').set(admin()).send({ agencyId: xayDung, url: rx.url, events: ['case.deleted'] });
    expect(badEvent.status).toBe(400);
    const noAgency = await t.request().post('/api/v1/admin/webhooks').set(admin()).send({ agencyId: 999999, url: rx.url, events: ['case.assigned'] });
    expect(noAgency.status).toBe(400);
    expect(noAgency.body.errors[0].path).toBe('agencyId');
    // delete
    expect((await t.request().delete(`/api/v1/admin/webhooks/${own.body.id}`).set(lead())).status).toBe(204);
    expect((await t.request().get(`/api/v1/admin/webhooks/${own.body.id}`).set(admin())).status).toBe(404);
  });
});
