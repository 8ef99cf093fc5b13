import { z } from 'zod';
import { patchSchema } from '../../lib/strict.js';
import { PAUSE_RULES, type CaseKind, type DurationUnit, type Priority, type ResolutionStart } from '../../domain/sla.js';

/** Years an admin may edit or ask about (the calendar itself supports 1900–2200). */
export const MIN_EDIT_YEAR = 2000;
export const MAX_EDIT_YEAR = 2100;

export const KIND_LABEL_VI: Record<CaseKind, string> = {
  phan_anh: 'phản ánh',
  kien_nghi: 'kiến nghị',
  to_cao: 'tố cáo',
  khieu_nai: 'khiếu nại',
};
export const PRIORITY_LABEL_VI: Record<Priority, string> = {
  urgent: 'khẩn',
  normal: 'thông thường',
  complex: 'phức tạp',
};

const KINDS = ['phan_anh', 'kien_nghi', 'to_cao', 'khieu_nai'] as const satisfies readonly CaseKind[];
const PRIOS = ['urgent', 'normal', 'complex'] as const satisfies readonly Priority[];
const UNITS = ['working_days', 'calendar_days', 'working_hours'] as const satisfies readonly DurationUnit[];
const kind = z.enum(KINDS);
const priority = z.enum(PRIOS);
const unit = z.enum(UNITS);
const STARTS = ['receipt', 'acceptance'] as const satisfies readonly ResolutionStart[];
const resolutionStartsAt = z
  .enum(STARTS)
  .describe('where the resolution clock starts: receipt, or acceptance (thụ lý; khiếu nại: Luật Khiếu nại 2011 Điều 28, tố cáo: Luật Tố cáo 2018 Điều 30)');
const pauseRule = z
  .enum(PAUSE_RULES)
  .describe(
    'how a pause (awaiting_business) moves the resolve deadline. by_unit: working-day deadlines move by the working days that ended while paused (paused Mon 10:00, resumed Wed 09:00: +2; paused and resumed the same day: +0), calendar-day deadlines by the calendar days that ended while paused, working-hour deadlines by the paused office time rounded down to whole minutes. working_time (policies before this rule): the paused office time is added whatever the unit',
  );
const positiveId = z.coerce.number().int().positive().max(2_147_483_647);
/** An ISO 8601 instant with its offset, as every API date is: "2026-02-12T10:00:00+07:00". */
const isoInstant = z.string().describe('ISO 8601 with offset (+07:00)');

// ---------------------------------------------------------------- calendar

export const yearParam = z.object({
  year: z.coerce.number().int().min(MIN_EDIT_YEAR).max(MAX_EDIT_YEAR).describe(`${MIN_EDIT_YEAR}–${MAX_EDIT_YEAR}`),
});

const dayEntryInput = z.object({
  date: z.iso.date().describe('YYYY-MM-DD, inside the year of the path'),
  name: z.string().trim().min(1).max(200),
});

export const calendarYearInput = z.object({
  holidays: z.array(dayEntryInput).max(120).describe('every day off, weekend days inside a holiday range included'),
  workingSaturdays: z.array(dayEntryInput).max(30).default([]).describe('make-up working Saturdays'),
  note: z.string().trim().max(1000).nullish().describe('e.g. the number of the Prime Minister\'s notice'),
});

const dayEntry = z.object({ date: z.string(), name: z.string() });
const officePeriod = z.object({ start: z.string(), end: z.string() });

export const calendarYearSchema = z
  .object({
    year: z.number().int(),
    generated: z.boolean().describe('true: no table is stored for this year; these are the Labour Code defaults'),
    stored: z.boolean(),
    holidays: z.array(dayEntry),
    workingSaturdays: z.array(dayEntry),
    note: z.string().nullable(),
    updatedAt: isoInstant.nullable(),
    updatedBy: z.number().int().nullable(),
    officeHours: z.array(officePeriod),
    workingDays: z.number().int().describe('working days in the year by this table'),
  })
  .meta({ id: 'CalendarYear' });

export const calendarEditResult = calendarYearSchema
  .extend({
    recomputed: z.object({
      openCasesChecked: z.number().int(),
      deadlinesMoved: z.number().int(),
    }),
  })
  .meta({ id: 'CalendarYearEdited' });

export const calendarYearList = z.object({
  items: z.array(
    z.object({
      year: z.number().int(),
      generated: z.boolean(),
      holidays: z.number().int(),
      workingSaturdays: z.number().int(),
      note: z.string().nullable(),
      updatedAt: isoInstant,
    }),
  ),
  officeHours: z.array(officePeriod),
});

// ---------------------------------------------------------------- SLA policies

const durationSchema = z.object({ amount: z.number(), unit });

