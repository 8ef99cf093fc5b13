import { toLocalIso } from '../../domain/calendar.js';
import {
  eventLabelVi,
  allowedActions,
  isCaseStatus,
  isOpenStatus,
  STATUS_LABEL_VI,
  type Action,
  type CaseStatus,
} from '../../domain/lifecycle.js';
import { discloseData, discloseText, type Disclosure, type Identity } from '../../domain/disclosure.js';
import type { Actor } from '../../domain/roles.js';
import { openState } from '../../domain/sla.js';
import type { EventRow } from '../timeline/repository.js';
import { isProvisional, type CaseRow } from './deadlines.js';
import type { ListCaseRow, ViewedCaseRow } from './repository.js';

/** Staff actions as they appear in URLs (`POST /api/v1/cases/{id}/{action}`). */
export const STAFF_ACTIONS = ['assign', 'accept', 'request_info', 'resolve', 'return', 'reject', 'extend', 'note', 'reopen', 'close', 'merge'] as const;
export type StaffAction = (typeof STAFF_ACTIONS)[number];
export const STAFF_ACTION_PATHS = STAFF_ACTIONS.map((a) => a.replace('_', '-')) as readonly string[];
export const actionPath = (a: Action): string => a.replace('_', '-');

export const REPORTER_HIDDEN_LABEL = 'ẩn danh';

export interface StaffViewContext {
  now: Date;
  agencyName?: string | null;
  categoryName?: string | null;
  localityName?: string | null;
}

const iso = (d: Date | null | undefined): string | null => (d ? toLocalIso(d) : null);

/** The reporter's identity of a case, to mask wherever free text repeats it. */
export function identityOf(c: Pick<CaseRow, 'businessName' | 'contactName' | 'taxCode' | 'phone' | 'email' | 'consentPublishName' | 'confidential'>): Identity {
  return { businessName: c.businessName, contactName: c.contactName, taxCode: c.taxCode, phone: c.phone, email: c.email, consentPublishName: c.consentPublishName, confidential: c.confidential };
}

/** Open cases: within_deadline or overdue; a paused case keeps the state it had when the pause began. */
export function deadlineState(c: Pick<CaseRow, 'status' | 'resolveDueAt' | 'pausedAt'>, now: Date): 'within_deadline' | 'overdue' | null {
  if (!isCaseStatus(c.status) || !isOpenStatus(c.status)) return null;
  return openState(c.pausedAt ?? now, c.resolveDueAt);
}

/** What the caller may do next on this case through the staff API (URL names). */
export function staffAllowedActions(c: Pick<CaseRow, 'status' | 'agencyId' | 'resolvedAt' | 'rating'>, actor: Pick<Actor, 'role' | 'agencyId'>, now: Date): string[] {
  if (!isCaseStatus(c.status)) return [];
  const acts = allowedActions({
    role: actor.role,
    status: c.status as CaseStatus,
    sameAgency: actor.agencyId != null && c.agencyId === actor.agencyId,
    now,
    resolvedAt: c.resolvedAt,
    alreadyRated: c.rating != null,
  });
  return acts.filter((a) => (STAFF_ACTIONS as readonly string[]).includes(a)).map(actionPath);
}

/**
 * The staff view of a case as disclosure `d` allows it (src/domain/disclosure.ts): on a
 * confidential case agency roles get no reporter, no address and free text without the
 * reporter's identity; plus the actions the caller may take next.
 */
export function toStaffView(c: ViewedCaseRow, d: Disclosure, actor: Pick<Actor, 'role' | 'agencyId'>, ctx: StaffViewContext) {
  // the list item's fields, the same way (its business name is the submitter's here)
  const { businessName: _listed, ...item } = toStaffListItem(c, d, actor, ctx);
  const hidden = item.reporterHidden;
  const who = identityOf(c);
  const txt = (s: string | null) => discloseText(d, s, who);
  const hasSubmitter = c.businessName != null || c.taxCode != null || c.contactName != null || c.phone != null || c.email != null;
  return {
    ...item,
    content: txt(c.content) ?? '',
    address: d.location === 'full' ? c.address : null,
    submitter:
      hidden || !hasSubmitter
        ? null
        : { businessName: c.businessName, taxCode: c.taxCode, contactName: c.contactName, phone: c.phone, email: c.email },
    consentPublishName: c.consentPublishName,
    assignedAt: iso(c.assignedAt),
    acceptedAt: iso(c.acceptedAt),
    firstAcceptedAt: iso(c.firstAcceptedAt),
    pausedAt: iso(c.pausedAt),
    resolvedWithExtension: c.resolvedWithExtension,
    closedAt: iso(c.closedAt),
    reason: txt(c.reason),
    duplicateOfId: c.duplicateOfId,
    publicAnswer: txt(c.publicAnswer),
    lastPublicNote: txt(c.lastPublicNote),
    rating: c.rating,
    ratingComment: txt(c.ratingComment),
    disputeCount: c.disputeCount,
    createdAt: toLocalIso(c.createdAt),
  };
}
export type StaffCaseView = ReturnType<typeof toStaffView>;

