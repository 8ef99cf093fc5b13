import { z } from 'zod';
import { CASE_STATUSES, REJECT_REASONS, RESOLVE_REASONS } from '../../domain/lifecycle.js';
import { CASE_KINDS, DURATION_UNITS, PRIORITIES } from '../../domain/sla.js';
import { TEXT_MAX } from './effects.js';

const instant = z.string().describe('ISO 8601 with offset (Asia/Ho_Chi_Minh, +07:00)');
const nfc = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .overwrite((s) => s.normalize('NFC'));

// ---------------------------------------------------------------- the staff view of a case

export const staffCaseSchema = z
  .object({
    id: z.number().int(),
    trackingCode: z.string(),
    kind: z.string(),
    priority: z.string(),
    categoryId: z.number().int().nullable(),
    categoryName: z.string().nullable(),
    localityId: z.number().int().nullable(),
    localityName: z.string().nullable(),
    channel: z.string(),
    title: z.string(),
    content: z.string(),
    address: z.string().nullable(),
    submitter: z
      .object({
        businessName: z.string().nullable(),
        taxCode: z.string().nullable(),
        contactName: z.string().nullable(),
        phone: z.string().nullable(),
        email: z.string().nullable(),
      })
      .nullable()
      .describe('null when the reporter is hidden (confidential case, agency role) or unknown'),
    reporterHidden: z.boolean().describe('true: confidential case (tố cáo) seen by an agency role — "ẩn danh"'),
    consentPublishName: z.boolean(),
    confidential: z.boolean(),
    status: z.enum(CASE_STATUSES),
    statusLabel: z.string(),
    agencyId: z.number().int().nullable(),
    agencyName: z.string().nullable(),
    version: z.number().int().describe('send it back with every change (or as If-Match)'),
    receivedAt: instant,
    assignedAt: instant.nullable(),
    acceptDueAt: instant.nullable(),
    acceptedAt: instant.nullable().describe('acceptance by the current assignment'),
    firstAcceptedAt: instant
      .nullable()
      .describe('the first acceptance (thụ lý), kept when the case is returned and accepted again: khiếu nại and tố cáo count their resolution period from it'),
    resolveDueAt: instant,
    resolveDueProvisional: z
      .boolean()
      .describe(
        'true for a khiếu nại or tố cáo not accepted yet: resolveDueAt is the provisional latest deadline (acceptance deadline + the period); the deadline is fixed at acceptance',
      ),
    deadlineState: z.enum(['within_deadline', 'overdue']).nullable().describe('open cases only; a paused case keeps its state'),
    paused: z.boolean(),
    pausedAt: instant.nullable(),
    extensionsUsed: z.number().int(),
    resolvedAt: instant.nullable(),
    outcome: z.string().nullable().describe('early | on_time | late, set when resolved'),
    resolvedWithExtension: z.boolean().nullable(),
    closedAt: instant.nullable(),
    reason: z.string().nullable().describe('terminal or resolution reason code'),
    duplicateOfId: z.number().int().nullable(),
    publicAnswer: z.string().nullable(),
    lastPublicNote: z.string().nullable(),
    rating: z.number().int().nullable(),
    ratingComment: z.string().nullable(),
    disputeCount: z.number().int(),
    escalationLevel: z.number().int(),
    createdAt: instant,
    updatedAt: instant,
    allowedActions: z.array(z.string()).describe('actions the caller may take now (POST /api/v1/cases/{id}/{action})'),
  })
  .meta({ id: 'StaffCase' });

export const timelineEventSchema = z
  .object({
    id: z.number().int(),
    seq: z.number().int().nullable().describe('place in the hash chain; null for a moment after commit'),
    at: instant,
    actorUserId: z.number().int().nullable(),
    actorRole: z.string(),
    actorLabel: z.string().nullable(),
    action: z.string(),
    actionLabel: z.string(),
    fromStatus: z.string().nullable(),
    toStatus: z.string().nullable(),
    publicText: z.string().nullable(),
    internalText: z.string().nullable(),
    data: z.record(z.string(), z.unknown()).nullable(),
    prevHash: z.string().nullable(),
    hash: z.string().nullable(),
  })
  .meta({ id: 'TimelineEvent' });

export const timelineSchema = z.object({ caseId: z.number().int(), trackingCode: z.string(), items: z.array(timelineEventSchema) }).meta({ id: 'Timeline' });

// ---------------------------------------------------------------- queues and feed

const csvOf = <T extends readonly [string, ...string[]]>(values: T, what: string) =>
  z
    .string()
    .max(500)
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.enum(values)))
    .meta({ description: `comma-separated ${what}: ${values.join(', ')}` });

