import { z } from 'zod';
import { CASE_STATUSES } from '../../domain/lifecycle.js';
import { CASE_KINDS } from '../../domain/sla.js';
import { CHANNELS } from '../intake/create-case.js';
import { MONTH_PATTERN, PERIOD_PATTERN } from '../reports/period.js';
import { rateSchema } from '../reports/schemas.js';
import { FINDINGS } from './service.js';

const isoDate = z.iso.date().describe('local date YYYY-MM-DD (Asia/Ho_Chi_Minh)');
const period = z.string().regex(new RegExp(PERIOD_PATTERN), 'must be YYYY-MM, YYYY-Qn, YYYY-H1, YYYY-H2 or YYYY');
const flag = z.enum(['true', 'false']);
/** an id of an integer column (agencies, categories) */
const INT_MAX = 2_147_483_647;
const format = z
  .enum(['json', 'csv', 'xlsx'])
  .optional()
  .describe('csv is the same as Accept: text/csv, xlsx as Accept: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');

export const onTimeQuery = z.object({
  from: isoDate.optional(),
  to: isoDate.optional().describe('last local day, inclusive'),
  period: period.optional().describe('instead of from/to'),
  groupBy: z.enum(['agency', 'category', 'kind', 'channel', 'month']).default('agency'),
  format,
});

const onTimeGroup = z.object({
  key: z.string().nullable().describe('agency or category code, channel, kind or YYYY-MM'),
  id: z.number().int().nullable().describe('agency or category id'),
  label: z.string(),
  resolved: z.number().int(),
  early: z.number().int(),
  onTime: z.number().int(),
  late: z.number().int(),
  withExtension: z.number().int(),
  onTimeRate: rateSchema.describe('extension-adjusted: (early + on time) / answered, against the deadline as extended'),
  strictOnTimeRate: rateSchema.describe('answered early or on time without any extension / answered'),
  medianWorkingDays: z.number().nullable(),
  p90WorkingDays: z.number().nullable(),
  smallCell: z.boolean(),
  cases: z.string().nullable().describe('the case list behind this row'),
});

export const onTimeSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    groupBy: z.string(),
    minCell: z.number().int(),
    total: onTimeGroup,
    groups: z.array(onTimeGroup),
  })
  .meta({ id: 'AuditOnTime' });

