import type { Services } from '../../services.js';
import type { WebhookRunResult } from './service.js';

/** The webhook delivery job as the scheduler and admin run it: one run at the clock's now. */
export function runWebhookJob(services: Pick<Services, 'webhooks' | 'clock'>, signal?: AbortSignal): Promise<WebhookRunResult> {
  return services.webhooks.run(services.clock.now(), { signal });
}

/** A run that claimed nothing is not written to job_runs. */
export const webhookIdle = (r: WebhookRunResult) => r.claimed === 0 && !r.interrupted;
