/**
 * What each action does to a case: the EFFECTS table, one entry per lifecycle action, each
 * returning the patch of the case row, the texts and data of its timeline event, the events on
 * other cases, and the mail (workflow.ts writes them). Also the input the actions take and the
 * checks of its texts.
 */
import type { Tx } from '../../db/client.js';
import type { cases } from '../../db/schema.js';
import { localDate, type WorkingCalendar } from '../../domain/calendar.js';
import { disputeDeadline, REASON_LABEL_VI, type Action, type CaseStatus, type TerminalReason } from '../../domain/lifecycle.js';
import {
  canExtend,
  classifyOutcome,
  computeAcceptDueAt,
  computeResolveDueAt,
  describeDuration,
  DURATION_UNITS,
  findPolicy,
  formatInstantVi,
  resolutionStart,
  type CaseKind,
  type DurationUnit,
  type Extension,
  type Priority,
  type SlaPolicy,
} from '../../domain/sla.js';
import { Conflict, fieldError } from '../../lib/errors.js';
import type { Actor } from '../../domain/roles.js';
import type { ClockService } from '../clock/service.js';
import type { OutgoingMessage } from '../notifications/outbox.js';
import { answerPublishedMessage, assignmentMessage, infoRequestMessage, mergedAnswerMessage, staffMailCase } from '../notifications/templates.js';
import { readSiteInfo } from '../settings/repository.js';
import type { NewEvent } from '../timeline/repository.js';
import { storeAttachments, type CheckedFile } from '../intake/attachments.js';
import { clockStart, frozenPolicy, isProvisional, loadSlaInputs, type CaseRow, type ClockRow } from './deadlines.js';
import * as repo from './repository.js';

/** Who acts on a case. Public actions are called after the caller checked the access key. */
export type CaseActor = { kind: 'staff'; actor: Actor } | { kind: 'public' } | { kind: 'system'; label: string };

export interface ActionInput {
  /** the case version the caller saw: checked when given (the staff API always requires it) */
  version?: number;
  /** client-chosen id of this update: a repeat is answered as the first and applied once */
  updateId?: string;
  agencyId?: number;
  /** a reason code (resolve, reject, merge) or a reason text (return, extend, reopen) */
  reason?: string;
  duplicateOf?: number;
  publicText?: string;
  internalText?: string;
  amount?: number;
  unit?: DurationUnit;
  rating?: number;
  comment?: string;
  priority?: Priority;
  /** inspector reopening a case on an audit finding */
  onFinding?: boolean;
  /** files sent with a business's reply, already checked (type by content, size, count) */
  files?: CheckedFile[];
}

export const TEXT_MAX = 10_000;
export const COMMENT_MAX = 2_000;

/** The text NFC-normalised and trimmed; null when nothing is left. */
export const text = (s: string | undefined | null): string | null => {
  const t = s?.normalize('NFC').trim();
  return t ? t : null;
};

export function requireText(field: string, value: string | undefined | null, max = TEXT_MAX): string {
  const t = text(value);
  if (!t) throw fieldError(field, 'is required');
  if (t.length > max) throw fieldError(field, `must be at most ${max} characters`);
  return t;
}
export function optionalText(field: string, value: string | undefined | null, max = TEXT_MAX): string | null {
  const t = text(value);
  if (t && t.length > max) throw fieldError(field, `must be at most ${max} characters`);
  return t;
}

/** Who the timeline event names as its author. */
export function actorFields(who: CaseActor): Pick<NewEvent, 'actorUserId' | 'actorRole' | 'actorLabel'> {
  if (who.kind === 'staff') return { actorUserId: who.actor.userId, actorRole: who.actor.role, actorLabel: who.actor.name };
  if (who.kind === 'public') return { actorUserId: null, actorRole: 'public', actorLabel: null };
  return { actorUserId: null, actorRole: 'system', actorLabel: who.label };
}

/** Everything an effect reads: the locked case (and a merge's other case), the caller, the input, the time. */
export interface Ctx {
  tx: Tx;
  c: CaseRow;
  who: CaseActor;
  input: ActionInput;
  now: Date;
  calendar: WorkingCalendar;
  to: CaseStatus;
  reason?: TerminalReason;
  locked: Map<number, CaseRow>;
}

