import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../src/db/client.js';
import { enqueueMessages } from '../../src/features/notifications/outbox.js';
import { CLAIM_LEASE_MS } from '../../src/features/notifications/service.js';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { dbLabel } from '../helpers/db.js';
import { secondInstance } from '../escalation/helpers.js';
import { startSmtp, type TestSmtp } from '../notifications/smtp.js';

let smtp: TestSmtp;
let t: TestApp;

beforeAll(async () => {
  smtp = await startSmtp();
  t = await createTestApp({ config: { SMTP_URL: smtp.url, PAKN_INSTANCE_ID: 'pakn-1' } });
});
afterAll(async () => {
  await t?.close();
  await smtp?.stop();
});

const enqueue = (n: number, template: string, at = t.clock.now()) =>
  t.database.db.transaction((tx) =>
    enqueueMessages(
      tx,
      'pakn.test',
      Array.from({ length: n }, (_, i) => ({ template, to: [`nguoinhan${i}@bacninh.example`], subject: `Thông báo ${template} ${i}`, text: 'Nội dung thông báo.' })),
      at,
    ),
  );
const statusCount = async (status: string) => Number((await rows<{ n: number }>(t.database.db, sql`select count(*)::int as n from outbox where status = ${status}`))[0].n);

describe(`the outbox for the operator on ${dbLabel}`, () => {
  it('after a crash: leases of the dead instance are listed by instance, expire as before, and are handed back at once by a retry', async () => {
    await enqueue(4, 'overdue');
    // instance pakn-crashed claims them and dies (kill -9): nothing is sent
    const crashed = await secondInstance(t.database, t.clock, { SMTP_URL: smtp.url, PAKN_INSTANCE_ID: 'pakn-crashed' });
    const claimed = await crashed.app.services.notifications.claimDue(t.clock.now());
    await crashed.close();
    expect(claimed).toHaveLength(4);

    const s = await t.request().get('/api/v1/admin/outbox/summary').set(bearer(t.tokens.coordinator));
    expect(s.status).toBe(200);
    expect(s.body.byStatus).toMatchObject({ sending: 4, pending: 0 });
    expect(s.body.byTemplate).toEqual([{ status: 'sending', template: 'overdue', count: 4 }]);
    expect(s.body.leases).toEqual([{ instance: 'pakn-crashed', count: 4, expired: 0, leasedUntil: expect.stringMatching(/\+07:00$/) }]);
    expect(JSON.stringify(s.body)).not.toContain('@');

    // the live instance does not touch them while the lease runs
    expect(await t.app.services.notifications.runOutbox(t.clock.now())).toMatchObject({ claimed: 0 });
    // stale_sending without an instance: only expired leases — none yet
    const none = await t.request().post('/api/v1/admin/outbox/retry').set(bearer(t.tokens.admin)).send({ status: 'stale_sending' });
    expect(none.body).toEqual({ retried: 0 });
    // the operator knows pakn-crashed is gone: its leases are handed back at once
    const r = await t.request().post('/api/v1/admin/outbox/retry').set(bearer(t.tokens.admin)).send({ status: 'stale_sending', instance: 'pakn-crashed' });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ retried: 4 });
    expect(await t.app.services.notifications.runOutbox(t.clock.now())).toMatchObject({ claimed: 4, sent: 4 });
    expect(smtp.byMessageId().size).toBe(4);

    // without the operator, an expired lease is taken over as before, and the summary shows it expired
    await enqueue(2, 'due_soon');
    const c2 = await secondInstance(t.database, t.clock, { SMTP_URL: smtp.url, PAKN_INSTANCE_ID: 'pakn-crashed-2' });
    await c2.app.services.notifications.claimDue(t.clock.now());
    await c2.close();
    t.clock.advance(CLAIM_LEASE_MS);
    const s2 = await t.request().get('/api/v1/admin/outbox/summary').set(bearer(t.tokens.admin));
    expect(s2.body.leases).toEqual([expect.objectContaining({ instance: 'pakn-crashed-2', count: 2, expired: 2 })]);
    expect(await t.app.services.notifications.runOutbox(t.clock.now())).toMatchObject({ claimed: 2, sent: 2 });
  });

  it('retries dead and pending messages in bulk by filter, answering how many; validates the filter', async () => {
    const since = t.clock.now();
    await enqueue(3, 'serious');
    await enqueue(2, 'receipt');
    await t.database.db.execute(sql`update outbox set status = 'dead', attempts = 8, last_error = '550 x' where status = 'pending'`);
    t.clock.advance(60_000);
    await enqueue(1, 'serious');
    await t.database.db.execute(sql`update outbox set next_attempt_at = ${new Date(t.clock.now().getTime() + 3_600_000)} where status = 'pending'`);

    const s = await t.request().get('/api/v1/admin/outbox/summary').set(bearer(t.tokens.admin));
    expect(s.body).toMatchObject({ byStatus: { dead: 5, pending: 1 }, dueNow: 0, oldestPendingAgeSeconds: 0 });
    expect(s.body.nextAttemptAt).toMatch(/\+07:00$/);

    const bad = [
      { status: 'sent' },
      {},
      { status: 'dead', instance: 'pakn-1' },
      { status: 'dead', since: 'hôm qua' },
      { status: 'dead', template: 'DROP TABLE' },
      { status: 'dead', caseId: -1 },
      { status: 'dead', extra: 1 },
    ];
    for (const body of bad) {
      const r = await t.request().post('/api/v1/admin/outbox/retry').set(bearer(t.tokens.admin)).send(body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.headers['content-type']).toMatch(/problem\+json/);
      expect(r.body.errors.length).toBeGreaterThan(0);
    }
    expect(await statusCount('dead')).toBe(5);

    const coord = await t.request().post('/api/v1/admin/outbox/retry').set(bearer(t.tokens.coordinator)).send({ status: 'dead' });
    expect(coord.status).toBe(403);

    const r1 = await t.request().post('/api/v1/admin/outbox/retry').set(bearer(t.tokens.admin)).send({ status: 'dead', template: 'serious', since: '2026-03-02T09:00:00+07:00' });
    expect(r1.body).toEqual({ retried: 3 });
    const again = await rows<{ attempts: number; status: string }>(t.database.db, sql`select attempts, status from outbox where template = 'serious' and created_at = ${since}`);
    expect(again).toEqual(Array(3).fill({ attempts: 0, status: 'pending' }));
    const r2 = await t.request().post('/api/v1/admin/outbox/retry').set(bearer(t.tokens.admin)).send({ status: 'pending' });
    expect(r2.body).toEqual({ retried: 4 });
    const s2 = await t.request().get('/api/v1/admin/outbox/summary').set(bearer(t.tokens.admin));
    expect(s2.body).toMatchObject({ byStatus: { dead: 2, pending: 4 }, dueNow: 4 });
    const run = await t.request().post('/api/v1/admin/jobs/outbox/run').set(bearer(t.tokens.admin));
    expect(run.body).toMatchObject({ sent: 4, interrupted: false });
  });

  it('lists job runs newest first, with instance, times, outcome and counts; coordinators may read', async () => {
    const r = await t.request().get('/api/v1/admin/jobs/runs?job=outbox&limit=1').set(bearer(t.tokens.coordinator));
    expect(r.status).toBe(200);
    expect(r.body.items).toHaveLength(1);
    expect(r.body.items[0]).toMatchObject({ job: 'outbox', instance: 'pakn-1', outcome: 'ok', result: { sent: 4 } });
    expect(r.body.items[0].startedAt).toMatch(/\+07:00$/);
    expect(r.body.nextCursor).toBeNull();
    expect((await t.request().get('/api/v1/admin/jobs/runs?limit=0').set(bearer(t.tokens.admin))).status).toBe(400);
    expect((await t.request().get('/api/v1/admin/jobs/runs').set(bearer(t.tokens.agency_lead))).status).toBe(403);
    expect((await t.request().get('/api/v1/admin/outbox/summary').set(bearer(t.tokens.agency_staff))).status).toBe(403);
    expect((await t.request().get('/api/v1/admin/outbox/summary')).status).toBe(401);
  });
});