const durationInput = z
  .object({
    amount: z.number().positive().max(3650),
    unit,
  })
  .superRefine((d, ctx) => {
    if (d.unit !== 'working_hours' && !Number.isInteger(d.amount)) {
      ctx.addIssue({ code: 'custom', path: ['amount'], message: 'days must be a whole number' });
    }
    if (d.unit === 'working_hours' && Math.round(d.amount * 60) !== d.amount * 60) {
      ctx.addIssue({ code: 'custom', path: ['amount'], message: 'hours must be whole minutes' });
    }
  });

const extensionInput = z
  .object({
    maxCount: z.number().int().min(0).max(10),
    maxAmount: z.number().min(0).max(3650),
    unit,
  })
  .superRefine((e, ctx) => {
    if (e.maxCount > 0 && e.maxAmount <= 0) {
      ctx.addIssue({ code: 'custom', path: ['maxAmount'], message: 'must be positive when extensions are allowed' });
    }
    if (e.unit !== 'working_hours' && !Number.isInteger(e.maxAmount)) {
      ctx.addIssue({ code: 'custom', path: ['maxAmount'], message: 'days must be a whole number' });
    }
  });

export const slaPolicyInput = z.object({
  kind,
  priority,
  categoryId: positiveId.nullish().describe('a category-specific policy; omit for the policy of the kind × priority'),
  acceptWithin: durationInput.optional(),
  resolveWithin: durationInput.optional(),
  warnBefore: durationInput.optional(),
  extension: extensionInput.optional(),
  overdueEscalateAfter: durationInput.optional(),
  awaitingBusinessLimit: durationInput.optional(),
  resolutionStartsAt: resolutionStartsAt.optional(),
  pauseRule: pauseRule.optional(),
  note: z.string().trim().max(500).nullish(),
});

export const slaPolicySchema = z
  .object({
    id: z.number().int(),
    kind,
    priority,
    categoryId: z.number().int().nullable(),
    version: z.number().int(),
    active: z.boolean(),
    acceptWithin: durationSchema,
    resolveWithin: durationSchema,
    warnBefore: durationSchema,
    extension: z.object({ maxCount: z.number().int(), maxAmount: z.number(), unit }),
    overdueEscalateAfter: durationSchema,
    awaitingBusinessLimit: durationSchema,
    resolutionStartsAt,
    pauseRule,
    effectiveFrom: isoInstant,
    supersededAt: isoInstant.nullable(),
    createdBy: z.number().int().nullable(),
    description: z.string().describe('the policy in Vietnamese'),
  })
  .meta({ id: 'SlaPolicy' });

export const slaPolicyQuery = z.object({
  all: z.enum(['true', 'false', '1', '0']).optional().describe('true: every version, superseded ones included'),
  kind: kind.optional(),
  priority: priority.optional(),
  categoryId: positiveId.optional(),
});

/** The policy as frozen onto a case (the domain's SlaPolicy). */
export const frozenPolicySchema = z
  .object({
    kind: z.string(),
    priority: z.string(),
    categoryId: z.number().int().nullable().optional(),
    version: z.number().int(),
    acceptWithin: durationSchema,
    resolveWithin: durationSchema,
    warnBefore: durationSchema,
    extension: z.object({ maxCount: z.number().int(), maxAmount: z.number(), unit }),
    overdueEscalateAfter: durationSchema,
    awaitingBusinessLimit: durationSchema,
    resolutionStartsAt: resolutionStartsAt.describe('where the resolution clock starts (a policy frozen before this field existed counts from receipt)'),
    pauseRule: pauseRule.optional().describe('absent on policies frozen before pause rules existed: working_time'),
  })
  .meta({ id: 'FrozenSlaPolicy' });

// ---------------------------------------------------------------- routing rules

export const routingRuleInput = z.object({
  position: z.number().int().min(0).max(1_000_000).optional().describe('evaluation order, ascending; default: after the last rule'),
  kind: kind.nullish().describe('null: any kind'),
  categoryId: positiveId.nullish().describe('null: any category'),
  localityId: positiveId.nullish().describe('null: any locality'),
  agencyId: positiveId,
  active: z.boolean().default(true),
  note: z.string().trim().max(500).nullish(),
});
export const routingRulePatch = patchSchema(routingRuleInput);

export const routingRuleSchema = z
  .object({
    id: z.number().int(),
    position: z.number().int(),
    kind: z.string().nullable(),
    categoryId: z.number().int().nullable(),
    localityId: z.number().int().nullable(),
    agencyId: z.number().int(),
    agencyName: z.string().nullable(),
    active: z.boolean(),
    note: z.string().nullable(),
    createdAt: isoInstant,
  })
  .meta({ id: 'RoutingRule' });

export const routingTestInput = z.object({
  kind,
  categoryId: positiveId.nullish(),
  localityId: positiveId.nullish(),
});
export const routingTestResult = z
  .object({
    routed: z.boolean(),
    rule: routingRuleSchema.nullable(),
    agency: z.object({ id: z.number().int(), name: z.string() }).nullable(),
    text: z.string(),
  })
  .meta({ id: 'RoutingTestResult' });

// ---------------------------------------------------------------- deadlines

