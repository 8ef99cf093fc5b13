import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { toLocalIso } from '../../domain/calendar.js';
import { idParam, problemSchema } from '../../lib/http.js';
import { outboxIdle, runOutboxJob } from './job.js';
import { outboxItemSchema, outboxList, outboxQuery, outboxRetryBody, outboxRetryResult, outboxRunResult, outboxSummarySchema } from './schemas.js';
import type { OutboxItem } from './service.js';

const ADMIN = { roles: ['admin'] as const };
const ADMIN_OR_COORDINATOR = { roles: ['admin', 'coordinator'] as const };
const AUTH_ERRORS = { 401: problemSchema, 403: problemSchema };
const iso = (d: Date | null) => (d ? toLocalIso(d) : null);

function view(m: OutboxItem) {
  return {
    ...m,
    status: m.status as 'pending' | 'sending' | 'sent' | 'dead',
    nextAttemptAt: toLocalIso(m.nextAttemptAt),
    lockedUntil: iso(m.lockedUntil),
    createdAt: toLocalIso(m.createdAt),
    sentAt: iso(m.sentAt),
  };
}

/** The outbox for admin (list, retry) and the delivery job on demand. */
export async function registerNotificationRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const svc = app.services.notifications;
  svc.useLogger(app.log.child({ feature: 'outbox' }));
  app.addHook('onClose', async () => svc.close());

  r.get(
    '/api/v1/admin/outbox',
    {
      config: ADMIN,
      schema: {
        tags: ['admin'],
        summary: 'Outgoing e-mail, newest first (filter by status: pending, sending, sent, dead)',
        querystring: outboxQuery,
        response: { 200: outboxList },
      },
    },
    async (req) => {
      const q = req.query;
      const page = await svc.list({ status: q.status, caseId: q.caseId, limit: q.limit, cursor: q.cursor ? Number(q.cursor) : undefined });
      return { items: page.items.map(view), nextCursor: page.nextCursor };
    },
  );

  r.post(
    '/api/v1/admin/outbox/:id/retry',
    {
      config: ADMIN,
      schema: {
        tags: ['admin'],
        summary: 'Send a dead message again (attempts start over), or a pending one now; 409 for sent or sending',
        params: idParam,
        response: { 200: outboxItemSchema },
      },
    },
    async (req) => view(await svc.retry(req.params.id, app.services.clock.now())),
  );

  r.post(
    '/api/v1/admin/jobs/outbox/run',
    {
      config: ADMIN,
      schema: {
        tags: ['admin', 'jobs'],
        summary: 'Run the e-mail delivery job now',
        response: { 200: outboxRunResult, ...AUTH_ERRORS, 503: problemSchema.describe('the service is stopping; another instance will run the job') },
      },
    },
    async () => app.services.jobs.run('outbox', (signal) => runOutboxJob(app.services, signal), { idle: outboxIdle }),
  );

  r.get(
    '/api/v1/admin/outbox/summary',
    {
      config: ADMIN_OR_COORDINATOR,
      schema: {
        tags: ['admin'],
        operationId: 'getOutboxSummary',
        summary: 'The outbox at a glance: counts, oldest pending, next attempt due, leases by instance',
        description:
          'Counts by status (all messages) and, for messages not yet sent, by template; the age of the oldest pending ' +
          'message; the earliest next attempt; and the messages being sent, by the instance holding their lease, with how ' +
          'many leases ran out (an instance that stopped without handing them back). Read by admin and coordinators; ' +
          'carries no addresses or content.',
        response: { 200: outboxSummarySchema, ...AUTH_ERRORS },
      },
    },
    async () => {
      const now = app.services.clock.now();
      const m = await svc.summary(now);
      return {
        ...m,
        oldestPendingAt: iso(m.oldestPendingAt),
        nextAttemptAt: iso(m.nextAttemptAt),
        leases: m.leases.map((l) => ({ ...l, leasedUntil: iso(l.leasedUntil) })),
      };
    },
  );

  r.post(
    '/api/v1/admin/outbox/retry',
    {
      config: ADMIN,
      schema: {
        tags: ['admin'],
        operationId: 'retryOutboxMessages',
        summary: 'Retry every message matching a filter, in one call; answers how many',
        description:
          '`status` picks what to retry: `pending` (due now instead of after the backoff), `dead` (pending again, attempts ' +
          'start over; recipients that accepted it earlier are not sent to again, refused ones are tried again) or ' +
          '`stale_sending` (messages whose lease ran out: their instance died; with `instance`, every lease of that instance ' +
          'is handed back at once — name only an instance you know is gone, or a message it is sending may go out twice). ' +
          '`template`, `caseId` and `since` narrow the match. One statement: all matches or none.',
        body: outboxRetryBody,
        response: { 200: outboxRetryResult, 400: problemSchema, ...AUTH_ERRORS },
      },
    },
    async (req) => {
      const b = req.body;
      const retried = await svc.retryMatching(
        { status: b.status, template: b.template, caseId: b.caseId, since: b.since ? new Date(b.since) : undefined, instance: b.instance },
        app.services.clock.now(),
      );
      req.log.info({ filter: b, retried }, 'outbox messages retried by admin');
      return { retried };
    },
  );
}
