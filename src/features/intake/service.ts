import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { and, asc, eq, gte, lt, sql } from 'drizzle-orm';
import { agencies, attachments, caseEvents, caseExtensions, cases, categories, idempotencyKeys, localities, users } from '../../db/schema.js';
import { toLocalIso } from '../../domain/calendar.js';
import { allowedActions, eventLabelVi, disputeDeadline, isCaseStatus, isOpenStatus, STATUS_LABEL_VI, type CaseStatus } from '../../domain/lifecycle.js';
import { describeDuration, formatInstantVi, openState, type CaseKind, type DurationUnit } from '../../domain/sla.js';
import { formatTrackingCode, parseTrackingCode } from '../../domain/validators.js';
import { canonicalJson, sha256Hex } from '../../lib/crypto.js';
import { accessKeyMatches, hashAccessKey, newAccessKey } from '../../lib/access-key.js';
import { fieldError, isUniqueViolation, NotFound, Unprocessable } from '../../lib/errors.js';
import { ACCESS_KEY_REISSUE, attachmentName, disclose, discloseText, ownWordsOf } from '../../domain/disclosure.js';
import { isAgencyRole, type Actor } from '../../domain/roles.js';
import { isProvisional, type CaseRow } from '../cases/deadlines.js';
import { accessKeyReissuedMessage, trackingLink } from '../notifications/templates.js';
import { enqueueMessages } from '../notifications/outbox.js';
import { appendEvents } from '../timeline/repository.js';
import { readSiteInfo } from '../settings/repository.js';
import { checkFiles, storeAttachments, type CheckedFile, type IncomingFile } from './attachments.js';
import { createCaseWriter, type CaseWriterDeps, type Channel, type CreatedCase, type NewCase } from './create-case.js';
import {
  KIND_LABEL_VI,
  LIMITS,
  PUBLIC_ACTIONS,
  type PublicAction,
  type PublicCaseView,
  type PublicSubmission,
  type StaffCreatedAnswer,
  type StaffSubmission,
  type SubmissionAnswer,
  parseReceivedAt,
} from './schemas.js';

export const IDEMPOTENCY_SCOPE = 'public-intake';
/** How long a submission's first answer is kept for retries with the same Idempotency-Key. */
export const IDEMPOTENCY_TTL_DAYS = 7;
/** The one answer for a wrong code and for a wrong key, so that codes cannot be probed. */
export const NOT_FOUND_DETAIL = 'Không tìm thấy hồ sơ với mã hồ sơ và mã truy cập này (no case with this tracking code and access key)';
const DUMMY_HASH = sha256Hex('pakn: no such case');
const DAY_MS = 86_400_000;
/** At most this many new keys per case in 24 hours, across all instances (further requests change nothing). */
export const ACCESS_KEY_REISSUES_PER_DAY = 3;

/** E-mail addresses compared as people type them: NFC, trimmed, case ignored. */
const sameEmail = (a: string, b: string) => a.normalize('NFC').trim().toLowerCase() === b.normalize('NFC').trim().toLowerCase();

/** The database, the clock, the clock service's cached reference data, the public base URL and the mail domain. */
export type IntakeServiceDeps = CaseWriterDeps;

export interface SubmitResult<T> {
  status: number;
  body: T;
  /** true when an Idempotency-Key repeated an earlier submission */
  replayed: boolean;
}

// ------------------------------------------------------------------ idempotent answers
// The stored first answer holds the access key encrypted with a key derived from the client's
// Idempotency-Key (which is stored only as its hash): the table alone never reveals an access key.

function sealKey(idempotencyKey: string): Buffer {
  return Buffer.from(hkdfSync('sha256', idempotencyKey, IDEMPOTENCY_SCOPE, 'pakn access key', 32));
}

function encryptSecret(secret: string, idempotencyKey: string): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', sealKey(idempotencyKey), iv);
  const enc = Buffer.concat([c.update(secret, 'utf8'), c.final()]);
  return Buffer.concat([iv, c.getAuthTag(), enc]).toString('base64');
}

function decryptSecret(sealed: string, idempotencyKey: string): string {
  const b = Buffer.from(sealed, 'base64');
  const d = createDecipheriv('aes-256-gcm', sealKey(idempotencyKey), b.subarray(0, 12));
  d.setAuthTag(b.subarray(12, 28));
  return Buffer.concat([d.update(b.subarray(28)), d.final()]).toString('utf8');
}

