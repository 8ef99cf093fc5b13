import type { Services } from '../../services.js';
import type { OutboxRunResult } from './service.js';

/** The outbox job as the scheduler and admin run it: one run at the clock's now, counted in the metrics. */
export async function runOutboxJob(services: Pick<Services, 'notifications' | 'clock' | 'metrics'>, signal?: AbortSignal): Promise<OutboxRunResult> {
  const r = await services.notifications.runOutbox(services.clock.now(), { signal });
  for (const result of ['sent', 'failed', 'dead', 'released'] as const) {
    if (r[result] > 0) services.metrics.deliveries.inc({ result }, r[result]);
  }
  return r;
}

/** A run that claimed nothing is not written to job_runs. */
export const outboxIdle = (r: OutboxRunResult) => r.claimed === 0 && !r.interrupted;
