import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { rows } from '../../src/db/client.js';
import { scheduledJobs } from '../../src/scheduler.js';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { onPostgres } from '../helpers/db.js';

const DAY = 86_400_000;
let t: TestApp;
let hook: number;

beforeAll(async () => {
  t = await createTestApp({ config: { PAKN_WEBHOOK_ALLOW_PRIVATE: '1', PAKN_WEBHOOK_RETENTION_DAYS: '30' } });
  const agencies = (await t.request().get('/api/v1/admin/agencies').set(bearer(t.tokens.admin))).body.items as Array<{ id: number; code: string }>;
  const r = await t
    .request()
    .post('/api/v1/admin/webhooks')
    .set(bearer(t.tokens.admin))
    .send({ agencyId: agencies.find((a) => a.code === 'so_xay_dung')!.id, url: 'http://127.0.0.1:9/hook', events: ['case.updated'] });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  hook = r.body.id;
});
afterAll(async () => {
  await t?.close();
});
beforeEach(async () => {
  await t.database.db.execute(sql`delete from webhook_deliveries`);
  await t.database.db.execute(sql`delete from job_runs`);
});

/** A message as the worker leaves it: `label` in its last_error, its times `…Ago` days before now. */
async function message(label: string, status: 'pending' | 'sending' | 'delivered' | 'dead', days: { next: number; last?: number; delivered?: number }) {
  const now = t.clock.now().getTime();
  const at = (d: number | undefined) => (d === undefined ? null : new Date(now - d * DAY));
  await t.database.db.execute(sql`insert into webhook_deliveries
    (webhook_id, event_type, event_at, payload, status, attempts, next_attempt_at, last_attempt_at, delivered_at, locked_until, locked_by, last_error, created_at)
    values (${hook}, 'case.updated', ${at(days.next)}, '{"case":{"title":"Nội dung hồ sơ"}}', ${status}, 1, ${at(days.next)}, ${at(days.last)},
            ${at(days.delivered)}, ${status === 'sending' ? at(days.next) : null}, ${status === 'sending' ? 'pakn-x' : null}, ${label}, ${at(days.next)})`);
}
const left = async () => (await rows<{ last_error: string }>(t.database.db, sql`select last_error from webhook_deliveries order by last_error`)).map((r) => r.last_error);

describe('webhook message retention (PAKN_WEBHOOK_RETENTION_DAYS)', () => {
  it('deletes delivered and dead messages past the retention, keeps the rest whatever their age', async () => {
    for (let i = 1; i <= 5; i++) await message(`delivered-old-${i}`, 'delivered', { next: 31 + i, last: 31 + i, delivered: 31 + i });
    await message('delivered-29d', 'delivered', { next: 29, last: 29, delivered: 29 });
    // first due 40 days ago, retried until it went through 10 days ago: counted from its delivery
    await message('delivered-late', 'delivered', { next: 40, last: 10, delivered: 10 });
    await message('dead-31d', 'dead', { next: 31, last: 31 });
    await message('dead-29d', 'dead', { next: 29, last: 29 });
    await message('pending-90d', 'pending', { next: 90, last: 89 });
    await message('sending-90d', 'sending', { next: 90, last: 90 });

    // two rows per statement: the batches go on until none is left
    const r = await t.app.services.webhooks.purgeDeliveries(t.clock.now(), undefined, 2);
    expect(r.deleted).toBe(6);
    expect(r.cutoff).toMatch(/\+07:00$/);
    expect(await left()).toEqual(['dead-29d', 'delivered-29d', 'delivered-late', 'pending-90d', 'sending-90d']);

    // again: nothing more
    expect((await t.app.services.webhooks.purgeDeliveries(t.clock.now())).deleted).toBe(0);
  });

  it('the daily job runs it, recorded in the job history; a run with nothing to delete is not written', async () => {
    await message('delivered-old', 'delivered', { next: 45, last: 45, delivered: 45 });
    const job = scheduledJobs(t.app.services).find((j) => j.name === 'webhook-retention')!;
    expect(job.schedule).toBe('47 3 * * *');
    const first = await t.app.services.jobs.run(job.name, job.run, { idle: job.idle });
    expect(first).toMatchObject({ deleted: 1 });
    await t.app.services.jobs.run(job.name, job.run, { idle: job.idle });
    const runs = await rows<{ outcome: string; result: { deleted: number } }>(t.database.db, sql`select outcome, result from job_runs where job = 'webhook-retention'`);
    expect(runs).toEqual([{ outcome: 'ok', result: expect.objectContaining({ deleted: 1 }) }]);
    expect(await left()).toEqual([]);
  });

  it('stops between batches when the service is stopping', async () => {
    await message('delivered-old', 'delivered', { next: 45, last: 45, delivered: 45 });
    const stopping = new AbortController();
    stopping.abort();
    expect(await t.app.services.webhooks.purgeDeliveries(t.clock.now(), stopping.signal)).toMatchObject({ deleted: 0, interrupted: true });
    expect(await left()).toEqual(['delivered-old']);
  });

  it('keeps a message sent again while the job runs; sending again one it deleted is a 404', async () => {
    await message('dead-old', 'dead', { next: 40, last: 40 });
    await message('dead-old-2', 'dead', { next: 41, last: 41 });
    const ids = await rows<{ id: number; last_error: string }>(t.database.db, sql`select id, last_error from webhook_deliveries order by last_error`);
    const [kept, gone] = ids;
    const now = t.clock.now();
    if (onPostgres) {
      // an admin's "send again" in flight on another connection holds the row: the job does not
      // wait for it, and does not delete it
      let release!: () => void;
      let locked!: () => void;
      const holding = new Promise<void>((r) => (locked = r));
      const tx = t.database.db.transaction(async (tx) => {
        await tx.execute(sql`update webhook_deliveries set status = 'pending', attempts = 0, next_attempt_at = ${now} where id = ${kept.id}`);
        locked();
        await new Promise<void>((r) => (release = r));
      });
      await holding;
      expect((await t.app.services.webhooks.purgeDeliveries(now)).deleted).toBe(1);
      release();
      await tx;
    } else {
      // one connection: the admin's request and the job follow each other
      const r = await t.request().post(`/api/v1/admin/webhooks/${hook}/deliveries/${kept.id}/redeliver`).set(bearer(t.tokens.admin));
      expect(r.status).toBe(200);
      expect((await t.app.services.webhooks.purgeDeliveries(now)).deleted).toBe(1);
    }
    expect(await rows(t.database.db, sql`select last_error, status from webhook_deliveries`)).toEqual([{ last_error: 'dead-old', status: 'pending' }]);
    const late = await t.request().post(`/api/v1/admin/webhooks/${hook}/deliveries/${gone.id}/redeliver`).set(bearer(t.tokens.admin));
    expect(late.status).toBe(404);
  });

  it('the retention is at least a day', () => {
    expect(() => loadConfig({ PAKN_WEBHOOK_RETENTION_DAYS: '0' })).toThrow(/PAKN_WEBHOOK_RETENTION_DAYS/);
    expect(loadConfig({}).PAKN_WEBHOOK_RETENTION_DAYS).toBe(30);
  });
});
