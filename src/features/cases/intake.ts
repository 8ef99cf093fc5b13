import { sql } from 'drizzle-orm';
import type { Db, Executor, Tx } from '../../db/client.js';
import { insertSql } from '../../db/fast.js';
import { caseEvents, cases, outbox } from '../../db/schema.js';
import { localDate } from '../../domain/calendar.js';
import { route } from '../../domain/routing.js';
import { computeAcceptDueAt, computeResolveDueAt, resolutionStart, type CaseKind, type Priority } from '../../domain/sla.js';
import { searchTextOf } from '../../domain/disclosure.js';
import { foldVietnamese, formatTrackingCode } from '../../domain/validators.js';
import { hashAccessKey, newAccessKey } from '../../lib/access-key.js';
import { fieldError, isUniqueViolation } from '../../lib/errors.js';
import type { ClockService } from '../clock/service.js';
import { outboxRows, type OutgoingMessage } from '../notifications/outbox.js';
import { assignmentMessage, receiptMessage, staffMailCase } from '../notifications/templates.js';
import { eventRows, type NewEvent } from '../timeline/repository.js';

export const CHANNELS = ['web', 'api', 'hotline', 'zalo', 'email', 'dialogue', 'association', 'mail', 'open311'] as const;
export type Channel = (typeof CHANNELS)[number];
export const CHANNEL_LABEL_VI: Record<Channel, string> = {
  web: 'cổng thông tin (web)',
  api: 'ứng dụng (API)',
  hotline: 'đường dây nóng',
  zalo: 'Zalo',
  email: 'thư điện tử',
  dialogue: 'hội nghị đối thoại',
  association: 'hiệp hội doanh nghiệp',
  mail: 'thư gửi qua bưu điện',
  open311: 'ứng dụng Open311',
};

/** A validated, normalised new case (validation and NFC happen at the edge). */
export interface NewCase {
  kind: CaseKind;
  priority?: Priority;
  categoryId: number | null;
  localityId: number | null;
  title: string;
  content: string;
  businessName: string | null;
  taxCode: string | null;
  contactName: string | null;
  phone: string | null;
  email: string | null;
  consentPublishName: boolean;
  confidential?: boolean;
  address?: string | null;
  lat?: number | null;
  long?: number | null;
  channel: Channel;
  receivedAt: Date;
  clientId?: number | null;
  /** Open311 media_url (validated at the edge, never fetched) */
  mediaUrl?: string | null;
  /** staff user who entered it (coordinator), or null for the business itself */
  enteredBy?: { userId: number; role: string; name: string } | null;
}

export interface CreatedCase {
  id: number;
  trackingCode: string;
  accessKey: string;
  status: string;
  agencyId: number | null;
  agencyName: string | null;
  receivedAt: Date;
  resolveDueAt: Date;
  /** the resolution deadline is the provisional latest one (khiếu nại, tố cáo: the clock starts at acceptance) */
  resolveDueProvisional: boolean;
  acceptDueAt: Date | null;
  version: number;
}

export interface IntakeDeps {
  clockService: ClockService;
  baseUrl: string;
  mailDomain: string;
  db: Db;
  /** on PostgreSQL tracking numbers are drawn outside the case's transaction (no queue on one row) */
  dbKind: 'pg' | 'pglite';
  /** this instance's tracking numbers drawn ahead (PostgreSQL) */
  trackingBlocks?: TrackingBlocks;
}

/**
 * The next tracking code of the day of receipt (Asia/Ho_Chi_Minh), from that day's own
 * PostgreSQL sequence (created on first use). A sequence hands out numbers without locks, so
 * concurrent submissions never queue on a counter row; a submission that fails after drawing
 * leaves a gap in the day's numbers, never a duplicate. With `blocks`, an instance draws
 * numbers for the current day 20 at a time (one round trip per 20 cases): instances then hand
 * out numbers in interleaved blocks, and a restart leaves the rest of its block unused.
 */
export async function allocateTrackingCode(ex: Executor, receivedAt: Date, blocks?: TrackingBlocks): Promise<string> {
  const day = localDate(receivedAt);
  const newest = blocks ? [...blocks.keys()][0] : undefined;
  // a case received on an earlier day (entered late by the coordinator) draws its own number
  if (!blocks || (newest !== undefined && day < newest)) return formatTrackingCode(day, (await drawTrackingNumbers(ex, day, 1))[0]);
  for (;;) {
    let b = blocks.get(day);
    if (!b) {
      // one day's block at a time: numbers of a day that has passed are not kept
      blocks.clear();
      b = { numbers: [] };
      blocks.set(day, b);
    }
    if (b.numbers.length > 0) return formatTrackingCode(day, b.numbers.shift()!);
    if (!b.refill) {
      const block = b;
      block.refill = drawTrackingNumbers(ex, day, TRACKING_BLOCK)
        .then((n) => {
          block.numbers.push(...n);
        })
        .finally(() => {
          block.refill = undefined;
        });
    }
    await b.refill;
  }
}

