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
  })
  .meta({ id: 'OutboxRunResult' });
