import type { Services } from '../../services.js';
import type { EscalationResult } from './service.js';

const LEVELS = { dueSoon: 'due_soon', acceptOverdue: 'accept_overdue', overdue: 'overdue', serious: 'serious', triageStale: 'triage_stale' } as const;

/** The escalation job as the scheduler and admin run it: one run at the clock's now, counted in the metrics. */
export async function runEscalationJob(services: Pick<Services, 'escalation' | 'clock' | 'metrics'>, signal?: AbortSignal): Promise<EscalationResult> {
  const r = await services.escalation.runEscalation(services.clock.now(), { signal });
  for (const [key, level] of Object.entries(LEVELS)) {
    const n = r[key as keyof typeof LEVELS];
    if (n > 0) services.metrics.escalations.inc({ level }, n);
  }
  const closed = r.closedAfterDisputeWindow + r.closedNoResponse;
  if (closed > 0) services.metrics.escalations.inc({ level: 'auto_close' }, closed);
  return r;
}

/** A run that fired nothing and failed nothing is not written to job_runs. */
export function escalationIdle(r: EscalationResult): boolean {
  return (
    r.dueSoon + r.acceptOverdue + r.overdue + r.serious + r.triageStale + r.closedAfterDisputeWindow + r.closedNoResponse + r.failed === 0 &&
    !r.interrupted
  );
}