/** `count` numbers of the day's sequence, in order (the sequence is created on first use). */
async function drawTrackingNumbers(ex: Executor, day: string, count: number): Promise<number[]> {
  const seqName = `pakn_tracking_${day.replace(/-/g, '')}`;
  for (let attempt = 0; ; attempt++) {
    const r = (await ex.execute(
      sql`select nextval(to_regclass(${seqName})) as n from generate_series(1, ${count}::int) where to_regclass(${seqName}) is not null`,
    )) as unknown as { rows: Array<{ n: string | number }> };
    if (r.rows.length > 0) return r.rows.map((x) => Number(x.n)).sort((x, y) => x - y);
    if (attempt > 2) throw new Error(`could not create the tracking sequence ${seqName}`);
    try {
      await ex.execute(sql.raw(`create sequence if not exists ${seqName} minvalue 1 start 1`));
    } catch (e) {
      // another instance created it at the same moment
      if (!isUniqueViolation(e) && (e as { cause?: { code?: string } }).cause?.code !== '42P07') throw e;
    }
  }
}

/** Tracking numbers an instance has drawn ahead, per day of receipt. */
export type TrackingBlocks = Map<string, { numbers: number[]; refill?: Promise<void> }>;
/** numbers drawn at once by an instance on PostgreSQL (one round trip per block, not per case) */
const TRACKING_BLOCK = 20;

/**
 * Creates a case in one transaction (what intake routes call). `inTx` runs inside the same
 * transaction after the case is written (e.g. to store an idempotency answer).
 */
export async function createCase<T = void>(
  deps: IntakeDeps,
  c: NewCase,
  now: Date,
  inTx?: (tx: Tx, created: CreatedCase) => Promise<T>,
): Promise<CreatedCase & { extra?: T }> {
  const trackingCode = deps.dbKind === 'pg' ? await allocateTrackingCode(deps.db, c.receivedAt, deps.trackingBlocks) : undefined;
  return deps.db.transaction(async (tx) => {
    const created = await insertNewCase(tx, deps, c, now, { trackingCode });
    const extra = inTx ? await inTx(tx, created) : undefined;
    return { ...created, extra };
  });
}

/**
 * Records a new case in the caller's transaction: reference checks, routing, frozen SLA policy
 * and deadlines, tracking code, the case row, its first timeline events and outgoing mail.
 */