/**
 * A case as an item of the work queue: what a list shows to pick the next case (its code, kind,
 * title, who reported it, where it stands, its deadline and what the caller may do), through the
 * same disclosure `d` as the full view. The full view (content, contact details, answers, notes)
 * is GET /api/v1/cases/{id}; the agency feed carries full views.
 */
export function toStaffListItem(c: ListCaseRow, d: Disclosure, actor: Pick<Actor, 'role' | 'agencyId'>, ctx: StaffViewContext) {
  const hidden = d.reporter !== 'full';
  return {
    id: c.id,
    trackingCode: c.trackingCode,
    kind: c.kind,
    priority: c.priority,
    categoryId: c.categoryId,
    categoryName: ctx.categoryName ?? null,
    localityId: c.localityId,
    localityName: ctx.localityName ?? null,
    channel: c.channel,
    title: discloseText(d, c.title, identityOf(c)) ?? '',
    businessName: hidden ? null : c.businessName,
    reporterHidden: hidden,
    confidential: c.confidential,
    status: c.status as CaseStatus,
    statusLabel: isCaseStatus(c.status) ? STATUS_LABEL_VI[c.status] : c.status,
    agencyId: c.agencyId,
    agencyName: c.agencyId == null ? null : (ctx.agencyName ?? null),
    version: c.version,
    receivedAt: toLocalIso(c.receivedAt),
    acceptDueAt: iso(c.acceptDueAt),
    resolveDueAt: toLocalIso(c.resolveDueAt),
    resolveDueProvisional: isProvisional(c),
    deadlineState: deadlineState(c, ctx.now),
    paused: c.pausedAt != null,
    extensionsUsed: c.extensionsUsed,
    resolvedAt: iso(c.resolvedAt),
    outcome: c.outcome,
    escalationLevel: c.escalationLevel,
    updatedAt: toLocalIso(c.updatedAt),
    allowedActions: staffAllowedActions(c, actor, ctx.now),
  };
}
export type StaffListItem = ReturnType<typeof toStaffListItem>;

/** A timeline event for staff, as disclosure `d` of its case allows: no trace of a hidden reporter. */
export function toEventView(e: EventRow, d: Disclosure, who: Identity) {
  const hidden = d.reporter !== 'full';
  const label = hidden && e.actorRole === 'public' ? REPORTER_HIDDEN_LABEL : e.actorLabel;
  return {
    id: e.id,
    seq: e.seq,
    at: toLocalIso(e.at),
    actorUserId: e.actorUserId,
    actorRole: e.actorRole,
    actorLabel: label,
    action: e.action,
    actionLabel: eventLabelVi(e.action),
    fromStatus: e.fromStatus,
    toStatus: e.toStatus,
    publicText: discloseText(d, e.publicText, who),
    internalText: d.internal ? discloseText(d, e.internalText, who) : null,
    data: discloseData(d, e.data ?? null),
    prevHash: e.prevHash,
    hash: e.hash,
  };
}

/**
 * An item of the agency feed (GET /api/v1/agencies/{id}/feed), also the `data` of a webhook
 * message: the case as the agency's system sees it, or `left_agency` with no case once it left.
 */
export function toFeedItem(row: Pick<CaseRow, 'id' | 'trackingCode' | 'updatedAt' | 'version'>, left: boolean, view: StaffCaseView | null) {
  return {
    id: row.id,
    trackingCode: row.trackingCode,
    updatedAt: toLocalIso(row.updatedAt),
    version: row.version,
    change: left ? ('left_agency' as const) : ('current' as const),
    case: left ? null : view,
  };
}
export type FeedItem = ReturnType<typeof toFeedItem>;
