/**
 * Signed webhooks for agency systems: subscriptions (admin, or an agency lead for its own agency),
 * and the delivery worker. Deliveries are written by the database in the transaction of the case
 * change (migration webhook_trigger), claimed by one instance at a time (FOR UPDATE SKIP LOCKED and
 * a lease), sent in per-case order, tried again with exponential backoff and dead after
 * PAKN_WEBHOOK_MAX_ATTEMPTS. A subscription failing for WEBHOOK_DISABLE_AFTER_MS is switched off
 * and its agency told by e-mail. See docs/webhooks.md.
 */
import { and, desc, eq, inArray, lt, or, sql, type SQL } from 'drizzle-orm';
import type { Config } from '../../config.js';
import { rows, type Db } from '../../db/client.js';
import { agencies, webhookDeliveries, webhooks } from '../../db/schema.js';
import { DAY_MS, toLocalIso } from '../../domain/calendar.js';
import { isAgencyRole, type Actor } from '../../domain/roles.js';
import type { Clock } from '../../lib/clock.js';
import { Conflict, fieldError, Forbidden, NotFound, ServiceUnavailable } from '../../lib/errors.js';
import type { CaseService } from '../cases/service.js';
import type { Metrics } from '../metrics/registry.js';
import { enqueueMessages } from '../notifications/outbox.js';
import { boundedLookup, LookupBusy, parseWebhookUrl, RefusedUrl, resolveTarget, type HostLookup } from './address.js';
import { postJson, type SendResult } from './send.js';
import { newSecret, signatureHeaders } from './signing.js';

/** The events an agency system may subscribe to (`ping` is sent by the test operation only). */
export const WEBHOOK_EVENTS = ['case.assigned', 'case.updated', 'case.escalated', 'case.left_agency'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];
export const DELIVERY_STATUSES = ['pending', 'sending', 'delivered', 'dead'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** a claimed delivery stays reserved this long for the instance that claimed it */
export const DELIVERY_LEASE_MS = 5 * 60_000;
/** a subscription whose deliveries have failed this long without one success is switched off */
export const WEBHOOK_DISABLE_AFTER_MS = 3 * 24 * 3_600_000;
/** after a rotation, messages are signed with the previous secret as well for this long */
export const PREVIOUS_SECRET_GRACE_MS = 24 * 3_600_000;
const BACKOFF_BASE_MS = 30_000;
const BACKOFF_CAP_MS = 12 * 3_600_000;
const CLAIM_BATCH = 20;
const MAX_PER_RUN = 2000;
const PARALLEL = 4;
/** a message put back because no DNS lookup was free is due again this long after */
const BUSY_RETRY_MS = 30_000;
/** Retry-After of a subscription request refused because no DNS lookup was free */
const BUSY_RETRY_AFTER_S = 60;
/** rows deleted per statement by the retention job */
const PURGE_BATCH = 5000;

/** Delay before the next attempt after `attempts` failed ones: 30 s × 4^(attempts-1), at most 12 h. */
export function webhookBackoffMs(attempts: number): number {
  return Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 4 ** Math.max(0, attempts - 1));
}

export interface WebhookInput {
  agencyId: number;
  url: string;
  events: WebhookEvent[];
  description?: string | null;
}
export interface WebhookPatch {
  url?: string;
  events?: WebhookEvent[];
  description?: string | null;
  active?: boolean;
}

type WebhookRow = typeof webhooks.$inferSelect;
type DeliveryRow = typeof webhookDeliveries.$inferSelect;

export interface WebhookRunResult {
  claimed: number;
  delivered: number;
  failed: number;
  dead: number;
  /** put back without an attempt: no DNS lookup was free (other hosts' name servers slow) */
  busy: number;
  /** handed back untouched when the run was stopped */
  released: number;
  /** subscriptions switched off in this run (failing for three days) */
  disabled: number;
  interrupted: boolean;
}

interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}
const silent: Logger = { info() {}, warn() {} };

export interface WebhookServiceDeps {
  db: Db;
  clock: Clock;
  config: Pick<Config, 'PAKN_WEBHOOK_ALLOW_PRIVATE' | 'PAKN_WEBHOOK_MAX_ATTEMPTS' | 'PAKN_WEBHOOK_RETENTION_DAYS'>;
  instanceId: string;
  mailDomain: string;
  metrics: Metrics;
  cases: Pick<CaseService, 'feedItem'>;
  /** how host names are resolved (default: the system resolver, bounded: address.ts boundedLookup) */
  lookup?: HostLookup;
}