export async function insertNewCase(
  ex: Executor,
  deps: IntakeDeps,
  c: NewCase,
  now: Date,
  opts: { trackingCode?: string } = {},
): Promise<CreatedCase> {
  const { clockService } = deps;
  const priority: Priority = c.priority ?? 'normal';
  const confidential = c.confidential ?? c.kind === 'to_cao';
  const [calendar, policy, rules] = await Promise.all([
    clockService.calendar(ex),
    clockService.policyFor(c.kind, priority, c.categoryId, ex),
    clockService.rules(ex),
  ]);
  const routed = route(rules, { kind: c.kind, categoryId: c.categoryId, localityId: c.localityId });
  // the category, the locality and the routed agency: from the cache, or the database on a miss
  let ref = await clockService.referenceRows(ex);
  const missing =
    (c.categoryId != null && !ref.categories.has(c.categoryId)) ||
    (c.localityId != null && !ref.localities.has(c.localityId)) ||
    (routed != null && !ref.agencies.has(routed.agencyId));
  if (missing) {
    clockService.invalidate('reference');
    ref = await clockService.referenceRows(ex);
  }
  if (c.categoryId != null && ref.categories.get(c.categoryId) !== true) throw fieldError('categoryId', `category ${c.categoryId} does not exist`);
  if (c.localityId != null && ref.localities.get(c.localityId) !== true) throw fieldError('localityId', `locality ${c.localityId} does not exist`);
  const agency = routed ? (ref.agencies.get(routed.agencyId) ?? null) : null;
  const acceptDueAt = agency ? computeAcceptDueAt(calendar, policy, now > c.receivedAt ? now : c.receivedAt) : null;
  // an acceptance-started policy: the provisional latest deadline, from this acceptance deadline
  const resolveDueAt = computeResolveDueAt(calendar, { policy, receivedAt: c.receivedAt, acceptDueAt });

  const trackingCode = opts.trackingCode ?? (await allocateTrackingCode(ex, c.receivedAt));
  const accessKey = newAccessKey();
  const status = agency ? 'assigned' : 'received';

  const caseRow = {
    trackingCode,
    accessKeyHash: hashAccessKey(accessKey),
    kind: c.kind,
    priority,
    categoryId: c.categoryId,
    localityId: c.localityId,
    channel: c.channel,
    clientId: c.clientId ?? null,
    mediaUrl: c.mediaUrl ?? null,
    title: c.title,
    content: c.content,
    searchText: searchTextOf(c.title, c.content, { ...c, confidential }),
    address: c.address ?? null,
    lat: c.lat ?? null,
    long: c.long ?? null,
    businessName: c.businessName,
    taxCode: c.taxCode,
    contactName: c.contactName,
    phone: c.phone,
    email: c.email,
    // a tố cáo is confidential: the reporter's name is never published, whatever was sent
    consentPublishName: c.kind === 'to_cao' ? false : c.consentPublishName,
    confidential,
    status,
    agencyId: agency?.id ?? null,
    routingRuleId: routed?.ruleId ?? null,
    receivedAt: c.receivedAt,
    enteredBy: c.enteredBy?.userId ?? null,
    slaPolicy: policy as unknown as Record<string, unknown>,
    slaPolicyId: policy.id,
    assignedAt: agency ? now : null,
    acceptDueAt,
    resolveDueAt,
    createdAt: now,
    updatedAt: now,
  };
  /** the new case's id inside the one statement that writes the case, its events and its mail */
  const newId = sql`(select id from new_case)`;

  const actor = c.enteredBy
    ? { actorUserId: c.enteredBy.userId, actorRole: c.enteredBy.role, actorLabel: c.enteredBy.name }
    : { actorUserId: null, actorRole: 'public', actorLabel: null };
  const events: NewEvent[] = [
    {
      caseId: 0,
      at: now,
      ...actor,
      action: 'receive',
      fromStatus: null,
      toStatus: 'received',
      publicText: `Đã tiếp nhận qua ${CHANNEL_LABEL_VI[c.channel]}.`,
      data: { channel: c.channel, receivedAt: c.receivedAt.toISOString(), policyVersion: policy.version, resolveDueAt: resolveDueAt.toISOString() },
    },
  ];
  const messages: OutgoingMessage[] = [];
  // the footer's province, hotline and address: the settings (cached with the reference data), only when mail goes out
  const site = c.email || agency ? await clockService.siteInfo(ex) : null;
  if (c.email) {
    messages.push({
      template: 'receipt',
      caseId: 0,
      to: [c.email],
      ...receiptMessage({ trackingCode, accessKey, title: c.title, kind: c.kind, dueAt: resolveDueAt, dueProvisional: resolutionStart(policy) === 'acceptance', baseUrl: deps.baseUrl, site }),
    });
  }
  if (agency) {
    events.push({
      caseId: 0,
      at: now,
      actorUserId: null,
      actorRole: 'system',
      actorLabel: 'Phân công tự động',
      action: 'assign',
      fromStatus: 'received',
      toStatus: 'assigned',
      publicText: `Đã chuyển đến ${agency.name} để xử lý.`,
      data: { agencyId: agency.id, ruleId: routed!.ruleId, acceptDueAt: acceptDueAt?.toISOString() ?? null },
    });
    messages.push({
      template: 'assignment',
      caseId: 0,
      to: agency.contactEmails,
      ...assignmentMessage({
        ...staffMailCase({ ...c, confidential }),
        trackingCode,
        agencyName: agency.name,
        acceptDueAt,
        resolveDueAt,
        resolveDueProvisional: resolutionStart(policy) === 'acceptance',
        baseUrl: deps.baseUrl,
        site,
      }),
    });
  }
  // one statement, so it is atomic on its own and costs one round trip
  const withId = <R extends object>(rows: R[]) => rows.map((r) => ({ ...r, caseId: newId }));
  const mail = outboxRows(deps.mailDomain, messages, now);
  const res = (await ex.execute(sql`with new_case as (${insertSql(cases, [caseRow], sql`id, version`)}),
    new_events as (${insertSql(caseEvents, withId(eventRows(events)))})
    ${mail.length ? sql`, new_mail as (${insertSql(outbox, withId(mail))})` : sql``}
    select id, version from new_case`)) as unknown as { rows: Array<{ id: number | string; version: number }> };
  const row = { id: Number(res.rows[0].id), version: Number(res.rows[0].version) };
  return {
    id: row.id,
    trackingCode,
    accessKey,
    status,
    agencyId: agency?.id ?? null,
    agencyName: agency?.name ?? null,
    receivedAt: c.receivedAt,
    resolveDueAt,
    resolveDueProvisional: resolutionStart(policy) === 'acceptance',
    acceptDueAt,
    version: row.version,
  };
}
