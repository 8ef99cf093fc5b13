import { sql } from 'drizzle-orm';
import client from 'prom-client';
import { rows, type Db } from '../../db/client.js';

/** Request duration buckets (seconds): API calls are tens of milliseconds, reports up to seconds. */
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Job duration buckets (seconds): an outbox run with nothing due to a five-minute backlog. */
const JOB_BUCKETS = [0.05, 0.25, 1, 5, 15, 60, 300, 900];

/**
 * The service's Prometheus metrics, in a registry of its own (one per app). Counters and
 * histograms count what this instance did; the gauges marked "database" are read at scrape
 * time with one indexed query each and are the same whichever instance is scraped.
 */
export function createMetrics(deps: { db: Db; clock: { now(): Date } }) {
  const { db, clock } = deps;
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });

  const httpRequests = new client.Counter({
    name: 'pakn_http_requests_total',
    help: 'HTTP requests answered by this instance, by method, route template and status code',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const httpDuration = new client.Histogram({
    name: 'pakn_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by method and route template',
    labelNames: ['method', 'route'] as const,
    buckets: HTTP_BUCKETS,
    registers: [registry],
  });
  const jobRuns = new client.Counter({
    name: 'pakn_job_runs_total',
    help: 'Job runs on this instance by job and result (ok, failed, interrupted)',
    labelNames: ['job', 'result'] as const,
    registers: [registry],
  });
  const jobDuration = new client.Histogram({
    name: 'pakn_job_duration_seconds',
    help: 'Duration of job runs on this instance',
    labelNames: ['job'] as const,
    buckets: JOB_BUCKETS,
    registers: [registry],
  });
  const escalations = new client.Counter({
    name: 'pakn_escalations_total',
    help: 'Escalation firings won by this instance, by level',
    labelNames: ['level'] as const,
    registers: [registry],
  });
  const deliveries = new client.Counter({
    name: 'pakn_outbox_deliveries_total',
    help: 'Outbox delivery attempts by this instance, by result (sent, failed, dead, released)',
    labelNames: ['result'] as const,
    registers: [registry],
  });

  const webhookDeliveries = new client.Counter({
    name: 'pakn_webhook_deliveries_total',
    help: 'Webhook delivery attempts by this instance, by result (delivered, failed: tried again later, dead; busy: put back without an attempt, no DNS lookup free)',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  const webhookDuration = new client.Histogram({
    name: 'pakn_webhook_delivery_duration_seconds',
    help: 'Time of a webhook delivery attempt (address check, connect, answer), by result (delivered, failed)',
    labelNames: ['result'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const webhookDisabled = new client.Counter({
    name: 'pakn_webhooks_disabled_total',
    help: 'Webhook subscriptions this instance switched off after 3 days of failed deliveries',
    registers: [registry],
  });

  // ---- database gauges (each one indexed query at scrape time)
  new client.Gauge({
    name: 'pakn_webhook_deliveries',
    help: 'Webhook messages waiting or stuck, by status (pending, sending, dead); database-wide',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      const r = await rows<{ status: string; n: number }>(
        db,
        sql`select s.status, (select count(*) from webhook_deliveries d where d.status = s.status)::int as n
            from (values ('pending'), ('sending'), ('dead')) as s(status)`,
      );
      this.reset();
      for (const x of r) this.set({ status: x.status }, Number(x.n));
    },
  });
  new client.Gauge({
    name: 'pakn_outbox_messages',
    help: 'Messages in the outbox waiting or stuck, by status (pending, sending, dead); database-wide',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      const r = await rows<{ status: string; n: number }>(
        db,
        sql`select s.status, (select count(*) from outbox o where o.status = s.status)::int as n
            from (values ('pending'), ('sending'), ('dead')) as s(status)`,
      );
      this.reset();
      for (const x of r) this.set({ status: x.status }, Number(x.n));
    },
  });
  new client.Gauge({
    name: 'pakn_outbox_oldest_pending_seconds',
    help: 'Age of the oldest pending message (0 when none); database-wide',
    registers: [registry],
    async collect() {
      const [r] = await rows<{ t: Date | string | null }>(db, sql`select min(created_at) as t from outbox where status = 'pending'`);
      const t = r?.t ? new Date(r.t) : null;
      this.set(t ? Math.max(0, (clock.now().getTime() - t.getTime()) / 1000) : 0);
    },
  });
  new client.Gauge({
    name: 'pakn_cases_open',
    help: 'Open cases by agency (code; "unassigned" when none) and state (within_deadline, overdue, awaiting_business); database-wide',
    labelNames: ['agency', 'state'] as const,
    registers: [registry],
    async collect() {
      const now = clock.now();
      const r = await rows<{ agency: string | null; state: string; n: number }>(
        db,
        sql`select a.code as agency, x.state, x.n::int as n from (
              select agency_id,
                     case when status = 'awaiting_business' then 'awaiting_business'
                          when resolve_due_at < ${now} then 'overdue' else 'within_deadline' end as state,
                     count(*) as n
              from cases where status in ('received', 'assigned', 'in_progress', 'awaiting_business')
              group by 1, 2
            ) x left join agencies a on a.id = x.agency_id`,
      );
      this.reset();
      for (const x of r) this.set({ agency: x.agency ?? 'unassigned', state: x.state }, Number(x.n));
    },
  });
  new client.Gauge({
    name: 'pakn_chain_unsealed_events',
    help: 'Timeline events not yet sealed into the hash chain; database-wide',
    registers: [registry],
    async collect() {
      const [r] = await rows<{ n: number }>(db, sql`select count(*)::int as n from case_events where seq is null`);
      this.set(Number(r?.n ?? 0));
    },
  });

  return { registry, httpRequests, httpDuration, jobRuns, jobDuration, escalations, deliveries, webhookDeliveries, webhookDuration, webhookDisabled };
}

export type Metrics = ReturnType<typeof createMetrics>;
