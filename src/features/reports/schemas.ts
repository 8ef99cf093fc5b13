import { z } from 'zod';
import { PERIOD_PATTERN } from './period.js';

export const periodParam = z.object({
  period: z
    .string()
    .regex(new RegExp(PERIOD_PATTERN), 'must be a period: YYYY-MM, YYYY-Qn, YYYY-H1, YYYY-H2 or YYYY')
    .describe('Reporting period: YYYY-MM (month), YYYY-Qn (quarter), YYYY-H1/H2 (half-year) or YYYY (year)'),
});

export const reportQuery = z.object({
  revision: z.coerce.number().int().min(1).max(100000).optional().describe('A published revision; the latest when absent'),
  format: z
    .enum(['json', 'csv', 'xlsx'])
    .optional()
    .describe('csv is the same as Accept: text/csv, xlsx as Accept: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'),
});

export const rateSchema = z
  .object({
    numerator: z.number().int(),
    denominator: z.number().int(),
    value: z.number().nullable().describe('numerator / denominator, 4 decimals; null when the denominator is 0'),
  })
  .meta({ id: 'Rate' });

const countItem = z.object({ key: z.string().nullable(), label: z.string(), count: z.number().int() });

const groupRow = z.object({
  key: z.string().nullable(),
  label: z.string(),
  received: z.number().int(),
  resolved: z.number().int(),
  early: z.number().int(),
  onTime: z.number().int(),
  late: z.number().int(),
  withExtension: z.number().int(),
  onTimeRate: rateSchema,
  strictOnTimeRate: rateSchema,
  medianWorkingDays: z.number().nullable(),
  smallCell: z.boolean(),
});

export const reportSchema = z
  .object({
    period: z.string(),
    periodKind: z.enum(['month', 'quarter', 'half', 'year']),
    label: z.string(),
    from: z.string().describe('first local day'),
    to: z.string().describe('last local day (inclusive)'),
    revision: z.number().int(),
    methodVersion: z.string(),
    method: z.string().describe('the method in plain Vietnamese'),
    generatedAt: z.string().describe('= publishedAt, ISO 8601 with +07:00'),
    minCell: z.number().int().describe('cells with fewer answered cases are flagged smallCell and not ranked'),
    totals: z.object({
      received: z.object({
        total: z.number().int(),
        byChannel: z.array(countItem),
        byKind: z.array(countItem),
        byCategory: z.array(countItem),
        byAgency: z.array(countItem),
      }),
      resolved: z.object({ total: z.number().int(), early: z.number().int(), onTime: z.number().int(), late: z.number().int(), withExtension: z.number().int() }),
      onTimeRate: rateSchema.describe('(early + on time) / answered, against the deadline as extended'),
      strictOnTimeRate: rateSchema.describe('answered early or on time without any extension / answered'),
      openAtPeriodEnd: z.object({
        total: z.number().int(),
        withinDeadline: z.number().int(),
        overdue: z.number().int(),
        awaitingBusiness: z.number().int(),
      }),
      workingDaysToResolve: z.object({ count: z.number().int(), median: z.number().nullable(), p90: z.number().nullable() }),
      pauses: z.object({ count: z.number().int(), workingDays: z.number() }),
      extensions: z.object({ approved: z.number().int(), resolvedWithExtension: z.number().int() }),
      disputes: z.object({ count: z.number().int() }),
      satisfaction: z.object({ rated: z.number().int(), satisfied: z.number().int(), rate: rateSchema }),
    }),
    agencies: z.array(
      groupRow.extend({
        shortName: z.string().nullable(),
        openWithinDeadline: z.number().int(),
        overdue: z.number().int(),
        rank: z.number().int().nullable(),
      }),
    ),
    byCategory: z.array(groupRow),
    byChannel: z.array(groupRow),
    byKind: z.array(groupRow),
    cases: z.array(
      z.object({
        trackingCode: z.string(),
        kind: z.string(),
        category: z.string(),
        agency: z.string(),
        receivedAt: z.string(),
        resolvedAt: z.string(),
        outcome: z.enum(['early', 'on_time', 'late']),
        resolvedWithExtension: z.boolean(),
        workingDays: z.number(),
        publicAnswer: z.string().nullable(),
        businessName: z.string().nullable().describe('only when the business consented to publication'),
      }),
    ),
    revisionNote: z
      .string()
      .nullable()
      .optional()
      .describe("the publisher's note on why this revision was published (part of the hashed content; absent when none was given)"),
    chainHead: z
      .object({
        n: z.number().int().describe('checkpoint number'),
        seq: z.number().int().describe('every timeline event up to this place in the chain existed, unchanged, at publication'),
        hash: z.string().describe('hash of the event at seq'),
        at: z.string().describe('when the checkpoint was signed (ISO 8601, UTC)'),
        signature: z.string().describe('base64 Ed25519 signature of `pakn-checkpoint/1 n=<n> seq=<seq> hash=<hash> at=<at>`; public key at /api/v1/public/chain/head'),
      })
      .nullable()
      .optional()
      .describe('the signed head of the timeline at publication (revisions published before this existed have none)'),
  })
  .meta({ id: 'Report' });

const revisionMeta = z.object({
  revision: z.number().int(),
  methodVersion: z.string(),
  contentHash: z.string().describe('SHA-256 (hex) of the exact JSON text served'),
  publishedAt: z.string(),
});

export const reportListSchema = z
  .object({
    items: z.array(
      z.object({
        period: z.string(),
        label: z.string(),
        periodKind: z.enum(['month', 'quarter', 'half', 'year']),
        latest: revisionMeta,
        revisions: z.array(revisionMeta),
        links: z.object({ json: z.string(), csv: z.string(), html: z.string() }),
      }),
    ),
    nextCursor: z.string().nullable(),
  })
  .meta({ id: 'ReportList' });

export const reportListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z
    .string()
    .regex(new RegExp(PERIOD_PATTERN), 'must be a period (the nextCursor of the previous page)')
    .optional(),
});

/** POST …/publish: an optional note saying why (a correction, late answers); kept in the revision's JSON. */
export const publishBody = z
  .object({
    note: z
      .string()
      .trim()
      .min(1)
      .max(2000)
      .optional()
      .describe('why this revision is published: shown on the public page above the figures that changed'),
  })
  .strict()
  // no body at all is the same as {} (the scheduled and most manual publications)
  .nullish();

export const publishedSchema = z
  .object({
    period: z.string(),
    revision: z.number().int(),
    methodVersion: z.string(),
    contentHash: z.string(),
    publishedAt: z.string(),
    links: z.object({ json: z.string(), csv: z.string(), html: z.string() }),
  })
  .meta({ id: 'PublishedReport' });
