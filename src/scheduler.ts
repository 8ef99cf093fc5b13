import type { FastifyBaseLogger } from 'fastify';
import cron from 'node-cron';
import { escalationIdle, runEscalationJob } from './features/escalation/job.js';
import type { EscalationResult } from './features/escalation/service.js';
import { outboxIdle, runOutboxJob } from './features/notifications/job.js';
import type { OutboxRunResult } from './features/notifications/service.js';
import type { Services } from './services.js';
import { runWebhookJob, webhookIdle } from './features/webhooks/job.js';
import type { WebhookRunResult } from './features/webhooks/service.js';

export interface ScheduledJob {
  name: string;
  schedule: string;
  /** `signal` aborts when the service is stopping: finish the current unit of work and return */
  run: (signal?: AbortSignal) => Promise<unknown>;
  /** a run that did nothing is not written to job_runs (only counted in the metrics) */
  idle?: (result: unknown) => boolean;
  /** frequent job: its runs are logged at debug level */
  quiet?: boolean;
}

/** The jobs that run on a schedule (each is a plain service function, also callable by admin). */
export function scheduledJobs(services: Services): ScheduledJob[] {
  return [
    // backstop: events committed by a process that stopped before sealing them
    { name: 'chain-seal', schedule: '*/1 * * * *', run: () => services.chain.sealPending(), idle: (r) => !r },
    // signed checkpoint of the chain head when it moved (every new event covered within seconds)
    { name: 'chain-checkpoint', schedule: '*/5 * * * * *', quiet: true, run: () => services.checkpoints.checkpoint().then((c) => c && { n: c.n, seq: c.seq }), idle: (r) => !r },
    // the previous day's last checkpoint to the inspectorate (an anchor outside the database)
    {
      name: 'chain-checkpoint-mail',
      schedule: services.config.PAKN_CHECKPOINT_MAIL_CRON,
      run: () => services.checkpointMail.queueDaily(services.clock.now()),
    },
    // warnings, reminders, overdue notices and auto-close (each firing claimed in the database)
    { name: 'escalation', schedule: services.config.PAKN_ESCALATION_CRON, run: (signal) => runEscalationJob(services, signal), idle: (r) => escalationIdle(r as EscalationResult) },
    // e-mail delivery from the outbox, with retries and backoff
    { name: 'outbox', schedule: services.config.PAKN_OUTBOX_CRON, run: (signal) => runOutboxJob(services, signal), idle: (r) => outboxIdle(r as OutboxRunResult) },
    // webhook delivery to agency systems, per case in order, with retries and backoff
    { name: 'webhooks', schedule: services.config.PAKN_WEBHOOK_CRON, quiet: true, run: (signal) => runWebhookJob(services, signal), idle: (r) => webhookIdle(r as WebhookRunResult) },
    // the 1st of each month: publish the month before, unless it is published already
    { name: 'report-publish', schedule: services.config.PAKN_REPORT_CRON, run: () => services.reports.publishPreviousMonthIfMissing() },
    // every Monday 07:30: last week's report to the agencies, coordinators and leadership (claimed once per week)
    { name: 'weekly-report', schedule: services.config.PAKN_WEEKLY_REPORT_CRON, run: () => services.weekly.run(services.clock.now()) },
    // stored first answers of public submissions (Idempotency-Key) are kept 7 days
    { name: 'intake-idempotency-purge', schedule: '17 3 * * *', run: () => services.intake.purgeIdempotencyKeys(services.clock.now()) },
    // delivered and dead webhook messages older than PAKN_WEBHOOK_RETENTION_DAYS are deleted (their bodies carry case data)
    { name: 'webhook-retention', schedule: '47 3 * * *', run: (signal) => services.webhooks.purgeDeliveries(services.clock.now(), signal), idle: (r) => (r as { deleted: number }).deleted === 0 },
  ];
}

/**
 * Starts node-cron tasks in Asia/Ho_Chi_Minh. A run that is still going when its next tick
 * comes is not started twice in this process; across processes jobs claim work in the database.
 * Every run goes through services.jobs (recorded in job_runs, counted in the metrics); after
 * `stop()` no tick starts a run, and services.jobs.drain() waits for the runs still going.
 */
export function startScheduler(services: Services, log: FastifyBaseLogger): { stop: () => void } {
  if (services.config.PAKN_DISABLE_CRON) return { stop: () => {} };
  let stopped = false;
  const tasks = scheduledJobs(services).map((job) => {
    let running = false;
    const task = cron.createTask(
      job.schedule,
      async () => {
        if (running || stopped || services.jobs.stopping) return;
        running = true;
        try {
          const result = await services.jobs.run(job.name, job.run, { idle: job.idle });
          if (job.quiet) log.debug({ job: job.name, result }, 'scheduled job done');
          else log.info({ job: job.name, result }, 'scheduled job done');
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
      stopped = true;
      for (const t of tasks) void t.stop();
    },
  };
}