export const explanationStep = z
  .object({
    kind: z.enum(['start', 'rule', 'skip', 'pause', 'extension', 'result', 'note']),
    text: z.string(),
    at: z.string().optional(),
    data: z.record(z.string(), z.unknown()).optional(),
  })
  .meta({ id: 'SlaExplanationStep' });

export const SLA_STATES = ['within_deadline', 'overdue', 'early', 'on_time', 'late', 'not_applicable'] as const;

export const caseSlaSchema = z
  .object({
    caseId: z.number().int(),
    trackingCode: z.string(),
    status: z.string(),
    policy: frozenPolicySchema,
    receivedAt: isoInstant,
    effectiveStart: isoInstant,
    assignedAt: isoInstant.nullable(),
    acceptDueAt: isoInstant.nullable().describe('accept deadline of the current assignment'),
    acceptedAt: isoInstant.nullable().describe('acceptance by the current assignment'),
    firstAcceptedAt: isoInstant.nullable().describe('the first acceptance (thụ lý), kept through returns: an acceptance-started resolution clock counts from it'),
    resolutionStartsAt,
    resolveDueProvisional: z
      .boolean()
      .describe('true while an acceptance-started case is not accepted: resolveDueAt is the provisional latest deadline (acceptance deadline + the period)'),
    baseResolveDueAt: isoInstant.describe('by the policy alone, before pauses and extensions'),
    resolveDueAt: isoInstant.describe('the deadline in force (stored on the case)'),
    projectedResolveDueAt: isoInstant.describe('the deadline as computed now (counts an open pause up to now)'),
    pausedWorkingMs: z.number(),
    pausedSince: isoInstant.nullable(),
    pauses: z.array(z.object({ start: isoInstant, end: isoInstant.nullable() })),
    extensions: z.array(
      z.object({ amount: z.number(), unit, reason: z.string(), at: isoInstant, previousDueAt: isoInstant, newDueAt: isoInstant }),
    ),
    extensionsUsed: z.number().int(),
    extensionsAllowed: z.number().int(),
    resolvedAt: isoInstant.nullable(),
    outcome: z.string().nullable(),
    resolvedWithExtension: z.boolean().nullable(),
    state: z.enum(SLA_STATES),
    explanation: z.array(explanationStep),
    text: z.string().describe('one paragraph in Vietnamese'),
  })
  .meta({ id: 'CaseSla' });

export const publicDeadlineQuery = z.object({
  receivedAt: z
    .preprocess(
      // a "+" in a query string arrives as a space: "2026-02-12T10:00:00 07:00"
      (v) => (typeof v === 'string' ? v.trim().replace(/^(.*T[\d:.]+) (\d{2}:?\d{2})$/, '$1+$2') : v),
      z.iso.datetime({ offset: true, local: true }),
    )
    .optional()
    .describe('ISO 8601 date and time, e.g. 2026-02-12T10:00:00+07:00 (without an offset: Hà Nội time); default: now'),
  acceptedAt: z
    .preprocess(
      (v) => (typeof v === 'string' ? v.trim().replace(/^(.*T[\d:.]+) (\d{2}:?\d{2})$/, '$1+$2') : v),
      z.iso.datetime({ offset: true }),
    )
    .optional()
    .describe(
      'acceptance (thụ lý), ISO 8601 with offset, not before receivedAt. For khiếu nại and tố cáo the resolution deadline counts from it; without it the answer gives the provisional latest one. Changes nothing for kinds counted from receipt',
    ),
  kind,
  priority: priority.default('normal'),
  categoryId: positiveId.optional(),
});

export const publicDeadlineSchema = z
  .object({
    receivedAt: isoInstant,
    kind,
    priority,
    categoryId: z.number().int().nullable(),
    policy: z.object({
      version: z.number().int(),
      categorySpecific: z.boolean(),
      acceptWithin: durationSchema,
      resolveWithin: durationSchema,
      extension: z.object({ maxCount: z.number().int(), maxAmount: z.number(), unit }),
      resolutionStartsAt,
      description: z.string(),
    }),
    effectiveStart: isoInstant,
    acceptDueAt: isoInstant.describe('if the case is assigned to an agency on receipt'),
    acceptedAt: isoInstant.nullable().describe('the acceptance asked about (acceptedAt), or null'),
    resolveDueAt: isoInstant.describe('the resolution deadline; provisional (the latest possible) when resolveDueProvisional'),
    resolveDueProvisional: z
      .boolean()
      .describe('true for an acceptance-started kind asked without acceptedAt: resolveDueAt is the latest, if accepted on the last day of acceptDueAt'),
    calendar: z.object({
      officeHours: z.array(officePeriod),
      years: z.array(z.object({ year: z.number().int(), generated: z.boolean() })),
    }),
    explanation: z.array(explanationStep),
    text: z.string().describe('one paragraph in Vietnamese'),
  })
  .meta({ id: 'PublicDeadline' });
