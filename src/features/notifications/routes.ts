import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { toLocalIso } from '../../domain/calendar.js';
import { idParam } from '../../lib/http.js';
import { outboxItemSchema, outboxList, outboxQuery, outboxRunResult } from './schemas.js';
import type { OutboxItem } from './service.js';

const ADMIN = { roles: ['admin'] as const };
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
      schema: { tags: ['admin', 'jobs'], summary: 'Run the e-mail delivery job now', response: { 200: outboxRunResult } },
    },
    async () => svc.runOutbox(app.services.clock.now()),
  );
}
