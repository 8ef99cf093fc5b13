import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../src/db/client.js';
import { addWorkingDays, fromLocal } from '../../src/domain/calendar.js';
import { runEscalationJob } from '../../src/features/escalation/job.js';
import { createEscalationService } from '../../src/features/escalation/service.js';
import { ShuttingDown } from '../../src/features/jobs/runner.js';
import { createTestApp, dbOf, type TestApp } from '../helpers/app.js';
import { dbLabel } from '../helpers/db.js';
import { enterCase, secondInstance } from '../escalation/helpers.js';

const COORDINATORS = 'dieuphoi1@bacninh.example';
let t: TestApp;

beforeAll(async () => {
  t = await createTestApp({ now: '2026-03-02T02:00:00Z', config: { PAKN_COORDINATOR_EMAILS: COORDINATORS, PAKN_LEADERSHIP_EMAILS: 'vanphong.ubnd@bacninh.example' } });
});
afterAll(async () => t?.close());

const count = async (q: ReturnType<typeof sql>) => Number((await rows<{ n: number }>(t.database.db, q))[0].n);

describe(`a stopping instance finishes its job's current unit of work and hands back the rest, on ${dbLabel}`, () => {
  it('escalation: stopped mid-run, every claim it made is whole (event and mail); another instance fires the rest, each once', async () => {
    const t0 = fromLocal('2026-03-02', '09:00');
    for (let i = 0; i < 40; i++) await enterCase(t.app, t0, { title: `Hồ sơ chậm giải quyết số ${i + 1}` });
    const cal = await t.app.services.clockService.calendar();
    t.clock.set(addWorkingDays(cal, t0, 30));

    const stopping = await secondInstance(t.database, t.clock, { PAKN_COORDINATOR_EMAILS: COORDINATORS, PAKN_LEADERSHIP_EMAILS: 'vanphong.ubnd@bacninh.example' });
    const svc = stopping.app.services;
    // SIGTERM arrives right after the job's first claiming transaction commits (the accept-overdue sweep)
    const db = dbOf(stopping.app);
    let committed!: () => void;
    const firstCommit = new Promise<void>((r) => (committed = r));
    const signalAfterFirstCommit = new Proxy(db, {
      get(target, p) {
        if (p === 'transaction') {
          return async (...args: Parameters<typeof db.transaction>) => {
            const r = await db.transaction(...args);
            // the first transaction that claimed firings (candidate reads are transactions too)
            if ((await rows<{ n: number }>(db, sql`select count(*)::int as n from escalations`))[0].n > 0) {
              svc.jobs.stop();
              committed();
            }
            return r;
          };
        }
        const v = Reflect.get(target, p);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    const escalation = createEscalationService({
      db: signalAfterFirstCommit,
      config: svc.config,
      clockService: svc.clockService,
      chain: svc.chain,
      baseUrl: svc.baseUrl,
      mailDomain: svc.mailDomain,
      settings: svc.settings,
      workflow: svc.workflow,
    });
    let finished = false;
    const run = svc.jobs.run('escalation', (signal) => runEscalationJob({ ...svc, escalation }, signal)).then((r) => {
      finished = true;
      return r;
    });
    // the stop is waited for; no new run once stopping
    await firstCommit;
    await stopping.close(); // preClose: stop + wait for the run, then the database closes
    expect(finished).toBe(true);
    await expect(svc.jobs.run('escalation', () => Promise.resolve({}))).rejects.toBeInstanceOf(ShuttingDown);
    const first = await run;
    expect(first.failed).toBe(0);
    // the chunk in flight committed whole; the sweeps after it did not start
    expect(first).toMatchObject({ interrupted: true, acceptOverdue: 40, overdue: 0, serious: 0 });

    // whatever it claimed is complete: an escalate event and an outbox row for each claim
    const claimsBefore = await count(sql`select count(*)::int as n from escalations`);
    expect(await count(sql`select count(*)::int as n from case_events where action = 'escalate'`)).toBe(claimsBefore);
    expect(await count(sql`select count(*)::int as n from outbox where template in ('due_soon', 'accept_overdue', 'overdue', 'serious', 'triage_stale')`)).toBe(claimsBefore);
    const recorded = await rows<{ instance: string; outcome: string }>(t.database.db, sql`select instance, outcome from job_runs where job = 'escalation'`);
    expect(recorded).toHaveLength(1);
    expect(recorded[0].outcome).toBe('interrupted');
    expect(recorded[0].instance).toBe(stopping.app.services.instanceId);

    // another instance does the rest; every (case, level) fired once in all
    const second = await t.app.services.escalation.runEscalation(t.clock.now());
    expect(second.failed).toBe(0);
    expect(first.overdue + second.overdue).toBe(40);
    expect(first.serious + second.serious).toBe(40);
    expect(first.acceptOverdue + second.acceptOverdue).toBe(40);
    expect(await count(sql`select count(*)::int as n from (select case_id, level from escalations group by 1, 2 having count(*) > 1) d`)).toBe(0);
    expect(await count(sql`select count(*)::int as n from case_events where action = 'escalate'`)).toBe(await count(sql`select count(*)::int as n from escalations`));
    const third = await t.app.services.escalation.runEscalation(t.clock.now());
    expect(third.overdue + third.serious + third.acceptOverdue + third.dueSoon).toBe(0);
  });

  it('report publication: a stop waits for the run in flight, which publishes once', async () => {
    t.clock.set(fromLocal('2026-05-01', '06:30'));
    const stopping = await secondInstance(t.database, t.clock, {});
    const run = stopping.app.services.jobs.run('report-publish', () => stopping.app.services.reports.publishPreviousMonthIfMissing());
    await stopping.close();
    expect(await run).toEqual({ period: '2026-04', published: true, revision: 1 });
    expect(await count(sql`select count(*)::int as n from reports where period = '2026-04'`)).toBe(1);
    expect(await t.app.services.reports.publishPreviousMonthIfMissing()).toEqual({ period: '2026-04', published: false, revision: 1 });
  });

  it('the grace period bounds the wait for a job that does not finish', async () => {
    const other = await secondInstance(t.database, t.clock, {});
    try {
      let release!: () => void;
      const stuck = other.app.services.jobs.run('stuck', () => new Promise<void>((r) => (release = r)));
      other.app.services.jobs.stop();
      const t1 = Date.now();
      expect(await other.app.services.jobs.drain(200)).toBe(false);
      expect(Date.now() - t1).toBeLessThan(2000);
      release();
      await stuck;
      expect(await other.app.services.jobs.drain(200)).toBe(true);
    } finally {
      await other.close();
    }
  });
});