// ------------------------------------------------------------------ service

export function createIntakeService(deps: IntakeServiceDeps) {
  const { db, clock, baseUrl } = deps;
  /** every case is written here, with this instance's tracking numbers drawn ahead (PostgreSQL) */
  const writer = createCaseWriter(deps);

  function answerOf(created: CreatedCase, files: number): SubmissionAnswer {
    const status = created.status as CaseStatus;
    return {
      trackingCode: created.trackingCode,
      accessKey: created.accessKey,
      status,
      statusLabel: STATUS_LABEL_VI[status],
      agency: created.agencyId != null ? { id: created.agencyId, name: created.agencyName ?? '' } : null,
      receivedAt: toLocalIso(created.receivedAt),
      resolveDueAt: toLocalIso(created.resolveDueAt),
      resolveDueProvisional: created.resolveDueProvisional,
      trackingUrl: trackingLink(baseUrl, created.trackingCode),
      attachments: files,
    };
  }

  async function findIdempotent(keyHash: string) {
    const [row] = await db
      .select()
      .from(idempotencyKeys)
      .where(and(eq(idempotencyKeys.scope, IDEMPOTENCY_SCOPE), eq(idempotencyKeys.key, keyHash)));
    return row;
  }

  function replay(row: typeof idempotencyKeys.$inferSelect, requestHash: string, idempotencyKey: string): SubmitResult<SubmissionAnswer> {
    if (row.requestHash !== requestHash) {
      throw new Unprocessable('This Idempotency-Key was already used with a different request body; use a new key for a new submission', {
        errors: [{ path: 'Idempotency-Key', in: 'header', message: 'Khóa Idempotency-Key đã được dùng cho một nội dung khác.' }],
      });
    }
    const stored = row.body as Omit<SubmissionAnswer, 'accessKey'> & { accessKeySealed: string };
    const { accessKeySealed, trackingCode, ...rest } = stored;
    const body = { trackingCode, accessKey: decryptSecret(accessKeySealed, idempotencyKey), ...rest } as SubmissionAnswer;
    return { status: row.statusCode, body, replayed: true };
  }

  function toNewCase(input: PublicSubmission | StaffSubmission, channel: Channel, receivedAt: Date): NewCase {
    return {
      kind: input.kind,
      categoryId: input.categoryId,
      localityId: input.localityId ?? null,
      title: input.title,
      content: input.content,
      businessName: input.businessName,
      taxCode: input.taxCode ?? null,
      contactName: input.contactName,
      phone: input.phone ?? null,
      email: input.email ?? null,
      consentPublishName: input.consentPublishName ?? false,
      channel,
      receivedAt,
    };
  }

  /**
   * A business files a case (public API or web form). With an Idempotency-Key, a repeat of the
   * same request answers the first answer and creates nothing; the same key with another body
   * answers 422. The key row is written in the case's own transaction, so two concurrent
   * duplicates cannot both create a case.
   */
  async function submitPublic(a: {
    input: PublicSubmission;
    files: IncomingFile[];
    channel: 'web' | 'api';
    idempotencyKey?: string;
  }): Promise<SubmitResult<SubmissionAnswer>> {
    const checked = await checkFiles(a.files);
    const clientKey = a.idempotencyKey ? `${a.channel}:${a.idempotencyKey}` : undefined;
    const keyHash = clientKey ? sha256Hex(clientKey) : undefined;
    const requestHash = sha256Hex(
      canonicalJson({ input: { ...a.input }, files: checked.map((f) => ({ name: f.filename, sha256: f.sha256 })) }),
    );
    if (keyHash && clientKey) {
      const prior = await findIdempotent(keyHash);
      if (prior) return replay(prior, requestHash, clientKey);
    }
    const now = clock.now();
    const newCase: NewCase = { ...toNewCase(a.input, a.channel, now), confidential: a.input.kind === 'to_cao' };
    const trackingCode = await writer.trackingCodeFor(now);
    if (!keyHash && checked.length === 0) {
      // the common case: one statement writes the case, its events and its mail (atomic on its own)
      const created = await writer.insertNewCase(db, newCase, now, { trackingCode });
      return { status: 201, body: answerOf(created, 0), replayed: false };
    }
    try {
      return await db.transaction(async (tx) => {
        if (keyHash) {
          await tx.insert(idempotencyKeys).values({ scope: IDEMPOTENCY_SCOPE, key: keyHash, requestHash, statusCode: 201, body: {}, createdAt: now });
        }
        const created = await writer.insertNewCase(tx, newCase, now, { trackingCode });
        await storeAttachments(tx, created.id, checked, now);
        const body = answerOf(created, checked.length);
        if (keyHash && clientKey) {
          const { accessKey, ...rest } = body;
          await tx
            .update(idempotencyKeys)
            .set({ body: { ...rest, accessKeySealed: encryptSecret(accessKey, clientKey) } })
            .where(and(eq(idempotencyKeys.scope, IDEMPOTENCY_SCOPE), eq(idempotencyKeys.key, keyHash)));
        }
        return { status: 201, body, replayed: false };
      });
    } catch (err) {
      if (keyHash && clientKey && isUniqueViolation(err)) {
        const prior = await findIdempotent(keyHash);
        if (prior) return replay(prior, requestHash, clientKey);
      }
      throw err;
    }
  }

  /** A coordinator enters a case received by hotline, Zalo, e-mail, a dialogue conference, an association or mail. */
  async function submitStaff(actor: Actor, input: StaffSubmission, files: IncomingFile[]): Promise<StaffCreatedAnswer> {
    const now = clock.now();
    const receivedAt = parseReceivedAt(input.receivedAt);
    if (!receivedAt) throw fieldError('receivedAt', 'receivedAt phải là ngày giờ ISO 8601.');
    if (receivedAt.getTime() > now.getTime()) {
      throw fieldError('receivedAt', `Thời điểm tiếp nhận không được ở tương lai (bây giờ là ${toLocalIso(now)}).`);
    }
    if (now.getTime() - receivedAt.getTime() > LIMITS.receivedAtMaxAgeDays * DAY_MS) {
      throw fieldError('receivedAt', `Thời điểm tiếp nhận không được cũ hơn ${LIMITS.receivedAtMaxAgeDays} ngày.`);
    }
    const checked: CheckedFile[] = await checkFiles(files);
    const newCase: NewCase = {
      ...toNewCase(input, input.channel, receivedAt),
      priority: input.priority,
      // a report of misconduct (to_cao) is always confidential
      confidential: input.kind === 'to_cao' ? true : (input.confidential ?? false),
      address: input.address ?? null,
      enteredBy: { userId: actor.userId, role: actor.role, name: actor.name },
    };
    const trackingCode = await writer.trackingCodeFor(receivedAt);
    const created = await db.transaction(async (tx) => {
      const c = await writer.insertNewCase(tx, newCase, now, { trackingCode });
      await storeAttachments(tx, c.id, checked, now);
      return c;
    });
    const status = created.status as CaseStatus;
    return {
      id: created.id,
      trackingCode: created.trackingCode,
      accessKey: created.accessKey,
      kind: input.kind,
      priority: input.priority ?? 'normal',
      channel: input.channel,
      confidential: newCase.confidential ?? false,
      status,
      statusLabel: STATUS_LABEL_VI[status],
      agency: created.agencyId != null ? { id: created.agencyId, name: created.agencyName ?? '' } : null,
      receivedAt: toLocalIso(created.receivedAt),
      acceptDueAt: created.acceptDueAt ? toLocalIso(created.acceptDueAt) : null,
      resolveDueAt: toLocalIso(created.resolveDueAt),
      resolveDueProvisional: created.resolveDueProvisional,
      version: created.version,
      trackingUrl: trackingLink(baseUrl, created.trackingCode),
      attachments: checked.length,
    };
  }

  // ---------------------------------------------------------------- public tracking

  /**
   * The case behind a tracking code and access key. A malformed code, an unknown code and a
   * wrong key all answer the same 404; the key's hash is compared in constant time.
   */
  async function findByAccess(trackingCode: string, accessKey: string | undefined | null): Promise<CaseRow> {
    const parsed = typeof trackingCode === 'string' && trackingCode.length <= 40 ? parseTrackingCode(trackingCode) : null;
    let row: CaseRow | undefined;
    if (parsed) {
      let canonical: string | null = null;
      try {
        canonical = formatTrackingCode(parsed.date, parsed.seq);
      } catch {
        canonical = null;
      }
      if (canonical) [row] = await db.select().from(cases).where(eq(cases.trackingCode, canonical)).limit(1);
    }
    const key = typeof accessKey === 'string' && accessKey.length <= 200 ? accessKey : '';
    const matches = accessKeyMatches(key, row?.accessKeyHash ?? DUMMY_HASH);
    if (!row || !matches) throw new NotFound(NOT_FOUND_DETAIL);
    return row;
  }

  /** The case a tracking code names, in any letter case and spacing; undefined when there is none. */
  async function caseByCode(trackingCode: string): Promise<CaseRow | undefined> {
    const parsed = typeof trackingCode === 'string' && trackingCode.length <= 40 ? parseTrackingCode(trackingCode) : null;
    if (!parsed) return undefined;
    let canonical: string;
    try {
      canonical = formatTrackingCode(parsed.date, parsed.seq);
    } catch {
      return undefined;
    }
    const [row] = await db.select().from(cases).where(eq(cases.trackingCode, canonical)).limit(1);
    return row;
  }

  /**
   * A lost access key: when `email` is the address the case was filed with, a new key replaces
   * the old one (only its hash is stored, so the old key stops working at once), is mailed to
   * that address and the timeline records it (never the key). Nothing tells the caller whether
   * the code and the address matched: the answer is the same either way. At most
   * ACCESS_KEY_REISSUES_PER_DAY new keys per case in 24 hours, counted in the database.
   * Returns what happened, for logs and tests only.
   */
  async function recoverAccessKey(trackingCode: string, email: string): Promise<'sent' | 'no_match' | 'daily_cap'> {
    const c = await caseByCode(trackingCode);
    // a new key is drawn and hashed either way, so both answers cost about the same
    const accessKey = newAccessKey();
    const accessKeyHash = hashAccessKey(accessKey);
    if (!c || !c.email || !email || !sameEmail(c.email, email)) return 'no_match';
    const now = clock.now();
    return db.transaction(async (tx) => {
      // one request at a time per case: the count below and the new key agree
      await tx.execute(sql`select id from cases where id = ${c.id} for update`);
      const [{ n }] = await tx
        .select({ n: sql<number>`count(*)::int` })
        .from(caseEvents)
        .where(and(eq(caseEvents.caseId, c.id), eq(caseEvents.action, ACCESS_KEY_REISSUE), gte(caseEvents.at, new Date(now.getTime() - DAY_MS))));
      if (Number(n) >= ACCESS_KEY_REISSUES_PER_DAY) return 'daily_cap' as const;
      // updatedAt stays: a case that changes when a key is reissued would tell its agency (feed, lists)
      // that someone who knows the reporter's address asked; the event below is shown only where
      // the reporter is (disclosure.eventShown)
      await tx.update(cases).set({ accessKeyHash }).where(eq(cases.id, c.id));
      await appendEvents(tx, [
        {
          caseId: c.id,
          at: now,
          actorRole: 'public',
          action: ACCESS_KEY_REISSUE,
          publicText: 'Đã cấp lại mã truy cập theo đề nghị của doanh nghiệp; mã mới được gửi đến địa chỉ thư điện tử của hồ sơ, mã cũ không còn dùng được.',
          data: { sentBy: 'email' },
        },
      ]);
      const site = await readSiteInfo(tx);
      await enqueueMessages(
        tx,
        deps.mailDomain,
        [{ template: 'access_key_reissue', caseId: c.id, to: [c.email!], ...accessKeyReissuedMessage({ trackingCode: c.trackingCode, accessKey, title: c.title, baseUrl, site }) }],
        now,
      );
      return 'sent' as const;
    });
  }

  const ACTOR_LABEL: Record<string, string> = {
    public: 'Doanh nghiệp',
    coordinator: 'Tổ phản ứng nhanh',
    inspector: 'Thanh tra',
    admin: 'Quản trị hệ thống',
    system: 'Hệ thống',
  };

  /** What the business sees: no personal data, no internal notes, no staff names. */
  async function publicView(c: CaseRow): Promise<PublicCaseView> {
    const now = clock.now();
    const [[cat], [loc], [agency], events, extensions, files] = await Promise.all([
      c.categoryId != null ? db.select({ name: categories.name }).from(categories).where(eq(categories.id, c.categoryId)) : Promise.resolve([]),
      c.localityId != null ? db.select({ name: localities.name }).from(localities).where(eq(localities.id, c.localityId)) : Promise.resolve([]),
      c.agencyId != null ? db.select({ name: agencies.name }).from(agencies).where(eq(agencies.id, c.agencyId)) : Promise.resolve([]),
      db
        .select({
          at: caseEvents.at,
          action: caseEvents.action,
          actorRole: caseEvents.actorRole,
          publicText: caseEvents.publicText,
          internalText: caseEvents.internalText,
          data: caseEvents.data,
          actorAgency: agencies.name,
        })
        .from(caseEvents)
        .leftJoin(users, eq(users.id, caseEvents.actorUserId))
        .leftJoin(agencies, eq(agencies.id, users.agencyId))
        .where(eq(caseEvents.caseId, c.id))
        .orderBy(asc(caseEvents.id)),
      db.select().from(caseExtensions).where(eq(caseExtensions.caseId, c.id)).orderBy(asc(caseExtensions.at)),
      db
        .select({ id: attachments.id, filename: attachments.filename, size: attachments.size })
        .from(attachments)
        .where(eq(attachments.caseId, c.id))
        .orderBy(asc(attachments.id)),
    ]);
    // the case's own business: what it sent and its own words, through the one disclosure rule
    const d = disclose(c, { kind: 'tracker' });
    const identity = { businessName: c.businessName, contactName: c.contactName, taxCode: c.taxCode, phone: c.phone, email: c.email };
    const fileName = new Map(files.map((f, i) => [f.id, attachmentName(d, f.filename, i)]));
    const idsOf = (data: Record<string, unknown> | null): number[] =>
      Array.isArray(data?.attachmentIds) ? (data.attachmentIds as unknown[]).filter((x): x is number => typeof x === 'number') : [];
    const sentLater = new Set(events.filter((e) => e.actorRole === 'public').flatMap((e) => idsOf(e.data)));
    const status = (isCaseStatus(c.status) ? c.status : 'received') as CaseStatus;
    const open = isOpenStatus(status);
    const state = !open ? 'done' : c.pausedAt ? 'paused' : openState(now, c.resolveDueAt);
    const provisional = open && isProvisional(c);
    const acts = allowedActions({ role: 'public', status, now, resolvedAt: c.resolvedAt, alreadyRated: c.rating != null });
    const allowed = PUBLIC_ACTIONS.filter((a) => acts.includes(a));
    return {
      trackingCode: c.trackingCode,
      kind: c.kind,
      kindLabel: KIND_LABEL_VI[c.kind as CaseKind] ?? c.kind,
      categoryName: (cat as { name: string } | undefined)?.name ?? null,
      localityName: (loc as { name: string } | undefined)?.name ?? null,
      title: c.title,
      submission: {
        content: discloseText(d, c.content, identity) ?? '',
        attachments: files.filter((f) => !sentLater.has(f.id)).map((f) => ({ name: fileName.get(f.id)!, size: f.size })),
      },
      channel: c.channel,
      status,
      statusLabel: STATUS_LABEL_VI[status],
      agency: agency ? { name: (agency as { name: string }).name } : null,
      receivedAt: toLocalIso(c.receivedAt),
      deadline: {
        resolveDueAt: toLocalIso(c.resolveDueAt),
        resolveDueText: provisional
          ? `${formatInstantVi(c.resolveDueAt)} (tạm tính, muộn nhất; thời hạn giải quyết tính từ ngày cơ quan có thẩm quyền thụ lý)`
          : formatInstantVi(c.resolveDueAt),
        provisional,
        state,
        pausedSince: c.pausedAt ? toLocalIso(c.pausedAt) : null,
        extensions: extensions.map((e) => ({
          at: toLocalIso(e.at),
          description: describeDuration({ amount: e.amount, unit: e.unit as DurationUnit }),
          reason: e.reason,
          newDueAt: toLocalIso(e.newDueAt),
        })),
      },
      lastPublicNote: c.lastPublicNote,
      publicAnswer: c.publicAnswer,
      resolvedAt: c.resolvedAt ? toLocalIso(c.resolvedAt) : null,
      disputeUntil: status === 'resolved' && c.resolvedAt ? toLocalIso(disputeDeadline(c.resolvedAt)) : null,
      rating: c.rating != null ? { rating: c.rating, comment: c.ratingComment, at: c.ratedAt ? toLocalIso(c.ratedAt) : null } : null,
      timeline: events
        .filter((e) => e.publicText != null && e.publicText.trim() !== '')
        .map((e) => ({
          at: toLocalIso(e.at),
          action: e.action,
          label: eventLabelVi(e.action),
          by: isAgencyRole(e.actorRole) ? (e.actorAgency ?? 'Cơ quan xử lý') : (ACTOR_LABEL[e.actorRole] ?? 'Hệ thống'),
          text: e.publicText as string,
          ownText: ownWordsOf(d, e),
          attachments: e.actorRole === 'public' ? idsOf(e.data).flatMap((id) => (fileName.has(id) ? [fileName.get(id)!] : [])) : [],
        })),
      allowedActions: allowed,
    };
  }

  // ---------------------------------------------------------------- attachments (staff)

  /** The case, if the actor may see it: agency roles only their own agency's cases (else 404). */
  async function caseForStaff(actor: Actor, caseId: number) {
    const [c] = await db
      .select({ id: cases.id, agencyId: cases.agencyId, kind: cases.kind, confidential: cases.confidential, consentPublishName: cases.consentPublishName })
      .from(cases)
      .where(eq(cases.id, caseId));
    if (!c) throw new NotFound(`Case ${caseId} not found`);
    if (isAgencyRole(actor.role) && (actor.agencyId == null || c.agencyId !== actor.agencyId)) throw new NotFound(`Case ${caseId} not found`);
    return { ...c, disclosure: disclose(c, { kind: 'staff', role: actor.role }) };
  }

  /** The case's attachment ids in order: a neutral name numbers the attachment by its place. */
  async function attachmentIds(caseId: number): Promise<number[]> {
    const r = await db.select({ id: attachments.id }).from(attachments).where(eq(attachments.caseId, caseId)).orderBy(asc(attachments.id));
    return r.map((x) => x.id);
  }

  /** Attachments of a case; on a confidential case agency roles get neutral file names (tep-1.pdf). */
  async function listAttachments(actor: Actor, caseId: number) {
    const c = await caseForStaff(actor, caseId);
    const rows = await db
      .select({ id: attachments.id, filename: attachments.filename, mime: attachments.mime, size: attachments.size, sha256: attachments.sha256, createdAt: attachments.createdAt })
      .from(attachments)
      .where(eq(attachments.caseId, caseId))
      .orderBy(asc(attachments.id));
    return rows.map((r, i) => ({ ...r, filename: attachmentName(c.disclosure, r.filename, i), createdAt: toLocalIso(r.createdAt) }));
  }

  async function getAttachment(actor: Actor, caseId: number, attachmentId: number) {
    const c = await caseForStaff(actor, caseId);
    const [row] = await db
      .select()
      .from(attachments)
      .where(and(eq(attachments.id, attachmentId), eq(attachments.caseId, caseId)));
    if (!row) throw new NotFound(`Attachment ${attachmentId} of case ${caseId} not found`);
    if (c.disclosure.attachmentNames === 'full') return row;
    return { ...row, filename: attachmentName(c.disclosure, row.filename, (await attachmentIds(caseId)).indexOf(row.id)) };
  }

  /** Forgets stored first answers older than IDEMPOTENCY_TTL_DAYS (a retry comes within minutes, not days). */
  async function purgeIdempotencyKeys(now: Date): Promise<{ purged: number }> {
    const cutoff = new Date(now.getTime() - IDEMPOTENCY_TTL_DAYS * DAY_MS);
    const gone = await db
      .delete(idempotencyKeys)
      .where(and(eq(idempotencyKeys.scope, IDEMPOTENCY_SCOPE), lt(idempotencyKeys.createdAt, cutoff)))
      .returning({ key: idempotencyKeys.key });
    return { purged: gone.length };
  }

  return { createCase: writer.createCase, submitPublic, submitStaff, findByAccess, recoverAccessKey, publicView, listAttachments, getAttachment, purgeIdempotencyKeys };
}

export type IntakeService = ReturnType<typeof createIntakeService>;
export type { PublicAction };