/** What one action changes: the case row, extra rows, events, mail. */
export interface Effect {
  patch: Partial<typeof cases.$inferInsert>;
  publicText?: string | null;
  internalText?: string | null;
  data?: Record<string, unknown>;
  /** events on other cases (the case kept by a merge) */
  otherEvents?: NewEvent[];
  touch?: number[];
  messages?: OutgoingMessage[];
}

const agencyName = async (ctx: Ctx) => (ctx.c.agencyId != null ? ((await repo.getAgency(ctx.tx, ctx.c.agencyId))?.name ?? null) : null);
const staffName = (who: CaseActor) => (who.kind === 'staff' ? who.actor.name : who.kind === 'system' ? who.label : 'Doanh nghiệp');

/**
 * The resolve deadline under `policy` from the case's clock (receipt, first acceptance, acceptance
 * deadline; `over` replaces what the action changes), its closed pauses, its extensions and `extra`.
 */
async function resolveDue(ctx: Ctx, policy: SlaPolicy, over: Partial<ClockRow> = {}, extra: Extension[] = []): Promise<Date> {
  const { pauses, extensions } = await loadSlaInputs(ctx.tx, ctx.c.id);
  return computeResolveDueAt(ctx.calendar, {
    policy,
    ...clockStart({ ...ctx.c, ...over }),
    pauses: pauses.filter((p) => p.end != null),
    extensions: [...extensions, ...extra],
  });
}

async function duplicateTarget(ctx: Ctx): Promise<CaseRow> {
  const id = ctx.input.duplicateOf;
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id <= 0) throw fieldError('duplicateOf', 'is required');
  if (id === ctx.c.id) throw fieldError('duplicateOf', 'a case cannot duplicate itself');
  const kept = ctx.locked.get(id);
  if (!kept) throw fieldError('duplicateOf', `case ${id} does not exist`);
  if (kept.status === 'rejected' || kept.status === 'withdrawn') {
    const hint = kept.duplicateOfId ? `; merge into case ${kept.duplicateOfId} instead` : '';
    throw fieldError('duplicateOf', `case ${id} is ${kept.status}${hint}`);
  }
  return kept;
}

async function rejectEffect(ctx: Ctx, merge: boolean): Promise<Effect> {
  const { c, input, now } = ctx;
  const reason = ctx.reason as TerminalReason;
  const internalText = optionalText('internalText', input.internalText);
  let publicText = optionalText('publicText', input.publicText);
  const patch: Partial<typeof cases.$inferInsert> = { reason, closedAt: now };
  const effect: Effect = { patch, internalText, data: { reason } };
  if (reason === 'duplicate') {
    const kept = await duplicateTarget(ctx);
    patch.duplicateOfId = kept.id;
    publicText ??= `Nội dung trùng với hồ sơ ${kept.trackingCode}; hồ sơ được gộp để xử lý chung trong hồ sơ ${kept.trackingCode}.`;
    effect.data = { reason, duplicateOf: kept.id, duplicateOfTrackingCode: kept.trackingCode };
    effect.otherEvents = [
      {
        caseId: kept.id,
        at: now,
        ...actorFields(ctx.who),
        action: 'note',
        fromStatus: kept.status,
        toStatus: kept.status,
        publicText: null,
        internalText: `Hồ sơ ${c.trackingCode} có cùng nội dung đã được gộp vào hồ sơ này${merge ? '' : ' (từ chối vì trùng lặp)'}.`,
        data: { mergedCaseId: c.id, mergedTrackingCode: c.trackingCode },
      },
    ];
    effect.touch = [kept.id];
  }
  publicText ??= `Hồ sơ không được tiếp nhận xử lý. Lý do: ${REASON_LABEL_VI[reason]}.`;
  patch.lastPublicNote = publicText;
  effect.publicText = publicText;
  return effect;
}

/** Reopened (dispute, reopen): open again, the earlier resolution stays in the timeline. */
const reopenPatch = (): Partial<typeof cases.$inferInsert> => ({
  resolvedAt: null,
  outcome: null,
  resolvedWithExtension: null,
  reason: null,
  closedAt: null,
});
const previousResolution = (c: CaseRow) => ({
  previousStatus: c.status,
  previousOutcome: c.outcome,
  previousResolvedAt: c.resolvedAt?.toISOString() ?? null,
  previousReason: c.reason,
  resolvedWithExtension: c.resolvedWithExtension,
});

