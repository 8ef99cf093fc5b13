import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Config } from './config.js';
import type { Database } from './db/client.js';
import { createAuditService } from './features/audit/service.js';
import { createAuthService } from './features/auth/service.js';
import { createCalendarService } from './features/clock/calendar-service.js';
import { createDeadlineService } from './features/clock/deadline-service.js';
import { createPolicyService } from './features/clock/policy-service.js';
import { createRoutingRuleService } from './features/clock/routing-rule-service.js';
import { createClockService } from './features/clock/service.js';
import { createCaseService } from './features/cases/service.js';
import { createWorkflowService } from './features/cases/workflow.js';
import { createEscalationService } from './features/escalation/service.js';
import { createIntakeService } from './features/intake/service.js';
import { createJobRunner } from './features/jobs/runner.js';
import { createMetrics } from './features/metrics/registry.js';
import { createNotificationService } from './features/notifications/service.js';
import { createOpen311Service } from './features/open311/service.js';
import { createReferenceService } from './features/reference/service.js';
import { createReportService } from './features/reports/service.js';
import { createSettingsService } from './features/settings/service.js';
import { createWeeklyReportService } from './features/reports/weekly.js';
import { createWebhookService } from './features/webhooks/service.js';
import { createChainSealer } from './features/timeline/repository.js';
import { createCheckpointMail } from './features/timeline/checkpoint-mail.js';
import { createCheckpointer, loadSigningKey } from './features/timeline/checkpoints.js';
import { createIntegrityService } from './features/timeline/integrity.js';
import type { Clock } from './lib/clock.js';

export interface ServiceDeps {
  config: Config;
  database: Database;
  clock: Clock;
  /** start-up messages (the generated signing key) */
  log?: (level: 'info' | 'warn', msg: string) => void;
}

/** Wires every feature's service once; routes and jobs reach them through app.services. */
export function createServices(deps: ServiceDeps) {
  const { database, clock } = deps;
  const db = database.db;
  const auth = createAuthService({ db, clock });
  const reference = createReferenceService({ db, clock, auth });
  const clockService = createClockService({ db, clock, officeHours: deps.config.PAKN_OFFICE_HOURS });
  /** admin data of the legal clock: calendar years (edits recompute open deadlines), SLA policy versions, routing rules */
  const clockCalendar = createCalendarService({ db, clock, clockService });
  const slaPolicies = createPolicyService({ db, clock, clockService });
  const routingRules = createRoutingRuleService({ db, clock, clockService });
  /** read-only deadline views: a case's SLA explained, the public deadline calculator */
  const deadlines = createDeadlineService({ db, clock, clockService });
  /** settings shared by every instance (recipients, staff mail window, public identity: siteInfo()) */
  const settings = createSettingsService({ db, clock, config: deps.config, onChange: () => clockService.invalidate('site') });
  const baseUrl = deps.config.PUBLIC_BASE_URL.replace(/\/$/, '');
  /** the domain of outgoing mail's Message-IDs */
  const mailDomain = new URL(baseUrl).hostname;
  /** seals timeline events into the hash chain after their transaction commits */
  const chain = createChainSealer(db, database.pool);
  /** signed checkpoints of the chain head (the key never enters the database) */
  const checkpoints = createCheckpointer({
    db,
    clock,
    sealer: chain,
    key: loadSigningKey({
      configured: deps.config.PAKN_SIGNING_KEY,
      dataDir: database.dataDir,
      production: deps.config.NODE_ENV === 'production',
      onPostgres: database.kind === 'pg',
      log: deps.log,
    }),
  });
  /** the audit's integrity check of the chain, the checkpoints and (on request) every case */
  const integrity = createIntegrityService({ db, sealer: chain, checkpoints });
  /** the daily e-mail of the last checkpoint to the inspectorate */
  const checkpointMail = createCheckpointMail({ db, inspectorate: deps.config.PAKN_INSPECTORATE_EMAILS, mailDomain, baseUrl, checkpoints });
  /** the agency workflow: every action on a case (services.workflow.act / actInTx) */
  const workflow = createWorkflowService({ db, clock, clockService, baseUrl, mailDomain });
  /** staff reads of cases (queue, case, timeline, feed) with the disclosure rule and access records */
  const cases = createCaseService({ db, clock });
  /** public and coordinator intake, public tracking, attachments; every case is created through it */
  const intake = createIntakeService({ db, clock, clockService, baseUrl, mailDomain, dbKind: database.kind });
  const open311 = createOpen311Service({ db, clock, clockService, dbKind: database.kind, intake, chain, baseUrl, contact: deps.config.MAIL_FROM });
  const reports = createReportService({ db, clock, clockService, config: deps.config, baseUrl, mailDomain, checkpoints });
  /** names this process in outbox leases and job runs */
  const instanceId = deps.config.PAKN_INSTANCE_ID ?? `${hostname()}-${process.pid}-${randomBytes(2).toString('hex')}`;
  /** Prometheus metrics (GET /metrics) and the runner every job goes through (job_runs, graceful stop) */
  const metrics = createMetrics({ db, clock });
  const jobs = createJobRunner({ db, clock, instanceId, metrics });
  /** the weekly report (read, and mailed once a week) */
  const weekly = createWeeklyReportService({ db, clock, clockService, settings, mailDomain });
  /** the outbox worker (SMTP) and the escalation job */
  const notifications = createNotificationService({ db, config: deps.config, clock, instanceId });
  const escalation = createEscalationService({
    db,
    config: deps.config,
    clockService,
    chain,
    baseUrl,
    mailDomain,
    settings,
    workflow,
  });
  /** signed webhooks to agency systems: subscriptions and the delivery worker */
  const webhooks = createWebhookService({ db, clock, config: deps.config, instanceId, mailDomain, metrics, cases });
  /** inspection: on-time rates, case lists, samples and findings (reopen through the workflow) */
  const audit = createAuditService({ db, clock, clockService, config: deps.config, workflow });
  /** what the readiness probe may ask of the database (routes get no database handle) */
  const health = { kind: database.kind, ping: () => database.ping() };
  const { config, log } = deps;
  return { config, clock, log, health, instanceId, integrity, checkpointMail, metrics, jobs, auth, settings, reference, clockService, clockCalendar, slaPolicies, routingRules, deadlines, baseUrl, mailDomain, chain, checkpoints, open311, reports, weekly, notifications, escalation, workflow, cases, intake, audit, webhooks };
}

export type Services = ReturnType<typeof createServices>;
