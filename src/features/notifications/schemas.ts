import { z } from 'zod';
import { OUTBOX_STATUSES } from './service.js';

const isoInstant = z.string().describe('ISO 8601 with offset (+07:00)');

export const outboxQuery = z.object({
  status: z.enum(OUTBOX_STATUSES).optional(),
  caseId: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z
    .string()
    .regex(/^\d{1,15}$/, 'must be the nextCursor of the previous page')
    .optional(),
});

export const outboxItemSchema = z
  .object({
    id: z.number().int(),
    messageId: z.string().describe('stable Message-ID header: a retried message keeps it'),
    template: z.string(),
    caseId: z.number().int().nullable(),
    to: z.array(z.string()),
    cc: z.array(z.string()),
    subject: z.string(),
    status: z.enum(OUTBOX_STATUSES),
    attempts: z.number().int(),
    nextAttemptAt: isoInstant,
    lockedUntil: isoInstant.nullable(),
    lastError: z.string().nullable(),
    createdAt: isoInstant,
    sentAt: isoInstant.nullable(),
    lockedBy: z.string().nullable().describe('the instance holding the lease while status is sending'),
    deliveredTo: z.array(z.string()).describe('recipients the SMTP server accepted; never sent to again'),
    refusedTo: z.array(z.string()).describe('recipients refused permanently (5xx); a retry tries them again'),
  })
  .meta({ id: 'OutboxMessage' });

export const outboxList = z.object({ items: z.array(outboxItemSchema), nextCursor: z.string().nullable() });

export const outboxRunResult = z
  .object({
    smtp: z.enum(['configured', 'not_configured']),
    claimed: z.number().int(),
    sent: z.number().int(),
    failed: z.number().int().describe('attempts that failed and will be retried after a backoff'),
    dead: z.number().int().describe('messages that reached PAKN_OUTBOX_MAX_ATTEMPTS'),
    released: z.number().int().describe('claimed but put back untouched: the SMTP server could not be reached'),
    pending: z.number().int(),
    interrupted: z.boolean().describe('the run stopped early because the service is stopping; what it had not started was released'),
  })
  .meta({ id: 'OutboxRunResult' });

export const outboxSummarySchema = z
  .object({
    byStatus: z.object({ pending: z.number().int(), sending: z.number().int(), sent: z.number().int(), dead: z.number().int() }),
    byTemplate: z
      .array(z.object({ status: z.enum(OUTBOX_STATUSES), template: z.string(), count: z.number().int() }))
      .describe('unsent messages (pending, sending, dead) by template'),
    oldestPendingAt: isoInstant.nullable().describe('when the oldest pending message was written'),
    oldestPendingAgeSeconds: z.number().int().nullable(),
    nextAttemptAt: isoInstant.nullable().describe('the earliest next attempt of a pending message'),
    dueNow: z.number().int().describe('pending messages whose next attempt is due'),
    leases: z
      .array(
        z.object({
          instance: z.string().nullable().describe('PAKN_INSTANCE_ID of the holder (null: leased before instances were recorded)'),
          count: z.number().int(),
          expired: z.number().int().describe('leases that ran out: the holder stopped without handing them back'),
          leasedUntil: isoInstant.nullable(),
        }),
      )
      .describe('messages being sent, by the instance holding them'),
  })
  .meta({ id: 'OutboxSummary' });

const instant = z.iso.datetime({ offset: true });

export const outboxRetryBody = z
  .strictObject({
    status: z
      .enum(['pending', 'dead', 'stale_sending'])
      .describe(
        'pending: try now instead of after the backoff; dead: send again, attempts start over (recipients that accepted it are skipped); ' +
          'stale_sending: hand back leases that ran out, and with `instance` every lease of that instance',
      ),
    template: z.string().min(1).max(100).regex(/^[a-z0-9_]+$/, 'must be a template name such as overdue').optional(),
    caseId: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
    since: instant.optional().describe('only messages written at or after this instant'),
    instance: z
      .string()
      .regex(/^[A-Za-z0-9._:-]{1,100}$/, 'must be an instance id as listed in the summary')
      .optional()
      .describe('with stale_sending: an instance known to be gone; its leases are released even if not yet expired'),
  })
  .refine((b) => !b.instance || b.status === 'stale_sending', { path: ['instance'], message: 'only with status stale_sending' })
  .meta({
    id: 'OutboxRetryRequest',
    examples: [
      { status: 'dead', template: 'overdue', since: '2026-03-02T08:00:00+07:00' },
      { status: 'stale_sending', instance: 'pakn-2-1842-9f3a' },
    ],
  });

export const outboxRetryResult = z
  .object({ retried: z.number().int().describe('messages made due now') })
  .meta({ id: 'OutboxRetryResult' });