export interface EffectDeps {
  clockService: Pick<ClockService, 'loadPolicies'>;
  /** the site address used in mail links */
  baseUrl: string;
}

/** The effects table, with the services its entries use. */
export function createEffects(deps: EffectDeps): Record<Action, (ctx: Ctx) => Promise<Effect>> {
  const { clockService } = deps;

  /** A priority set at assignment or acceptance takes that priority's policy for the case's kind. */
  async function priorityChange(ctx: Ctx, over: Partial<ClockRow> = {}): Promise<{ patch: Partial<typeof cases.$inferInsert>; policy: SlaPolicy; data?: Record<string, unknown> }> {
    const { c, input, tx } = ctx;
    const current = frozenPolicy(c);
    if (input.priority === undefined || input.priority === c.priority) return { patch: {}, policy: current };
    const policies = await clockService.loadPolicies(tx);
    const policy = findPolicy(policies, c.kind as CaseKind, input.priority, c.categoryId) as (SlaPolicy & { id?: number }) | undefined;
    if (!policy) throw fieldError('priority', `no SLA policy for ${c.kind}/${input.priority}`);
    const resolveDueAt = await resolveDue(ctx, policy, over);
    return {
      patch: { priority: input.priority, slaPolicy: policy as unknown as Record<string, unknown>, slaPolicyId: policy.id ?? null, resolveDueAt },
      policy,
      data: { priority: { from: c.priority, to: input.priority }, policyVersion: policy.version, resolveDueAt: resolveDueAt.toISOString(), previousResolveDueAt: c.resolveDueAt.toISOString() },
    };
  }

  const EFFECTS: Record<Action, (ctx: Ctx) => Promise<Effect>> = {
    async assign(ctx) {
      const { c, input, tx, now } = ctx;
      if (input.agencyId === undefined || input.agencyId === null) throw fieldError('agencyId', 'is required');
      const agency = await repo.getAgency(tx, input.agencyId);
      if (!agency) throw fieldError('agencyId', `agency ${input.agencyId} does not exist`);
      const today = localDate(now);
      if ((agency.activeTo && agency.activeTo < today) || (agency.activeFrom && agency.activeFrom > today)) {
        throw fieldError('agencyId', `agency ${input.agencyId} is not active on ${today}`);
      }
      if (agency.id === c.agencyId) throw fieldError('agencyId', `the case is already with agency ${agency.id}`);
      const pr = await priorityChange(ctx);
      const acceptDueAt = computeAcceptDueAt(ctx.calendar, pr.policy, now);
      let resolveDueAt = (pr.patch.resolveDueAt as Date | undefined) ?? c.resolveDueAt;
      // not accepted yet under an acceptance-started policy: the provisional deadline follows this acceptance deadline
      const provisional = resolutionStart(pr.policy) === 'acceptance' && c.firstAcceptedAt == null;
      if (provisional) resolveDueAt = await resolveDue(ctx, pr.policy, { acceptDueAt });
      const previous = c.agencyId != null ? await repo.getAgency(tx, c.agencyId) : undefined;
      return {
        patch: { ...pr.patch, agencyId: agency.id, assignedAt: now, acceptDueAt, acceptedAt: null, resolveDueAt },
        publicText: `Đã chuyển đến ${agency.name} để xử lý.`,
        internalText: optionalText('internalText', input.internalText) ?? (previous ? `Chuyển từ ${previous.name} sang ${agency.name}.` : null),
        data: {
          agencyId: agency.id,
          fromAgencyId: c.agencyId,
          acceptDueAt: acceptDueAt.toISOString(),
          ...(pr.data ?? {}),
          ...(provisional ? { resolveDueAt: resolveDueAt.toISOString(), resolveDueProvisional: true } : {}),
        },
        messages: [
          {
            template: 'assignment',
            caseId: c.id,
            to: agency.contactEmails,
            ...assignmentMessage({ ...staffMailCase(c), trackingCode: c.trackingCode, agencyName: agency.name, acceptDueAt, resolveDueAt, resolveDueProvisional: provisional, baseUrl: deps.baseUrl, site: await readSiteInfo(ctx.tx) }),
          },
        ],
      };
    },

    async accept(ctx) {
      const { c, now } = ctx;
      // the thụ lý: the first acceptance stays the case's, through returns and acceptance by another agency
      const firstAcceptedAt = c.firstAcceptedAt ?? now;
      const pr = await priorityChange(ctx, { firstAcceptedAt });
      const name = await agencyName(ctx);
      const starts = c.firstAcceptedAt == null && resolutionStart(pr.policy) === 'acceptance';
      let resolveDueAt = (pr.patch.resolveDueAt as Date | undefined) ?? c.resolveDueAt;
      if (starts && pr.patch.resolveDueAt === undefined) resolveDueAt = await resolveDue(ctx, pr.policy, { firstAcceptedAt });
      return {
        patch: { ...pr.patch, acceptedAt: now, firstAcceptedAt, resolveDueAt },
        publicText: starts
          ? `${name ?? 'Cơ quan xử lý'} đã thụ lý và đang giải quyết. Hạn giải quyết, tính từ ngày thụ lý: ${formatInstantVi(resolveDueAt)}.`
          : `${name ?? 'Cơ quan xử lý'} đã tiếp nhận và đang xử lý.`,
        internalText: optionalText('internalText', ctx.input.internalText),
        data: {
          acceptDueAt: c.acceptDueAt?.toISOString() ?? null,
          acceptedLate: c.acceptDueAt ? now > c.acceptDueAt : false,
          ...(pr.data ?? {}),
          ...(starts ? { resolutionStarted: true, previousResolveDueAt: c.resolveDueAt.toISOString(), resolveDueAt: resolveDueAt.toISOString() } : {}),
        },
      };
    },

    async request_info(ctx) {
      const { c, input, tx, now } = ctx;
      const question = requireText('publicText', input.publicText);
      await repo.openPause(tx, c.id, now, 'request_info');
      const name = await agencyName(ctx);
      const site = c.email ? await readSiteInfo(ctx.tx) : null;
      const limit = frozenPolicy(c).awaitingBusinessLimit;
      return {
        patch: { pausedAt: now, lastPublicNote: question },
        publicText: question,
        internalText: optionalText('internalText', input.internalText),
        data: { pausedAt: now.toISOString(), resolveDueAt: c.resolveDueAt.toISOString() },
        messages: c.email
          ? [
              {
                template: 'info_request',
                caseId: c.id,
                to: [c.email],
                ...infoRequestMessage({
                  trackingCode: c.trackingCode,
                  title: c.title,
                  question,
                  agencyName: name,
                  replyWithin: limit ? describeDuration(limit) : null,
                  baseUrl: deps.baseUrl,
                  site,
                }),
              },
            ]
          : [],
      };
    },

    async reply(ctx) {
      const { c, input, tx, now } = ctx;
      const answer = requireText('publicText', input.publicText);
      const pause = await repo.closeOpenPause(tx, c.id, now);
      const resolveDueAt = await resolveDue(ctx, frozenPolicy(c));
      // files sent with the reply: stored with the case in this transaction, named by id on the event
      const attachmentIds = await storeAttachments(tx, c.id, input.files ?? [], now);
      return {
        patch: { pausedAt: null, resolveDueAt },
        publicText: 'Doanh nghiệp đã bổ sung thông tin; thời hạn giải quyết được tính tiếp.',
        internalText: answer,
        data: {
          ...(attachmentIds.length > 0 ? { attachmentIds } : {}),
          pausedFrom: (pause?.startedAt ?? c.pausedAt)?.toISOString() ?? null,
          pausedTo: now.toISOString(),
          previousResolveDueAt: c.resolveDueAt.toISOString(),
          resolveDueAt: resolveDueAt.toISOString(),
        },
      };
    },

    async resolve(ctx) {
      const { c, input, now } = ctx;
      const answer = requireText('publicText', input.publicText);
      const outcome = classifyOutcome(now, c.resolveDueAt);
      const withExtension = c.extensionsUsed > 0;
      const name = await agencyName(ctx);
      const site = await readSiteInfo(ctx.tx);
      // the businesses of cases merged into this one learn the answer too (on their own timeline)
      const merged = await repo.mergedDuplicates(ctx.tx, c.id);
      const otherEvents: NewEvent[] = merged.map((d) => ({
        caseId: d.id,
        at: now,
        ...actorFields(ctx.who),
        action: 'note',
        fromStatus: d.status,
        toStatus: d.status,
        publicText: `Kết quả giải quyết hồ sơ ${c.trackingCode} (được gộp cùng hồ sơ này): ${answer}`,
        internalText: null,
        data: { keptCaseId: c.id, keptTrackingCode: c.trackingCode },
      }));
      const mergedMail: OutgoingMessage[] = merged
        .filter((d) => d.email)
        .map((d) => ({
          template: 'merged_answer',
          caseId: d.id,
          to: [d.email!],
          ...mergedAnswerMessage({ trackingCode: d.trackingCode, title: d.title, keptTrackingCode: c.trackingCode, answer, agencyName: name, baseUrl: deps.baseUrl, site }),
        }));
      return {
        otherEvents,
        patch: { resolvedAt: now, outcome, resolvedWithExtension: withExtension, reason: ctx.reason, publicAnswer: answer, lastPublicNote: answer, closedAt: null },
        publicText: answer,
        internalText: optionalText('internalText', input.internalText),
        data: { reason: ctx.reason, outcome, resolveDueAt: c.resolveDueAt.toISOString(), resolvedWithExtension: withExtension, round: c.disputeCount + 1 },
        messages: c.email
          ? [
              {
                template: 'answer',
                caseId: c.id,
                to: [c.email],
                ...answerPublishedMessage({ trackingCode: c.trackingCode, title: c.title, answer, agencyName: name, disputeUntil: disputeDeadline(now), baseUrl: deps.baseUrl, site }),
              },
              ...mergedMail,
            ]
          : mergedMail,
      };
    },

    async return(ctx) {
      const { c, input, who } = ctx;
      const why = requireText('reason', input.reason ?? input.internalText);
      const name = await agencyName(ctx);
      // not accepted yet: the provisional deadline goes back to the acceptance deadline counted from receipt
      const provisional = isProvisional(c);
      const resolveDueAt = provisional ? await resolveDue(ctx, frozenPolicy(c), { acceptDueAt: null }) : c.resolveDueAt;
      return {
        patch: { agencyId: null, assignedAt: null, acceptDueAt: null, acceptedAt: null, resolveDueAt },
        publicText: provisional
          ? 'Hồ sơ đang được chuyển lại để phân công cơ quan xử lý phù hợp; thời hạn giải quyết tính từ ngày thụ lý.'
          : 'Hồ sơ đang được chuyển lại để phân công cơ quan xử lý phù hợp; thời hạn giải quyết không thay đổi.',
        internalText: `${staffName(who)}${name ? ` (${name})` : ''} trả lại hồ sơ. Lý do: ${why}`,
        data: { fromAgencyId: c.agencyId, returnedBy: who.kind === 'staff' ? who.actor.userId : null, reason: why },
      };
    },

    reject: (ctx) => rejectEffect(ctx, false),
    merge: (ctx) => rejectEffect(ctx, true),

    async extend(ctx) {
      const { c, input, tx, now, who } = ctx;
      const policy = frozenPolicy(c);
      if (input.amount === undefined || input.amount === null) throw fieldError('amount', 'is required');
      if (input.unit !== undefined && !DURATION_UNITS.includes(input.unit)) throw fieldError('unit', `must be one of ${DURATION_UNITS.join(', ')}`);
      const why = requireText('reason', input.reason, 2000);
      const unit = input.unit ?? policy.extension?.unit ?? 'working_days';
      const { pauses, extensions } = await loadSlaInputs(tx, c.id);
      const rule = policy.extension;
      if (!rule || rule.maxCount <= 0) throw new Conflict(`Loại vụ việc này không được gia hạn (no extension for ${c.kind}/${c.priority}).`, { code: 'no_extension' });
      if (extensions.length >= rule.maxCount) {
        throw new Conflict(`Đã gia hạn ${extensions.length} lần; chỉ được gia hạn tối đa ${rule.maxCount} lần (extension limit reached).`, { code: 'extension_limit' });
      }
      const ok = canExtend(policy, extensions, { amount: input.amount, unit });
      if (!ok.ok) throw fieldError(unit !== rule.unit ? 'unit' : 'amount', ok.reason);
      const standing = c.pausedAt ?? now;
      if (standing > c.resolveDueAt) {
        throw new Conflict(`Đã quá hạn giải quyết (${formatInstantVi(c.resolveDueAt)}); gia hạn phải được quyết định trước khi hết hạn (deadline passed).`, {
          code: 'deadline_passed',
        });
      }
      const ext = { amount: input.amount, unit, reason: why, at: now };
      const newDue = computeResolveDueAt(ctx.calendar, {
        policy,
        ...clockStart(c),
        pauses: pauses.filter((p) => p.end != null),
        extensions: [...extensions, ext],
      });
      await repo.insertExtension(tx, {
        caseId: c.id,
        amount: input.amount,
        unit,
        reason: why,
        approvedBy: who.kind === 'staff' ? who.actor.userId : null,
        at: now,
        previousDueAt: c.resolveDueAt,
        newDueAt: newDue,
      });
      const publicText = `Thời hạn giải quyết được gia hạn thêm ${describeDuration(ext)}, đến ${formatInstantVi(newDue)}. Lý do: ${why}`;
      return {
        patch: { extensionsUsed: extensions.length + 1, resolveDueAt: newDue, lastPublicNote: publicText },
        publicText,
        internalText: optionalText('internalText', input.internalText),
        data: { amount: input.amount, unit, reason: why, previousResolveDueAt: c.resolveDueAt.toISOString(), resolveDueAt: newDue.toISOString(), count: extensions.length + 1 },
      };
    },

    async note(ctx) {
      const { input } = ctx;
      const publicText = optionalText('publicText', input.publicText);
      const internalText = optionalText('internalText', input.internalText);
      if (!publicText && !internalText) throw fieldError('publicText', 'publicText or internalText is required');
      return { patch: publicText ? { lastPublicNote: publicText } : {}, publicText, internalText };
    },

    async reopen(ctx) {
      const { c, input, who } = ctx;
      const why = who.kind === 'staff' ? requireText('reason', input.reason ?? input.internalText) : optionalText('reason', input.reason ?? input.internalText);
      return {
        patch: reopenPatch(),
        publicText: 'Hồ sơ được mở lại để xem xét, xử lý tiếp.',
        internalText: why,
        data: { ...previousResolution(c), onFinding: input.onFinding === true },
      };
    },

    async close(ctx) {
      const { c, tx, now } = ctx;
      if (c.status === 'awaiting_business') {
        await repo.closeOpenPause(tx, c.id, now);
        return {
          patch: { closedAt: now, pausedAt: null, reason: 'no_response_from_business' },
          publicText: 'Hồ sơ kết thúc do doanh nghiệp không bổ sung thông tin trong thời hạn.',
          internalText: optionalText('internalText', ctx.input.internalText),
          data: { reason: 'no_response_from_business', pausedFrom: c.pausedAt?.toISOString() ?? null },
        };
      }
      return {
        patch: { closedAt: now },
        publicText: 'Hồ sơ đã kết thúc.',
        internalText: optionalText('internalText', ctx.input.internalText),
        data: { resolvedAt: c.resolvedAt?.toISOString() ?? null },
      };
    },

    async dispute(ctx) {
      const { c, input } = ctx;
      const why = optionalText('publicText', input.publicText ?? input.comment);
      return {
        patch: { ...reopenPatch(), disputeCount: c.disputeCount + 1 },
        publicText: 'Doanh nghiệp chưa đồng ý với kết quả trả lời; hồ sơ được mở lại để xử lý tiếp.',
        internalText: why,
        data: { ...previousResolution(c), disputeCount: c.disputeCount + 1 },
      };
    },

    async withdraw(ctx) {
      const { c, input, tx, now } = ctx;
      if (c.pausedAt) await repo.closeOpenPause(tx, c.id, now);
      return {
        patch: { reason: 'withdrawn', closedAt: now, pausedAt: null },
        publicText: 'Doanh nghiệp đã rút phản ánh, kiến nghị.',
        internalText: optionalText('publicText', input.publicText ?? input.comment),
        data: { reason: 'withdrawn' },
      };
    },

    async rate(ctx) {
      const { input, now } = ctx;
      const r = input.rating;
      if (typeof r !== 'number' || !Number.isInteger(r) || r < 1 || r > 5) throw fieldError('rating', 'must be a whole number from 1 to 5');
      const comment = optionalText('comment', input.comment, COMMENT_MAX);
      return {
        patch: { rating: r, ratingComment: comment, ratedAt: now },
        publicText: `Doanh nghiệp đánh giá kết quả: ${r}/5.`,
        internalText: comment,
        data: { rating: r },
      };
    },
  };

  return EFFECTS;
}
