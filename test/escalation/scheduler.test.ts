import cron from 'node-cron';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scheduledJobs, startScheduler } from '../../src/scheduler.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { dbLabel } from '../helpers/db.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ config: { PAKN_ESCALATION_CRON: '*/3 * * * *', PAKN_OUTBOX_CRON: '*/2 * * * *' } });
});
afterAll(async () => t?.close());

const silentLog = { info() {}, error() {}, warn() {}, debug() {}, fatal() {}, trace() {}, child() { return this; }, level: 'silent' } as never;

describe(`scheduling of the escalation and outbox jobs on ${dbLabel}`, () => {
  it('schedules both jobs with the configured expressions and runs them as plain service calls at the clock time', async () => {
    const jobs = scheduledJobs(t.app.services);
    const esc = jobs.find((j) => j.name === 'escalation')!;
    const out = jobs.find((j) => j.name === 'outbox')!;
    expect(esc.schedule).toBe('*/3 * * * *');
    expect(out.schedule).toBe('*/2 * * * *');
    expect(await esc.run()).toMatchObject({ at: '2026-03-02T09:00:00+07:00', failed: 0 });
    expect(await out.run()).toMatchObject({ smtp: 'not_configured', claimed: 0 });
  });

  it('starts no task with PAKN_DISABLE_CRON, and a named task for each job without it', async () => {
    const names = () => [...cron.getTasks().values()].map((x) => x.name);
    const before = names().length;
    const off = startScheduler(t.app.services, silentLog);
    expect(names()).toHaveLength(before);
    off.stop();
    const on = startScheduler({ ...t.app.services, config: { ...t.app.services.config, PAKN_DISABLE_CRON: false } }, silentLog);
    try {
      expect(names()).toEqual(expect.arrayContaining(['escalation', 'outbox']));
    } finally {
      on.stop();
    }
  });
});
