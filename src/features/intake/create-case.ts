/**
 * Creating a case, the one intake path: the channels a case comes in by, the validated NewCase,
 * and the case writer (routing, frozen SLA policy and deadlines, tracking code, first events and
 * mail). Its SQL is in ./repository.ts.
 */
import { readAll, type Db, type Executor, type Tx } from '../../db/client.js';
import { route } from '../../domain/routing.js';
import { computeAcceptDueAt, computeResolveDueAt, resolutionStart, type CaseKind, type Priority } from '../../domain/sla.js';
import { searchTextOf } from '../../domain/disclosure.js';
import { hashAccessKey, newAccessKey } from '../../lib/access-key.js';
import type { Clock } from '../../lib/clock.js';
import { fieldError } from '../../lib/errors.js';
import type { ClockService } from '../clock/service.js';
import { outboxRows, type OutgoingMessage } from '../notifications/outbox.js';
import { assignmentMessage, receiptMessage, staffMailCase } from '../notifications/templates.js';
import { eventRows, type NewEvent } from '../timeline/repository.js';
import { allocateTrackingCode, insertCaseWithEventsAndMail, type TrackingBlocks } from './repository.js';

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

/** What writing a case needs: the clock service's cached reference data, and the links and mail domain of the mail it sends. */
export interface CaseWriterDeps {
  db: Db;
  clock: Clock;
  clockService: ClockService;
  baseUrl: string;
  mailDomain: string;
  /** on PostgreSQL tracking numbers are drawn outside the case's transaction (no queue on one row) */
  dbKind: 'pg' | 'pglite';
}

/**
 * The one way a case is written, whatever the channel: the intake service's submissions and
 * Open311 (through IntakeService.createCase) all end in insertNewCase. On PostgreSQL this
 * instance's tracking numbers are drawn ahead in blocks (trackingCodeFor), before any transaction.
 */
export function createCaseWriter(deps: CaseWriterDeps) {
  const { db } = deps;
  /** this instance's tracking numbers drawn ahead (PostgreSQL) */
  const trackingBlocks: TrackingBlocks = new Map();

  /** The case's tracking code drawn ahead, outside its transaction (PostgreSQL); on PGlite it is drawn with the case. */
  async function trackingCodeFor(receivedAt: Date): Promise<string | undefined> {
    return deps.dbKind === 'pg' ? allocateTrackingCode(db, receivedAt, trackingBlocks) : undefined;
  }

  /**
   * Creates a case (IntakeService.createCase: what Open311 and the test fixtures call). Without
   * `tx`, its tracking code is drawn first and the case is written in a transaction of its own;
   * with `tx`, it is written in the caller's transaction and the code is drawn there (a code
   * drawn ahead would need a second connection while `tx` holds one). `now` is when it is
   * recorded: the clock's now, unless a fixture records a case of the past.
   */
  async function createCase(c: NewCase, tx?: Tx, now: Date = deps.clock.now()): Promise<CreatedCase> {
    if (tx) return insertNewCase(tx, c, now);
    const trackingCode = await trackingCodeFor(c.receivedAt);
    return db.transaction((t) => insertNewCase(t, c, now, { trackingCode }));
  }

  /**
   * Records a new case in the caller's transaction: reference checks, routing, frozen SLA policy
   * and deadlines, tracking code, the case row, its first timeline events and outgoing mail.
   */
  async function insertNewCase(ex: Executor, c: NewCase, now: Date, opts: { trackingCode?: string } = {}): Promise<CreatedCase> {
    const { clockService } = deps;
    const priority: Priority = c.priority ?? 'normal';
    const confidential = c.confidential ?? c.kind === 'to_cao';
    const [calendar, policy, rules] = await readAll(ex, [
      () => clockService.calendar(ex),
      () => clockService.policyFor(c.kind, priority, c.categoryId, ex),
      () => clockService.rules(ex),
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
    const row = await insertCaseWithEventsAndMail(ex, caseRow, eventRows(events), outboxRows(deps.mailDomain, messages, now));
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

  return { trackingCodeFor, createCase, insertNewCase };
}

export type CaseWriter = ReturnType<typeof createCaseWriter>;