const iso = (d: Date | null) => (d ? toLocalIso(d) : null);

/** A subscription as listed (never its secret). */
function toView(w: WebhookRow, agencyName: string | null, counts: Partial<Record<DeliveryStatus, number>> = {}) {
  return {
    id: w.id,
    agencyId: w.agencyId,
    agencyName,
    url: w.url,
    events: w.events as WebhookEvent[],
    description: w.description,
    active: w.active,
    disabledAt: iso(w.disabledAt),
    disabledReason: w.disabledReason,
    failingSince: iso(w.failingSince),
    deliveries: { pending: (counts.pending ?? 0) + (counts.sending ?? 0), delivered: counts.delivered ?? 0, dead: counts.dead ?? 0 },
    createdAt: toLocalIso(w.createdAt),
    updatedAt: toLocalIso(w.updatedAt),
  };
}
export type WebhookView = ReturnType<typeof toView>;

function toDeliveryView(d: DeliveryRow) {
  return {
    id: d.id,
    webhookId: d.webhookId,
    msgId: d.msgId,
    eventType: d.eventType,
    caseId: d.caseId,
    eventId: d.eventId,
    caseVersion: d.caseVersion,
    eventAt: toLocalIso(d.eventAt),
    status: d.status as DeliveryStatus,
    attempts: d.attempts,
    nextAttemptAt: d.status === 'pending' ? toLocalIso(d.nextAttemptAt) : null,
    lastAttemptAt: iso(d.lastAttemptAt),
    lastStatus: d.lastStatus,
    lastError: d.lastError,
    lastDurationMs: d.lastDurationMs,
    deliveredAt: iso(d.deliveredAt),
    createdAt: toLocalIso(d.createdAt),
  };
}
export type DeliveryView = ReturnType<typeof toDeliveryView>;

