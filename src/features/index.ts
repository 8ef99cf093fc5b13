import type { FastifyInstance } from 'fastify';
import { registerAuditAccessRoutes } from './audit/access-routes.js';
import { registerAuditRoutes } from './audit/routes.js';
import { registerAuditVerifyRoutes } from './audit/verify-routes.js';
import { registerCaseWorkflowRoutes } from './cases/routes.js';
import { registerClockRoutes } from './clock/routes.js';
import { registerEscalationRoutes } from './escalation/routes.js';
import { registerHealthRoutes } from './health/routes.js';
import { registerIntakeRoutes } from './intake/routes.js';
import { registerJobRoutes } from './jobs/routes.js';
import { registerMetricsRoutes } from './metrics/routes.js';
import { registerNotificationRoutes } from './notifications/routes.js';
import { registerOpen311Routes } from './open311/routes.js';
import { registerReferenceRoutes } from './reference/routes.js';
import { registerReportRoutes } from './reports/routes.js';
import { registerChainRoutes } from './timeline/routes.js';
import { registerSettingsRoutes } from './settings/routes.js';
import { registerWeeklyReportRoutes } from './reports/weekly-routes.js';
import { registerWebhookRoutes } from './webhooks/routes.js';
import { registerWebRoutes } from '../web/routes.js';
import { registerReportPages } from '../web/report-routes.js';
import { registerSiteRoutes } from '../web/site-routes.js';

/** Every feature's routes, in one place. */
export async function registerFeatureRoutes(app: FastifyInstance): Promise<void> {
  await registerMetricsRoutes(app);
  await registerJobRoutes(app);
  await registerHealthRoutes(app);
  await registerReferenceRoutes(app);
  await registerIntakeRoutes(app);
  await registerWebRoutes(app);
  await registerClockRoutes(app);
  await registerOpen311Routes(app);
  await registerReportRoutes(app);
  await registerReportPages(app);
  await registerSiteRoutes(app);
  await registerNotificationRoutes(app);
  await registerEscalationRoutes(app);
  await registerCaseWorkflowRoutes(app);
  await registerAuditVerifyRoutes(app);
  await registerChainRoutes(app);
  await registerAuditRoutes(app);
  await registerAuditAccessRoutes(app);
  await registerSettingsRoutes(app);
  await registerWeeklyReportRoutes(app);
  await registerWebhookRoutes(app);
}
