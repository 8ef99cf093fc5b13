import type { FastifyBaseLogger } from 'fastify';
import cron from 'node-cron';
import type { Services } from './services.js';

export interface ScheduledJob {
  name: string;
  schedule: string;
  run: () => Promise<unknown>;
}

/** The jobs that run on a schedule (each is a plain service function, also callable by admin). */
export function scheduledJobs(services: Services): ScheduledJob[] {
  return [
    // backstop: events committed by a process that stopped before sealing them
    { name: 'chain-seal', schedule: '*/1 * * * *', run: () => services.chain.sealPending() },
    // warnings, reminders, overdue notices and auto-close (each firing claimed in the database)
    { name: 'escalation', schedule: services.config.PAKN_ESCALATION_CRON, run: () => services.escalation.runEscalation(services.clock.now()) },
    // e-mail delivery from the outbox, with retries and backoff
    { name: 'outbox', schedule: services.config.PAKN_OUTBOX_CRON, run: () => services.notifications.runOutbox(services.clock.now()) },
    // the 1st of each month: publish the month before, unless it is published already
    { name: 'report-publish', schedule: services.config.PAKN_REPORT_CRON, run: () => services.reports.publishPreviousMonthIfMissing() },
    // every Monday 07:30: last week's report to the agencies, coordinators and leadership (claimed once per week)
    { name: 'weekly-report', schedule: services.config.PAKN_WEEKLY_REPORT_CRON, run: () => services.weekly.run(services.clock.now()) },
    // stored first answers of public submissions (Idempotency-Key) are kept 7 days
    { name: 'intake-idempotency-purge', schedule: '17 3 * * *', run: () => services.intake.purgeIdempotencyKeys(services.clock.now()) },
  ];
}

/**
 * Starts node-cron tasks in Asia/Ho_Chi_Minh. A run that is still going when its next tick
 * comes is not started twice in this process; across processes jobs claim work in the database.
 */
export function startScheduler(services: Services, log: FastifyBaseLogger): { stop: () => void } {
  if (services.config.PAKN_DISABLE_CRON) return { stop: () => {} };
  const tasks = scheduledJobs(services).map((job) => {
    let running = false;
    const task = cron.createTask(
      job.schedule,
      async () => {
        if (running) return;
        running = true;
        try {
          const result = await job.run();
          log.info({ job: job.name, result }, 'scheduled job done');
        } catch (err) {
          log.error({ job: job.name, err }, 'scheduled job failed');
        } finally {
          running = false;
        }
      },
      { timezone: 'Asia/Ho_Chi_Minh', name: job.name, noOverlap: true },
    );
    task.start();
    return task;
  });
  return {
    stop: () => {
      for (const t of tasks) void t.stop();
    },
  };
}