export function createWebhookService(deps: WebhookServiceDeps) {
  const { db, clock, config, instanceId, metrics } = deps;
  const allowPrivate = config.PAKN_WEBHOOK_ALLOW_PRIVATE;
  const lookup = deps.lookup ?? boundedLookup();
  let log: Logger = silent;

  // ------------------------------------------------------------------ subscriptions

  /** The URL as stored, or a 400 naming `url` (form, https, and what it resolves to now). */
  async function checkUrl(raw: string): Promise<string> {
    try {
      parseWebhookUrl(raw, allowPrivate);
      await resolveTarget(raw, allowPrivate, lookup);
    } catch (err) {
      if (err instanceof RefusedUrl) throw fieldError('url', err.message);
      // other hosts' slow lookups hold every slot: not this URL's fault
      if (err instanceof LookupBusy) throw new ServiceUnavailable(`${err.message}; nothing was changed: try again in a minute`, BUSY_RETRY_AFTER_S);
      throw err;
    }
    return raw;
  }

  /** Agency leads manage their own agency's subscriptions only. */
  function mayManage(actor: Actor, agencyId: number) {
    if (isAgencyRole(actor.role) && actor.agencyId !== agencyId) throw new Forbidden(`Role ${actor.role} manages only the webhooks of its own agency`);
  }

  async function load(actor: Actor, id: number): Promise<WebhookRow> {
    const [w] = await db.select().from(webhooks).where(eq(webhooks.id, id));
    if (!w) throw new NotFound(`Webhook ${id} does not exist`);
    mayManage(actor, w.agencyId);
    return w;
  }

  async function agencyName(id: number): Promise<string | null> {
    const [a] = await db.select({ name: agencies.name }).from(agencies).where(eq(agencies.id, id));
    return a?.name ?? null;
  }

  async function countsOf(ids: number[]): Promise<Map<number, Partial<Record<DeliveryStatus, number>>>> {
    const out = new Map<number, Partial<Record<DeliveryStatus, number>>>();
    if (ids.length === 0) return out;
    const r = await db
      .select({ webhookId: webhookDeliveries.webhookId, status: webhookDeliveries.status, n: sql<number>`count(*)::int` })
      .from(webhookDeliveries)
      .where(inArray(webhookDeliveries.webhookId, ids))
      .groupBy(webhookDeliveries.webhookId, webhookDeliveries.status);
    for (const x of r) {
      const m = out.get(x.webhookId) ?? {};
      m[x.status as DeliveryStatus] = Number(x.n);
      out.set(x.webhookId, m);
    }
    return out;
  }

  async function view(w: WebhookRow): Promise<WebhookView> {
    return toView(w, await agencyName(w.agencyId), (await countsOf([w.id])).get(w.id));
  }

  /** Subscribes an agency system; the answer carries the secret, shown this once. */
  async function create(actor: Actor, input: WebhookInput) {
    mayManage(actor, input.agencyId);
    const name = await agencyName(input.agencyId);
    if (name === null) throw fieldError('agencyId', `agency ${input.agencyId} does not exist`);
    const url = await checkUrl(input.url);
    const now = clock.now();
    const secret = newSecret();
    const [w] = await db
      .insert(webhooks)
      .values({ agencyId: input.agencyId, url, events: [...new Set(input.events)], description: input.description ?? null, secret, createdBy: actor.userId, createdAt: now, updatedAt: now })
      .returning();
    return { ...toView(w, name), secret };
  }

  async function list(actor: Actor, q: { agencyId?: number }) {
    const where: SQL[] = [];
    if (isAgencyRole(actor.role)) where.push(eq(webhooks.agencyId, actor.agencyId ?? -1));
    if (q.agencyId !== undefined) where.push(eq(webhooks.agencyId, q.agencyId));
    const r = await db
      .select({ w: webhooks, agencyName: agencies.name })
      .from(webhooks)
      .leftJoin(agencies, eq(agencies.id, webhooks.agencyId))
      .where(where.length ? and(...where) : undefined)
      .orderBy(webhooks.id);
    const counts = await countsOf(r.map((x) => x.w.id));
    return r.map((x) => toView(x.w, x.agencyName, counts.get(x.w.id)));
  }

  async function get(actor: Actor, id: number) {
    return view(await load(actor, id));
  }

  /** Changes url, events, description or active; switching a subscription on clears why it was off. */
  async function update(actor: Actor, id: number, patch: WebhookPatch) {
    const w = await load(actor, id);
    const set: Partial<typeof webhooks.$inferInsert> = {};
    if (patch.url !== undefined && patch.url !== w.url) set.url = await checkUrl(patch.url);
    if (patch.events !== undefined) set.events = [...new Set(patch.events)];
    if (patch.description !== undefined) set.description = patch.description;
    if (patch.active !== undefined && patch.active !== w.active) {
      set.active = patch.active;
      if (patch.active) Object.assign(set, { disabledAt: null, disabledReason: null, failingSince: null });
      else Object.assign(set, { disabledAt: clock.now(), disabledReason: 'switched off by an administrator' });
    }
    if (Object.keys(set).length === 0) return view(w);
    const [u] = await db
      .update(webhooks)
      .set({ ...set, updatedAt: clock.now() })
      .where(eq(webhooks.id, id))
      .returning();
    return view(u);
  }

  /** Deletes the subscription and its deliveries. */
  async function remove(actor: Actor, id: number): Promise<void> {
    await load(actor, id);
    await db.delete(webhooks).where(eq(webhooks.id, id));
  }

  /** A new secret (shown once); the previous one still signs alongside for PREVIOUS_SECRET_GRACE_MS. */
  async function rotateSecret(actor: Actor, id: number) {
    const w = await load(actor, id);
    const now = clock.now();
    const secret = newSecret();
    const [u] = await db
      .update(webhooks)
      .set({ secret, previousSecret: w.secret, previousSecretUntil: new Date(now.getTime() + PREVIOUS_SECRET_GRACE_MS), updatedAt: now })
      .where(eq(webhooks.id, id))
      .returning();
    return { ...(await view(u)), secret, previousSecretValidUntil: toLocalIso(new Date(now.getTime() + PREVIOUS_SECRET_GRACE_MS)) };
  }

  // ------------------------------------------------------------------ deliveries (admin)

  async function deliveries(actor: Actor, id: number, q: { status?: DeliveryStatus; limit: number; cursor?: number }) {
    await load(actor, id);
    const where: SQL[] = [eq(webhookDeliveries.webhookId, id)];
    if (q.status) where.push(eq(webhookDeliveries.status, q.status));
    if (q.cursor) where.push(lt(webhookDeliveries.id, q.cursor));
    const r = await db
      .select()
      .from(webhookDeliveries)
      .where(and(...where))
      .orderBy(desc(webhookDeliveries.id))
      .limit(q.limit + 1);
    const items = r.slice(0, q.limit).map(toDeliveryView);
    return { items, nextCursor: r.length > q.limit ? String(items[items.length - 1].id) : null };
  }

  /** A delivered or dead message sent again (same webhook-id and body; attempts start over). */
  async function redeliver(actor: Actor, id: number, deliveryId: number) {
    await load(actor, id);
    const now = clock.now();
    const [d] = await db.select().from(webhookDeliveries).where(and(eq(webhookDeliveries.id, deliveryId), eq(webhookDeliveries.webhookId, id)));
    if (!d) throw new NotFound(`Delivery ${deliveryId} of webhook ${id} does not exist`);
    const [u] = await db
      .update(webhookDeliveries)
      .set({ status: 'pending', attempts: 0, nextAttemptAt: now, lockedUntil: null, lockedBy: null })
      .where(and(eq(webhookDeliveries.id, deliveryId), inArray(webhookDeliveries.status, ['delivered', 'dead'])))
      .returning();
    // deleted in between by the retention job
    if (!u && (await db.select({ id: webhookDeliveries.id }).from(webhookDeliveries).where(eq(webhookDeliveries.id, deliveryId))).length === 0) {
      throw new NotFound(`Delivery ${deliveryId} of webhook ${id} does not exist`);
    }
    if (!u) throw new Conflict(`Delivery ${deliveryId} is ${d.status}: it will be tried without being asked`, { deliveryStatus: d.status });
    return toDeliveryView(u);
  }

  /** Every dead message of the subscription sent again, oldest first (per-case order holds). */
  async function redeliverDead(actor: Actor, id: number) {
    await load(actor, id);
    const now = clock.now();
    const r = await db
      .update(webhookDeliveries)
      .set({ status: 'pending', attempts: 0, nextAttemptAt: now, lockedUntil: null, lockedBy: null })
      .where(and(eq(webhookDeliveries.webhookId, id), eq(webhookDeliveries.status, 'dead')))
      .returning({ id: webhookDeliveries.id });
    return { requeued: r.length };
  }

  /**
   * Deletes the messages that are finished and older than PAKN_WEBHOOK_RETENTION_DAYS: delivered
   * ones by their delivery, dead ones by their last attempt. Pending and sending ones are never
   * deleted, whatever their age. In batches of `batch` rows (each its own statement, so no long
   * lock), until none is left or the service is stopping.
   */
  async function purgeDeliveries(now: Date, signal?: AbortSignal, batch = PURGE_BATCH): Promise<{ deleted: number; cutoff: string; interrupted?: true }> {
    const cutoff = new Date(now.getTime() - config.PAKN_WEBHOOK_RETENTION_DAYS * DAY_MS);
    const finished = or(
      and(eq(webhookDeliveries.status, 'delivered'), lt(webhookDeliveries.deliveredAt, cutoff)),
      and(eq(webhookDeliveries.status, 'dead'), lt(webhookDeliveries.lastAttemptAt, cutoff)),
    );
    // a message is only attempted once due, so a finished one's next_attempt_at is never after
    // its last attempt: the condition on it adds nothing but lets the due index find the rows
    const purgeable = and(inArray(webhookDeliveries.status, ['delivered', 'dead']), lt(webhookDeliveries.nextAttemptAt, cutoff), finished);
    let deleted = 0;
    for (;;) {
      if (signal?.aborted) return { deleted, cutoff: toLocalIso(cutoff), interrupted: true };
      // rows another transaction holds (an admin sending one again, another instance's purge)
      // are skipped, and the delete checks the conditions again on the row it deletes: a
      // message made pending again in between is kept
      const picked = db.select({ id: webhookDeliveries.id }).from(webhookDeliveries).where(purgeable).orderBy(webhookDeliveries.id).limit(batch).for('update', { skipLocked: true });
      const gone = await db
        .delete(webhookDeliveries)
        .where(and(inArray(webhookDeliveries.id, picked), purgeable))
        .returning({ id: webhookDeliveries.id });
      deleted += gone.length;
      if (gone.length < batch) return { deleted, cutoff: toLocalIso(cutoff) };
    }
  }

  /** Sends a `ping` now (through the same path as every message) and answers how it went. */
  async function test(actor: Actor, id: number) {
    const w = await load(actor, id);
    const now = clock.now();
    const [d] = await db
      .insert(webhookDeliveries)
      .values({ webhookId: w.id, eventType: 'ping', eventAt: now, nextAttemptAt: now, createdAt: now, status: 'sending', attempts: 1, lockedUntil: new Date(now.getTime() + DELIVERY_LEASE_MS), lockedBy: instanceId })
      .returning();
    const outcome = await attempt(w, d, now);
    if (outcome === 'busy') {
      // not sent (no DNS lookup free): the ping is taken back, as if it had not been asked for
      await db.delete(webhookDeliveries).where(and(eq(webhookDeliveries.id, d.id), eq(webhookDeliveries.status, 'pending')));
      throw new ServiceUnavailable('no DNS lookup was free within 5 s (other webhook hosts answer slowly); no ping was sent: try again in a minute', BUSY_RETRY_AFTER_S);
    }
    const [after] = await db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, d.id));
    return { ...toDeliveryView(after), outcome };
  }

  // ------------------------------------------------------------------ the worker

  /** The body of a message (built once, at its first attempt, then sent as is every time). */
  async function payloadOf(w: WebhookRow, d: DeliveryRow): Promise<string> {
    if (d.payload != null) return d.payload;
    let data: unknown;
    if (d.eventType === 'ping') {
      data = { webhookId: w.id, agencyId: w.agencyId };
    } else {
      const item = d.caseId != null ? await deps.cases.feedItem(w.agencyId, d.caseId) : undefined;
      data = item ?? { id: d.caseId, change: 'left_agency', case: null };
    }
    const body = JSON.stringify({
      type: d.eventType,
      timestamp: d.eventAt.toISOString(),
      agencyId: w.agencyId,
      eventId: d.eventId,
      caseVersion: d.caseVersion,
      data,
    });
    const [kept] = await db
      .update(webhookDeliveries)
      .set({ payload: body })
      .where(and(eq(webhookDeliveries.id, d.id), sql`${webhookDeliveries.payload} is null`))
      .returning({ payload: webhookDeliveries.payload });
    if (kept) return body;
    const [again] = await db.select({ payload: webhookDeliveries.payload }).from(webhookDeliveries).where(eq(webhookDeliveries.id, d.id));
    return again?.payload ?? body;
  }

  /** Claims due messages of active subscriptions, each the oldest undelivered one of its case. */
  async function claimDue(now: Date, limit = CLAIM_BATCH): Promise<DeliveryRow[]> {
    const lockedUntil = new Date(now.getTime() + DELIVERY_LEASE_MS);
    return db.transaction(async (tx) => {
      const r = await rows<{ id: string | number }>(
        tx,
        sql`with due as (
              select d.id from webhook_deliveries d join webhooks w on w.id = d.webhook_id
              where w.active
                and ((d.status = 'pending' and d.next_attempt_at <= ${now}) or (d.status = 'sending' and d.locked_until <= ${now}))
                and (d.case_id is null or not exists (
                  select 1 from webhook_deliveries p
                  where p.webhook_id = d.webhook_id and p.case_id = d.case_id and p.id < d.id and p.status in ('pending', 'sending')))
              order by d.next_attempt_at, d.id
              limit ${limit}
              for update of d skip locked
            )
            update webhook_deliveries d set status = 'sending', locked_until = ${lockedUntil}, locked_by = ${instanceId}, attempts = d.attempts + 1
            from due where d.id = due.id
            returning d.id`,
      );
      if (r.length === 0) return [];
      return tx
        .select()
        .from(webhookDeliveries)
        .where(inArray(webhookDeliveries.id, r.map((x) => Number(x.id))))
        .orderBy(webhookDeliveries.nextAttemptAt, webhookDeliveries.id);
    });
  }

  /** The lease is ours as long as the row is still 'sending' with the lock we set. */
  const ours = (d: DeliveryRow) => and(eq(webhookDeliveries.id, d.id), eq(webhookDeliveries.status, 'sending'), eq(webhookDeliveries.lockedUntil, d.lockedUntil!));

  /**
   * One attempt of a claimed message: check the address again, sign, POST, record. Returns what
   * became of it (delivered, failed: tried again later, dead; busy: not attempted, because no
   * DNS lookup was free — put back without counting an attempt, due again BUSY_RETRY_MS after
   * that) and whether its subscription was switched off.
   */
  async function attempt(w: WebhookRow, d: DeliveryRow, now: Date): Promise<'delivered' | 'failed' | 'dead' | 'busy'> {
    const body = await payloadOf(w, d);
    const secrets = [w.secret, ...(w.previousSecret && w.previousSecretUntil && w.previousSecretUntil > now ? [w.previousSecret] : [])];
    const t0 = performance.now();
    let res: SendResult;
    try {
      const target = await resolveTarget(w.url, allowPrivate, lookup);
      res = await postJson(target, signatureHeaders(secrets, d.msgId, now, body), body);
    } catch (err) {
      if (err instanceof LookupBusy) {
        // due again a while after the wait (not at once, nor earlier than the attempt's own time)
        await release([d], new Date(Math.max(clock.now().getTime(), now.getTime()) + BUSY_RETRY_MS));
        metrics.webhookDeliveries.inc({ result: 'busy' });
        return 'busy';
      }
      res = { status: null, error: err instanceof RefusedUrl ? `refused: ${err.message}` : String((err as Error)?.message ?? err).slice(0, 300) };
    }
    const seconds = (performance.now() - t0) / 1000;
    const durationMs = Math.round(seconds * 1000);
    const common = { lockedUntil: null, lockedBy: null, lastAttemptAt: now, lastStatus: res.status, lastDurationMs: durationMs };
    let outcome: 'delivered' | 'failed' | 'dead';
    if (res.error === null) {
      outcome = 'delivered';
      await db.transaction(async (tx) => {
        await tx.update(webhookDeliveries).set({ ...common, status: 'delivered', deliveredAt: now, lastError: null }).where(ours(d));
        await tx.update(webhooks).set({ failingSince: null }).where(and(eq(webhooks.id, w.id), sql`${webhooks.failingSince} is not null`));
      });
    } else {
      const dead = d.attempts >= config.PAKN_WEBHOOK_MAX_ATTEMPTS;
      outcome = dead ? 'dead' : 'failed';
      const disabled = await db.transaction(async (tx) => {
        await tx
          .update(webhookDeliveries)
          .set({ ...common, status: dead ? 'dead' : 'pending', lastError: res.error, nextAttemptAt: dead ? now : new Date(now.getTime() + webhookBackoffMs(d.attempts)) })
          .where(ours(d));
        await tx.update(webhooks).set({ failingSince: now }).where(and(eq(webhooks.id, w.id), sql`${webhooks.failingSince} is null`));
        // failing for three days without one success: switched off, and the agency told
        const off = await tx
          .update(webhooks)
          .set({ active: false, disabledAt: now, disabledReason: `deliveries failed for 3 days (last: ${res.error})`.slice(0, 500), updatedAt: now })
          .where(and(eq(webhooks.id, w.id), eq(webhooks.active, true), sql`${webhooks.failingSince} <= ${new Date(now.getTime() - WEBHOOK_DISABLE_AFTER_MS)}`))
          .returning();
        if (off.length === 0) return false;
        const [a] = await tx.select({ name: agencies.name, contactEmails: agencies.contactEmails, leadEmail: agencies.leadEmail }).from(agencies).where(eq(agencies.id, w.agencyId));
        if (a) {
          await enqueueMessages(
            tx,
            deps.mailDomain,
            [
              {
                template: 'webhook_disabled',
                // the agency's contact addresses, its lead in copy; the lead alone when no contact is set
                to: a.contactEmails.length > 0 ? a.contactEmails : a.leadEmail ? [a.leadEmail] : [],
                cc: a.contactEmails.length > 0 && a.leadEmail ? [a.leadEmail] : [],
                subject: `[PAKN] Đã tạm dừng gửi thông báo tự động (webhook) đến hệ thống của ${a.name}`,
                text:
                  `Kính gửi ${a.name},\n\n` +
                  `Từ ${toLocalIso(off[0].failingSince ?? now)}, hệ thống tiếp nhận phản ánh, kiến nghị không gửi được thông báo tự động (webhook) ` +
                  `đến địa chỉ ${w.url} của cơ quan. Sau 3 ngày liên tục không thành công, việc gửi đã được tạm dừng.\n\n` +
                  `Lỗi gần nhất: ${res.error}\n\n` +
                  `Đề nghị bộ phận kỹ thuật kiểm tra hệ thống nhận, sau đó bật lại webhook (PATCH /api/v1/admin/webhooks/${w.id} với active=true) ` +
                  `và gửi lại các thông báo đã thất bại (POST /api/v1/admin/webhooks/${w.id}/redeliver-dead). ` +
                  `Những thay đổi của hồ sơ trong thời gian tạm dừng không được gửi qua webhook: hệ thống của cơ quan lấy chúng qua ` +
                  `GET /api/v1/agencies/${w.agencyId}/feed (từ thời điểm tạm dừng).\n`,
              },
            ],
            now,
          );
        }
        return true;
      });
      if (disabled) {
        metrics.webhookDisabled.inc();
        log.warn({ webhookId: w.id, agencyId: w.agencyId }, 'webhook switched off after failing for 3 days');
      }
      log.warn({ webhookId: w.id, deliveryId: d.id, eventType: d.eventType, caseId: d.caseId, attempts: d.attempts, outcome, status: res.status, error: res.error }, 'webhook delivery failed');
    }
    metrics.webhookDeliveries.inc({ result: outcome });
    metrics.webhookDuration.observe({ result: outcome === 'delivered' ? 'delivered' : 'failed' }, seconds);
    return outcome;
  }

  /** Claimed messages handed back without an attempt (the claim's count undone), due as they were or at `due`. */
  async function release(ds: DeliveryRow[], due?: Date) {
    for (const d of ds) {
      await db
        .update(webhookDeliveries)
        .set({ status: 'pending', lockedUntil: null, lockedBy: null, attempts: sql`greatest(${webhookDeliveries.attempts} - 1, 0)`, ...(due ? { nextAttemptAt: due } : {}) })
        .where(ours(d));
    }
  }

  /**
   * One worker run at `now`: every due message, in batches, until none is left (a case's next
   * message becomes due when the one before it is delivered). When `signal` aborts, the message
   * being sent is finished and recorded and the rest of the batch released for another instance.
   * When a message finds no DNS lookup free (busy), the rest of its batch is released untouched
   * and the run stops: the next run tries again, rather than wait on congested lookups.
   */
  async function run(now: Date, opts: { signal?: AbortSignal } = {}): Promise<WebhookRunResult> {
    const { signal } = opts;
    const result: WebhookRunResult = { claimed: 0, delivered: 0, failed: 0, dead: 0, busy: 0, released: 0, disabled: 0, interrupted: false };
    // a run can outlast a lease (many messages, slow receivers): each claim, signature and backoff
    // takes the time of its own moment, never earlier than the run's start
    const current = (): Date => {
      const c = clock.now();
      return c > now ? c : now;
    };
    while (!signal?.aborted && result.claimed < MAX_PER_RUN) {
      const batch = await claimDue(current());
      if (batch.length === 0) break;
      result.claimed += batch.length;
      const busyBefore = result.busy;
      const subs = new Map((await db.select().from(webhooks).where(inArray(webhooks.id, [...new Set(batch.map((d) => d.webhookId))]))).map((w) => [w.id, w]));
      let next = 0;
      const unsent: DeliveryRow[] = [];
      const worker = async () => {
        for (;;) {
          const d = batch[next++];
          if (!d) return;
          const w = subs.get(d.webhookId);
          // stopping, lookups congested, or switched off by an earlier message of this batch: put back untouched
          if (signal?.aborted || result.busy > busyBefore || !w || !w.active) {
            unsent.push(d);
            continue;
          }
          const outcome = await attempt(w, d, current());
          result[outcome]++;
          if (outcome === 'failed' || outcome === 'dead') {
            const [fresh] = await db.select({ active: webhooks.active }).from(webhooks).where(eq(webhooks.id, w.id));
            if (fresh && !fresh.active && w.active) {
              result.disabled++;
              w.active = false;
            }
          }
        }
      };
      await Promise.all(Array.from({ length: PARALLEL }, worker));
      if (unsent.length) {
        await release(unsent);
        result.released += unsent.length;
      }
      // host lookups are congested: the next run tries again (this one would only wait on them)
      if (result.busy > busyBefore) {
        log.warn({ busy: result.busy }, 'webhook messages put back without an attempt: no DNS lookup was free (other hosts answer slowly)');
        break;
      }
    }
    result.interrupted = !!signal?.aborted;
    return result;
  }

  return {
    create,
    list,
    get,
    update,
    remove,
    rotateSecret,
    deliveries,
    redeliver,
    redeliverDead,
    test,
    run,
    purgeDeliveries,
    useLogger(l: Logger) {
      log = l;
    },
  };
}

export type WebhookService = ReturnType<typeof createWebhookService>;