export const auditCasesQuery = z.object({
  from: isoDate.optional(),
  to: isoDate.optional(),
  period: period.optional(),
  dateField: z.enum(['received', 'resolved']).default('received').describe('which date from/to/period filter on'),
  answered: flag.optional().describe('answered cases (the denominator of the on-time rate)'),
  late: flag.optional(),
  overdue: flag.optional().describe('open now and past the resolve deadline'),
  paused: flag.optional().describe('had at least one pause waiting for the business'),
  extended: flag.optional(),
  disputed: flag.optional(),
  agencyId: z.coerce.number().int().positive().max(INT_MAX).optional(),
  categoryId: z.coerce.number().int().positive().max(INT_MAX).optional(),
  kind: z.enum(CASE_KINDS as [string, ...string[]]).optional(),
  channel: z.enum(CHANNELS).optional(),
  status: z.enum(CASE_STATUSES).optional(),
  outcome: z.enum(['early', 'on_time', 'late']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional().describe('nextCursor of the previous page'),
  format,
});

export const auditCaseSchema = z.object({
  id: z.number().int(),
  trackingCode: z.string(),
  kind: z.string(),
  priority: z.string(),
  channel: z.string(),
  status: z.string(),
  agencyId: z.number().int().nullable(),
  agency: z.string().nullable(),
  category: z.string().nullable(),
  categoryName: z.string().nullable(),
  receivedAt: z.string(),
  resolveDueAt: z.string(),
  resolvedAt: z.string().nullable(),
  closedAt: z.string().nullable(),
  outcome: z.string().nullable(),
  onTime: z.boolean().nullable(),
  strictOnTime: z.boolean().nullable(),
  resolvedWithExtension: z.boolean().nullable(),
  extensionsUsed: z.number().int(),
  pauses: z.number().int(),
  pausedWorkingDays: z.number(),
  workingDays: z.number().describe('office time from receipt to the answer (or closing, or now), net of pauses, in working days'),
  workingDaysUntil: z.enum(['resolved', 'closed', 'now']),
  overdueNow: z.boolean(),
  disputeCount: z.number().int(),
  rating: z.number().int().nullable(),
  reason: z.string().nullable(),
});

export const auditCasesSchema = z
  .object({
    range: z.object({ from: z.string(), to: z.string() }).nullable(),
    asOf: z.string(),
    summary: z.object({
      matching: z.number().int(),
      answered: z.number().int(),
      early: z.number().int(),
      onTime: z.number().int(),
      late: z.number().int(),
      onTimeRate: rateSchema,
      strictOnTimeRate: rateSchema,
      overdueNow: z.number().int(),
    }),
    items: z.array(auditCaseSchema),
    nextCursor: z.string().nullable(),
  })
  .meta({ id: 'AuditCaseList' });

export const sampleInput = z.object({
  agencyId: z.number().int().positive().max(INT_MAX),
  month: z.string().regex(new RegExp(MONTH_PATTERN), 'must be a month YYYY-MM'),
  size: z.number().int().min(1).max(500),
  seed: z
    .union([z.string().trim().min(1).max(200), z.number().int()])
    .transform((v) => String(v))
    .describe('any text or number; the same seed gives the same sample'),
});

const findingEnum = z.enum(FINDINGS);

export const sampleSchema = z
  .object({
    id: z.number().int(),
    agencyId: z.number().int(),
    agency: z.string().nullable(),
    month: z.string(),
    seed: z.string(),
    size: z.number().int(),
    drawn: z.number().int(),
    population: z.number().int().nullable(),
    createdAt: z.string(),
    createdBy: z.string().nullable(),
    method: z.string(),
    cases: z.array(
      z.object({
        caseId: z.number().int(),
        trackingCode: z.string(),
        outcome: z.string(),
        resolvedWithExtension: z.boolean(),
        resolvedAt: z.string(),
        statusNow: z.string().nullable(),
        finding: z
          .object({
            finding: findingEnum,
            label: z.string(),
            note: z.string().nullable(),
            reopened: z.boolean(),
            inspector: z.string().nullable(),
            at: z.string(),
          })
          .nullable(),
      }),
    ),
    reviewed: z.number().int(),
    onTimeRate: rateSchema.describe('sampled cases answered early or on time / sampled cases'),
    qualityAdjustedOnTimeRate: rateSchema.describe('sampled cases answered early or on time and with no finding other than ok / sampled cases'),
    findingsNotOk: z.number().int(),
  })
  .meta({ id: 'AuditSample' });

export const sampleListSchema = z.object({
  items: z.array(z.object({ id: z.number().int(), agencyId: z.number().int(), month: z.string(), seed: z.string(), size: z.number().int(), createdAt: z.string() })),
});

export const sampleListQuery = z.object({
  agencyId: z.coerce.number().int().positive().max(INT_MAX).optional(),
  month: z.string().regex(new RegExp(MONTH_PATTERN), 'must be a month YYYY-MM').optional(),
});

export const findingInput = z.object({
  caseId: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  finding: findingEnum,
  note: z.string().max(4000).nullish(),
  reopen: z.boolean().optional().describe('reopen the case on this finding (not with ok)'),
  reason: z.string().trim().min(1).max(2000).optional().describe('why it is reopened (internal); a text from the finding when absent'),
  publicText: z.string().trim().min(1).max(4000).optional(),
});

export const sampleIdParam = z.object({ id: z.coerce.number().int().positive().max(INT_MAX) });