export const caseListQuery = z.object({
  status: csvOf(CASE_STATUSES, 'statuses').optional(),
  agency: z
    .union([z.literal('none'), z.coerce.number().int().positive().max(2_147_483_647)])
    .optional()
    .describe('agency id, or "none" for cases not assigned to any agency'),
  kind: csvOf(CASE_KINDS as unknown as [string, ...string[]], 'kinds').optional(),
  category: z.coerce.number().int().positive().max(2_147_483_647).optional(),
  overdue: z.enum(['true', 'false']).optional().describe('true: open and past the deadline; false: open and within it'),
  dueBefore: z.iso.datetime({ offset: true }).optional().describe('resolve deadline before this instant'),
  escalationLevel: z.coerce.number().int().min(0).max(100).optional().describe('at least this escalation level'),
  q: z.string().trim().max(200).optional().describe('words in title and content, accents ignored ("dat dai" finds "đất đai"), or a tracking code'),
  cursor: z.string().max(300).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

/** The work queue's compact item: the fields of StaffCase a list shows (views.ts toStaffListItem). */
export const staffCaseListItemSchema = staffCaseSchema
  .pick({
    id: true,
    trackingCode: true,
    kind: true,
    priority: true,
    categoryId: true,
    categoryName: true,
    localityId: true,
    localityName: true,
    channel: true,
    title: true,
    reporterHidden: true,
    confidential: true,
    status: true,
    statusLabel: true,
    agencyId: true,
    agencyName: true,
    version: true,
    receivedAt: true,
    acceptDueAt: true,
    resolveDueAt: true,
    resolveDueProvisional: true,
    deadlineState: true,
    paused: true,
    extensionsUsed: true,
    resolvedAt: true,
    outcome: true,
    escalationLevel: true,
    updatedAt: true,
    allowedActions: true,
  })
  .extend({ businessName: z.string().nullable().describe('the reporting business; null when the reporter is hidden (confidential case, agency role) or unknown') })
  .meta({
    id: 'StaffCaseListItem',
    description: 'A case as an item of the work queue: what a list shows. The content, contact details, answers and notes are in the full case (GET /api/v1/cases/{id}, StaffCase); the agency feed carries full cases.',
  });

export const caseListSchema = z
  .object({ items: z.array(staffCaseListItemSchema), nextCursor: z.string().nullable().describe('pass as cursor for the next page; null at the end') })
  .meta({ id: 'CaseList' });

export const feedQuery = z.object({
  updatedSince: z.iso.datetime({ offset: true }).optional().describe('cases changed at or after this instant (inclusive)'),
  cursor: z.string().max(300).optional().describe('nextCursor of the previous page (takes precedence over updatedSince)'),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

export const feedItemSchema = z
  .object({
    id: z.number().int(),
    trackingCode: z.string(),
    updatedAt: instant,
    version: z.number().int(),
    change: z.enum(['current', 'left_agency']).describe('left_agency: returned or reassigned; drop it from the agency system'),
    case: staffCaseSchema.nullable().describe('null when the case left the agency'),
  })
  .meta({ id: 'AgencyFeedItem' });

export const feedSchema = z
  .object({
    agencyId: z.number().int(),
    items: z.array(feedItemSchema),
    nextCursor: z.string().nullable().describe('poll again with this cursor; it stays valid when nothing new came'),
    serverTime: instant,
  })
  .meta({ id: 'AgencyFeed' });

// ---------------------------------------------------------------- action bodies

const common = {
  version: z.number().int().min(1).optional().describe('the case version you read (required unless If-Match is sent)'),
  updateId: z.string().trim().min(1).max(200).optional().describe('client-chosen id: a repeat is answered as the first and applied once'),
};
const internalText = nfc(TEXT_MAX).optional().describe('staff-only note; never shown to the business');
const publicTextOpt = nfc(TEXT_MAX).optional();
const reasonText = nfc(2000);

export const assignBody = z.object({
  ...common,
  agencyId: z.number().int().positive().max(2_147_483_647),
  priority: z.enum(PRIORITIES).optional(),
  internalText,
});
export const acceptBody = z.object({ ...common, priority: z.enum(PRIORITIES).optional(), internalText });
export const requestInfoBody = z.object({ ...common, publicText: nfc(TEXT_MAX).describe('the question to the business'), internalText });
export const resolveBody = z.object({
  ...common,
  reason: z.enum(RESOLVE_REASONS),
  publicText: nfc(TEXT_MAX).describe('the answer published to the business'),
  internalText,
});
export const returnBody = z.object({ ...common, reason: reasonText.describe('why the case is not for this agency (staff only)') });
export const rejectBody = z
  .object({
    ...common,
    reason: z.enum(REJECT_REASONS),
    duplicateOf: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional().describe('required with reason duplicate'),
    publicText: publicTextOpt.describe('explanation to the business (a standard text otherwise)'),
    internalText,
  })
  .refine((b) => b.reason !== 'duplicate' || b.duplicateOf !== undefined, { path: ['duplicateOf'], message: 'required when reason is duplicate' });
export const extendBody = z.object({
  ...common,
  amount: z.number().positive().max(1000),
  unit: z.enum(DURATION_UNITS).optional().describe("the policy's unit by default"),
  reason: reasonText.describe('shown to the business'),
  internalText,
});
export const noteBody = z
  .object({ ...common, publicText: publicTextOpt.describe('shown to the business'), internalText })
  .refine((b) => b.publicText !== undefined || b.internalText !== undefined, { path: ['publicText'], message: 'publicText or internalText is required' });
export const reopenBody = z.object({ ...common, reason: reasonText });
export const closeBody = z.object({ ...common, internalText });
export const mergeBody = z.object({
  ...common,
  duplicateOf: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).describe('the case kept'),
  publicText: publicTextOpt,
  internalText,
});

