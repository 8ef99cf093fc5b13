import { z } from 'zod';
import { normalizeLine } from '../../domain/validators.js';
import { patchSchema } from '../../lib/strict.js';
import { DELIVERY_STATUSES, WEBHOOK_EVENTS } from './service.js';

const instant = z.string().describe('ISO 8601 with the +07:00 offset');

const url = z.string().trim().min(1).max(2000).describe('https URL of the agency system (no user name or password); must resolve to a public address');
const events = z.array(z.enum(WEBHOOK_EVENTS)).min(1).max(WEBHOOK_EVENTS.length).describe('events to receive');
const description = z.string().overwrite(normalizeLine).max(300).nullish().describe('what this subscription is for');

export const webhookInput = z.object({
  agencyId: z.number().int().positive().max(2_147_483_647),
  url,
  events,
  description,
});

export const webhookPatch = patchSchema(
  z.object({
    url,
    events,
    description,
    active: z.boolean().describe('false stops deliveries (messages wait); true starts them again and clears why it was off'),
  }),
);

export const webhookSchema = z
  .object({
    id: z.number().int(),
    agencyId: z.number().int(),
    agencyName: z.string().nullable(),
    url: z.string(),
    events: z.array(z.enum(WEBHOOK_EVENTS)),
    description: z.string().nullable(),
    active: z.boolean(),
    disabledAt: instant.nullable(),
    disabledReason: z.string().nullable(),
    failingSince: instant.nullable().describe('the first failed attempt since the last delivered message'),
    deliveries: z.object({ pending: z.number().int(), delivered: z.number().int(), dead: z.number().int() }).describe('messages of this subscription by status'),
    createdAt: instant,
    updatedAt: instant,
  })
  .meta({ id: 'Webhook' });

export const webhookWithSecretSchema = webhookSchema
  .extend({
    secret: z.string().describe('whsec_… signing secret: shown this once, store it in the agency system'),
    previousSecretValidUntil: instant.optional().describe('after a rotation: messages are also signed with the previous secret until then'),
  })
  .meta({ id: 'WebhookWithSecret' });

export const webhookListQuery = z.object({
  agencyId: z.coerce.number().int().positive().max(2_147_483_647).optional(),
});
export const webhookList = z.object({ items: z.array(webhookSchema) }).meta({ id: 'WebhookList' });

export const deliverySchema = z
  .object({
    id: z.number().int(),
    webhookId: z.number().int(),
    msgId: z.string().describe('the webhook-id header: the same on every attempt (receivers deduplicate on it)'),
    eventType: z.string(),
    caseId: z.number().int().nullable(),
    eventId: z.number().int().nullable(),
    caseVersion: z.number().int().nullable(),
    eventAt: instant,
    status: z.enum(DELIVERY_STATUSES),
    attempts: z.number().int(),
    nextAttemptAt: instant.nullable().describe('pending: when it is tried (again)'),
    lastAttemptAt: instant.nullable(),
    lastStatus: z.number().int().nullable().describe('HTTP status of the last attempt; null when there was no answer'),
    lastError: z.string().nullable(),
    lastDurationMs: z.number().int().nullable(),
    deliveredAt: instant.nullable(),
    createdAt: instant,
  })
  .meta({ id: 'WebhookDelivery' });

export const deliveryQuery = z.object({
  status: z.enum(DELIVERY_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z
    .string()
    .regex(/^\d{1,15}$/, 'must be the nextCursor of the previous page')
    .optional(),
});
export const deliveryList = z
  .object({ items: z.array(deliverySchema), nextCursor: z.string().nullable() })
  .meta({ id: 'WebhookDeliveryList' });

export const testResultSchema = deliverySchema
  .extend({ outcome: z.enum(['delivered', 'failed', 'dead']).describe('what became of the ping (failed: it is tried again with backoff)') })
  .meta({ id: 'WebhookTestResult' });

export const deliveryParams = z.object({
  id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  deliveryId: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER),
});

export const redeliverDeadResult = z.object({ requeued: z.number().int().describe('dead messages put back in line') }).meta({ id: 'WebhookRedeliverResult' });

export const webhookRunResult = z
  .object({
    claimed: z.number().int(),
    delivered: z.number().int(),
    failed: z.number().int(),
    dead: z.number().int(),
    busy: z.number().int().describe('put back without an attempt, due again 30 s later: no DNS lookup was free (other webhook hosts answer slowly)'),
    released: z.number().int(),
    disabled: z.number().int(),
    interrupted: z.boolean(),
  })
  .meta({ id: 'WebhookRunResult' });
