import { and, desc, eq, lt, sql, type SQL } from 'drizzle-orm';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Config } from '../../config.js';
import { rows, type Db } from '../../db/client.js';
import { outbox } from '../../db/schema.js';
import { Conflict, NotFound } from '../../lib/errors.js';

export const OUTBOX_STATUSES = ['pending', 'sending', 'sent', 'dead'] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

/** How long a claimed message stays reserved for the worker that claimed it. */
export const CLAIM_LEASE_MS = 5 * 60_000;
const BACKOFF_BASE_MS = 60_000;
const BACKOFF_CAP_MS = 6 * 3_600_000;
/** messages claimed per short claiming transaction */
const CLAIM_BATCH = 50;
/** a run stops after this many messages; the next run takes the rest */
const MAX_PER_RUN = 5000;
/** messages sent at once by one worker (the transport pools this many connections) */
const PARALLEL = 3;

/** Delay before the next attempt after `attempts` failed ones: 1 min × 2^(attempts-1), at most 6 h. */
export function backoffMs(attempts: number): number {
  return Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempts - 1));
}

export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}
const silent: Logger = { info() {}, warn() {}, error() {} };

export interface ClaimedMessage {
  id: number;
  messageId: string;
  template: string;
  caseId: number | null;
  trackingCode: string | null;
  toAddrs: string[];
  ccAddrs: string[];
  subject: string;
  textBody: string;
  htmlBody: string | null;
  attempts: number;
  lockedUntil: Date;
  /** recipients that already have it (an earlier attempt), and those refused for good */
  deliveredTo: string[];
  refusedTo: string[];
}

export interface OutboxRunResult {
  smtp: 'configured' | 'not_configured';
  claimed: number;
  sent: number;
  failed: number;
  dead: number;
  /** claimed but put back untouched: the SMTP server could not be reached, or the service is stopping */
  released: number;
  /** messages waiting (pending, any time) after the run */
  pending: number;
  /** the run stopped early because the service is shutting down */
  interrupted: boolean;
}

/** What the SMTP server said about each recipient of one attempt. */
export interface RecipientFate {
  accepted: string[];
  /** refused with a temporary (4xx) answer: tried again after a backoff */
  deferred: Array<{ address: string; code: number | null; reply: string }>;
  /** refused with a permanent (5xx) answer: not tried again unless an operator retries */
  refused: Array<{ address: string; code: number | null; reply: string }>;
}

export interface OutboxItem {
  id: number;
  messageId: string;
  template: string;
  caseId: number | null;
  to: string[];
  cc: string[];
  subject: string;
  status: string;
  attempts: number;
  nextAttemptAt: Date;
  lockedUntil: Date | null;
  lastError: string | null;
  createdAt: Date;
  sentAt: Date | null;
  lockedBy: string | null;
  deliveredTo: string[];
  refusedTo: string[];
}

export interface OutboxSummary {
  byStatus: Record<OutboxStatus, number>;
  byTemplate: Array<{ status: OutboxStatus; template: string; count: number }>;
  oldestPendingAt: Date | null;
  oldestPendingAgeSeconds: number | null;
  nextAttemptAt: Date | null;
  dueNow: number;
  leases: Array<{ instance: string | null; count: number; expired: number; leasedUntil: Date | null }>;
}

export interface RetryFilter {
  status: 'pending' | 'dead' | 'stale_sending';
  template?: string;
  caseId?: number;
  since?: Date;
  /** with stale_sending: also every lease held by this instance */
  instance?: string;
}

/** Errors that say the server is unreachable or refusing service, not that this message is wrong. */
function serverUnavailable(err: unknown): boolean {
  const e = err as { code?: string; responseCode?: number } | null;
  if (!e) return false;
  if (e.responseCode === 421) return true;
  return ['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNREFUSED', 'ECONNRESET', 'EPROTOCOL'].includes(e.code ?? '') && !e.responseCode;
}

/** A short description of a delivery error, without addresses or message content. */
function describeError(err: unknown): string {
  const e = err as { code?: string; responseCode?: number; command?: string; message?: string } | null;
  const parts = [e?.code, e?.responseCode ? String(e.responseCode) : undefined, e?.command].filter(Boolean);
  const msg = (e?.message ?? String(err)).replace(/<[^>]*@[^>]*>/g, '<…>').replace(/\S+@\S+/g, '…').slice(0, 300);
  return `${parts.join(' ')}${parts.length ? ': ' : ''}${msg}`;
}

type RcptError = { recipient?: string; responseCode?: number; response?: string; message?: string };

/** Splits refused recipients (nodemailer's rejectedErrors) into temporary and permanent. */
export function recipientFate(accepted: string[], rejectedErrors: RcptError[] | undefined, rejected: string[] = []): RecipientFate {
  const fate: RecipientFate = { accepted: [...accepted], deferred: [], refused: [] };
  const seen = new Set<string>();
  for (const e of rejectedErrors ?? []) {
    if (!e.recipient) continue;
    seen.add(e.recipient);
    const code = e.responseCode ?? null;
    const item = { address: e.recipient, code, reply: oneLine(e.response ?? e.message ?? '') };
    // no code (connection trouble at RCPT time) counts as temporary
    if (code !== null && code >= 500) fate.refused.push(item);
    else fate.deferred.push(item);
  }
  for (const a of rejected) if (!seen.has(a)) fate.deferred.push({ address: a, code: null, reply: 'refused' });
  return fate;
}

const oneLine = (s: string) => s.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim().slice(0, 200);

/** "451 b@x: reply; 550 c@y: reply" — names each refused address (shown to admin only). */
function describeRefusals(items: RecipientFate['deferred']): string {
  return items.map((i) => `${i.code ?? 'refused'} ${i.address}${i.reply ? `: ${i.reply}` : ''}`).join('; ').slice(0, 1000);
}

/**
 * The outbox worker and its admin: claims due messages in a short transaction (FOR UPDATE SKIP
 * LOCKED, so instances split the work), sends them after commit, records the result. A claimed
 * message whose lease ran out (its worker died) is claimable again.
 */
export function createNotificationService(deps: { db: Db; config: Config; clock: { now(): Date }; instanceId: string }) {
  const { db, config, instanceId } = deps;
  let log: Logger = silent;
  let transport: Transporter | null = null;

  function getTransport(): Transporter | null {
    if (!config.SMTP_URL) return null;
    if (!transport) {
      // options in the URL's query (e.g. ?ignoreTLS=true) are nodemailer's own
      transport = nodemailer.createTransport({
        url: config.SMTP_URL,
        pool: true,
        maxConnections: PARALLEL,
        maxMessages: 100,
        connectionTimeout: 10_000,
        greetingTimeout: 10_000,
        socketTimeout: 30_000,
      });
    }
    return transport;
  }

  /** Claims up to `limit` due messages (pending and due, or sending with an expired lease). */
  async function claimDue(now: Date, limit = CLAIM_BATCH): Promise<ClaimedMessage[]> {
    const lockedUntil = new Date(now.getTime() + CLAIM_LEASE_MS);
    return db.transaction(async (tx) => {
      const r = await rows<{
        id: string | number;
        message_id: string;
        template: string;
        case_id: string | number | null;
        tracking_code: string | null;
        to_addrs: string[];
        cc_addrs: string[];
        subject: string;
        text_body: string;
        html_body: string | null;
        attempts: number;
        delivered_to: string[];
        refused_to: string[];
      }>(
        tx,
        sql`with due as (
              select id from outbox
              where (status = 'pending' and next_attempt_at <= ${now})
                 or (status = 'sending' and locked_until <= ${now})
              order by next_attempt_at, id
              limit ${limit}
              for update skip locked
            ), claimed as (
              update outbox o set status = 'sending', locked_until = ${lockedUntil}, locked_by = ${instanceId}, attempts = o.attempts + 1
              from due where o.id = due.id
              returning o.*
            )
            select claimed.*, c.tracking_code from claimed left join cases c on c.id = claimed.case_id
            order by claimed.next_attempt_at, claimed.id`,
      );
      return r.map((m) => ({
        id: Number(m.id),
        messageId: m.message_id,
        template: m.template,
        caseId: m.case_id == null ? null : Number(m.case_id),
        trackingCode: m.tracking_code,
        toAddrs: m.to_addrs,
        ccAddrs: m.cc_addrs,
        subject: m.subject,
        textBody: m.text_body,
        htmlBody: m.html_body,
        attempts: m.attempts,
        lockedUntil,
        deliveredTo: m.delivered_to ?? [],
        refusedTo: m.refused_to ?? [],
      }));
    });
  }

  /** The lease is ours as long as the row is still 'sending' with the lock we set. */
  const ours = (m: ClaimedMessage) => and(eq(outbox.id, m.id), eq(outbox.status, 'sending'), eq(outbox.lockedUntil, m.lockedUntil));

  async function markSent(m: ClaimedMessage, now: Date, deliveredTo: string[]) {
    await db
      .update(outbox)
      .set({ status: 'sent', sentAt: now, lockedUntil: null, lockedBy: null, lastError: null, deliveredTo })
      .where(ours(m));
  }

  async function markFailed(m: ClaimedMessage, now: Date, err: unknown): Promise<'failed' | 'dead'> {
    const dead = m.attempts >= config.PAKN_OUTBOX_MAX_ATTEMPTS;
    await db
      .update(outbox)
      .set({
        status: dead ? 'dead' : 'pending',
        lockedUntil: null,
        lockedBy: null,
        nextAttemptAt: dead ? now : new Date(now.getTime() + backoffMs(m.attempts)),
        lastError: describeError(err),
      })
      .where(ours(m));
    return dead ? 'dead' : 'failed';
  }

  /**
   * Records an attempt some recipients refused: the accepted ones are never sent to again; the
   * deferred ones (4xx) are tried again after a backoff (dead after the last attempt); the refused
   * ones (5xx) make the message dead once no recipient is left to try. The error names each address.
   */
  async function markPartial(m: ClaimedMessage, now: Date, fate: RecipientFate): Promise<'sent' | 'failed' | 'dead'> {
    const deliveredTo = [...new Set([...m.deliveredTo, ...fate.accepted])];
    const lastAttempt = m.attempts >= config.PAKN_OUTBOX_MAX_ATTEMPTS;
    const refused = lastAttempt ? [...fate.refused, ...fate.deferred] : fate.refused;
    const deferred = lastAttempt ? [] : fate.deferred;
    const refusedTo = [...new Set([...m.refusedTo, ...refused.map((r) => r.address)])];
    const status = deferred.length ? 'pending' : refusedTo.length ? 'dead' : 'sent';
    await db
      .update(outbox)
      .set({
        status,
        lockedUntil: null,
        lockedBy: null,
        deliveredTo,
        refusedTo,
        nextAttemptAt: status === 'pending' ? new Date(now.getTime() + backoffMs(m.attempts)) : now,
        lastError: status === 'sent' ? null : describeRefusals([...deferred, ...refused]),
        // sent_at: when it last reached someone
        ...(fate.accepted.length ? { sentAt: now } : {}),
      })
      .where(ours(m));
    return status === 'pending' ? 'failed' : status;
  }

  /** Puts claimed messages back as they were (the attempt did not happen). */
  async function release(ms: ClaimedMessage[]) {
    for (const m of ms) {
      await db
        .update(outbox)
        .set({ status: 'pending', lockedUntil: null, lockedBy: null, attempts: sql`greatest(${outbox.attempts} - 1, 0)` })
        .where(ours(m));
    }
  }

  /** The recipients still to send to: every address not accepted earlier nor refused for good. */
  function remaining(m: ClaimedMessage): string[] {
    const skip = new Set([...m.deliveredTo, ...m.refusedTo].map((a) => a.toLowerCase()));
    return [...new Set([...m.toAddrs, ...m.ccAddrs])].filter((a) => !skip.has(a.toLowerCase()));
  }

  /** Sends to the remaining recipients (the headers keep every To and Cc); what each recipient's fate was. */
  async function send(t: Transporter, m: ClaimedMessage, to: string[]): Promise<RecipientFate> {
    try {
      const info = await t.sendMail({
        from: config.MAIL_FROM,
        to: m.toAddrs,
        cc: m.ccAddrs.length ? m.ccAddrs : undefined,
        envelope: { from: addressOf(config.MAIL_FROM), to },
        subject: m.subject,
        text: m.textBody,
        html: m.htmlBody ?? undefined,
        messageId: m.messageId,
        headers: {
          ...(m.trackingCode ? { 'X-Pakn-Case': m.trackingCode } : {}),
          'X-Pakn-Template': m.template,
          'Auto-Submitted': 'auto-generated',
        },
      });
      const accepted = (info.accepted ?? []).map(String);
      const rejected = (info.rejected ?? []).map(String);
      return recipientFate(accepted, (info as { rejectedErrors?: RcptError[] }).rejectedErrors, rejected);
    } catch (err) {
      // every recipient refused: each one's fate is known; anything else is a failure of the message
      const e = err as { code?: string; rejectedErrors?: RcptError[] };
      if (e?.code === 'EENVELOPE' && e.rejectedErrors?.length) return recipientFate([], e.rejectedErrors);
      throw err;
    }
  }

  async function countPending(): Promise<number> {
    const [r] = await rows<{ n: number }>(db, sql`select count(*)::int as n from outbox where status = 'pending'`);
    return Number(r.n);
  }

  /** Without SMTP: log each newly pending message once (template, case, recipient count) and keep it. */
  async function logUnsendable(): Promise<number> {
    const r = await rows<{ id: string | number; template: string; case_id: string | number | null; n: number }>(
      db,
      sql`update outbox set last_error = 'not sent: SMTP_URL is not configured'
          where status = 'pending' and last_error is null
          returning id, template, case_id, cardinality(to_addrs) + cardinality(cc_addrs) as n`,
    );
    for (const m of r) {
      log.info({ outboxId: Number(m.id), template: m.template, caseId: m.case_id == null ? null : Number(m.case_id), recipients: Number(m.n) }, 'e-mail kept in the outbox: SMTP_URL is not configured');
    }
    return r.length;
  }

  /**
   * One worker run at `now`: delivers every due message, in batches. When `signal` aborts (the
   * service is stopping) no more messages are claimed or started; a message being sent is
   * finished and recorded; the rest of the batch is released at once for another instance.
   */
  async function runOutbox(now: Date, opts: { signal?: AbortSignal } = {}): Promise<OutboxRunResult> {
    const { signal } = opts;
    const result: OutboxRunResult = { smtp: config.SMTP_URL ? 'configured' : 'not_configured', claimed: 0, sent: 0, failed: 0, dead: 0, released: 0, pending: 0, interrupted: false };
    const t = getTransport();
    if (!t) {
      await logUnsendable();
      result.pending = await countPending();
      return result;
    }
    let serverDown = false;
    while (!serverDown && !signal?.aborted && result.claimed < MAX_PER_RUN) {
      const batch = await claimDue(now);
      if (batch.length === 0) break;
      result.claimed += batch.length;
      let next = 0;
      const unsent: ClaimedMessage[] = [];
      const worker = async () => {
        for (;;) {
          const m = batch[next++];
          if (!m) return;
          if (serverDown || signal?.aborted) {
            unsent.push(m);
            continue;
          }
          const to = remaining(m);
          try {
            if (to.length === 0) {
              // every recipient was dealt with by an earlier attempt
              const r = await markPartial(m, now, { accepted: [], deferred: [], refused: [] });
              result[r]++;
              continue;
            }
            const fate = await send(t, m, to);
            if (fate.deferred.length === 0 && fate.refused.length === 0) {
              await markSent(m, now, [...new Set([...m.deliveredTo, ...fate.accepted])]);
              result.sent++;
            } else {
              const r = await markPartial(m, now, fate);
              result[r]++;
              log.warn(
                { outboxId: m.id, template: m.template, caseId: m.caseId, attempts: m.attempts, outcome: r, accepted: fate.accepted.length, deferred: fate.deferred.length, refused: fate.refused.length },
                'e-mail refused for some recipients',
              );
            }
          } catch (err) {
            if (serverUnavailable(err)) serverDown = true;
            const r = await markFailed(m, now, err);
            result[r]++;
            log.warn({ outboxId: m.id, template: m.template, caseId: m.caseId, attempts: m.attempts, outcome: r, error: describeError(err) }, 'e-mail delivery failed');
          }
        }
      };
      await Promise.all(Array.from({ length: PARALLEL }, worker));
      if (unsent.length) {
        await release(unsent);
        result.released += unsent.length;
      }
      if (batch.length < CLAIM_BATCH) break;
    }
    result.interrupted = !!signal?.aborted;
    result.pending = await countPending();
    return result;
  }

  async function list(q: { status?: OutboxStatus; caseId?: number; limit: number; cursor?: number }): Promise<{ items: OutboxItem[]; nextCursor: string | null }> {
    const where: SQL[] = [];
    if (q.status) where.push(eq(outbox.status, q.status));
    if (q.caseId) where.push(eq(outbox.caseId, q.caseId));
    if (q.cursor) where.push(lt(outbox.id, q.cursor));
    const r = await db
      .select()
      .from(outbox)
      .where(where.length ? and(...where) : undefined)
      .orderBy(desc(outbox.id))
      .limit(q.limit + 1);
    const items = r.slice(0, q.limit).map(toItem);
    return { items, nextCursor: r.length > q.limit ? String(items[items.length - 1].id) : null };
  }

  /** A dead message (or a pending one waiting for its backoff) is tried again at the next run. */
  async function retry(id: number, now: Date): Promise<OutboxItem> {
    return db.transaction(async (tx) => {
      const [m] = await tx.select().from(outbox).where(eq(outbox.id, id)).for('update');
      if (!m) throw new NotFound(`outbox message ${id} does not exist`);
      if (m.status !== 'dead' && m.status !== 'pending') {
        throw new Conflict(`outbox message ${id} is ${m.status}; only dead or pending messages can be retried`, { outboxStatus: m.status });
      }
      const [u] = await tx
        .update(outbox)
        .set({ status: 'pending', attempts: m.status === 'dead' ? 0 : m.attempts, nextAttemptAt: now, lockedUntil: null, lockedBy: null, refusedTo: [] })
        .where(eq(outbox.id, id))
        .returning();
      return toItem(u);
    });
  }

  /**
   * The outbox at a glance: counts by status (and, for unsent messages, by template), the oldest
   * pending message, the next attempt due, and who holds leases. Each figure is one indexed query.
   */
  async function summary(now: Date): Promise<OutboxSummary> {
    const byStatus = await rows<{ status: string; n: number }>(db, sql`select status, count(*)::int as n from outbox group by status`);
    const byTemplate = await rows<{ status: string; template: string; n: number }>(
      db,
      sql`select status, template, count(*)::int as n from outbox where status in ('pending', 'sending', 'dead') group by status, template order by status, template`,
    );
    const [p] = await rows<{ oldest: Date | string | null; next: Date | string | null; due: number }>(
      db,
      sql`select (select min(created_at) from outbox where status = 'pending') as oldest,
                 (select min(next_attempt_at) from outbox where status = 'pending') as next,
                 (select count(*)::int from outbox where status = 'pending' and next_attempt_at <= ${now}) as due`,
    );
    const leases = await rows<{ instance: string | null; n: number; expired: number; until: Date | string | null }>(
      db,
      sql`select locked_by as instance, count(*)::int as n, count(*) filter (where locked_until <= ${now})::int as expired, max(locked_until) as until
          from outbox where status = 'sending' group by locked_by order by locked_by`,
    );
    const counts = { pending: 0, sending: 0, sent: 0, dead: 0 } as Record<OutboxStatus, number>;
    for (const r of byStatus) if (r.status in counts) counts[r.status as OutboxStatus] = Number(r.n);
    const date = (v: Date | string | null) => (v ? new Date(v) : null);
    const oldest = date(p?.oldest ?? null);
    return {
      byStatus: counts,
      byTemplate: byTemplate.map((r) => ({ status: r.status as OutboxStatus, template: r.template, count: Number(r.n) })),
      oldestPendingAt: oldest,
      oldestPendingAgeSeconds: oldest ? Math.max(0, Math.round((now.getTime() - oldest.getTime()) / 1000)) : null,
      nextAttemptAt: date(p?.next ?? null),
      dueNow: Number(p?.due ?? 0),
      leases: leases.map((r) => ({ instance: r.instance, count: Number(r.n), expired: Number(r.expired), leasedUntil: date(r.until) })),
    };
  }

  /**
   * Retries every message matching the filter in one statement and answers how many:
   * pending → due now; dead → pending again with its attempts starting over (recipients that
   * accepted it are not sent to again); stale_sending → leases that ran out, or every lease of the
   * named instance (one the operator knows is gone), handed back at once.
   */
  async function retryMatching(f: RetryFilter, now: Date): Promise<number> {
    const where: SQL[] = [];
    if (f.status === 'stale_sending') {
      where.push(sql`status = 'sending'`);
      where.push(f.instance ? sql`(locked_until <= ${now} or locked_by = ${f.instance})` : sql`locked_until <= ${now}`);
    } else {
      where.push(sql`status = ${f.status}`);
    }
    if (f.template) where.push(sql`template = ${f.template}`);
    if (f.caseId) where.push(sql`case_id = ${f.caseId}`);
    if (f.since) where.push(sql`created_at >= ${f.since}`);
    const set =
      f.status === 'dead'
        ? sql`status = 'pending', attempts = 0, refused_to = '{}'::text[], next_attempt_at = ${now}, locked_until = null, locked_by = null`
        : sql`status = 'pending', next_attempt_at = ${now}, locked_until = null, locked_by = null`;
    const r = await rows<{ n: number }>(
      db,
      sql`with u as (update outbox set ${set} where ${sql.join(where, sql` and `)} returning 1) select count(*)::int as n from u`,
    );
    return Number(r[0]?.n ?? 0);
  }

  return {
    runOutbox,
    claimDue,
    list,
    retry,
    summary,
    retryMatching,
    /** routes give the worker the app's logger */
    useLogger(l: Logger) {
      log = l;
    },
    close() {
      transport?.close();
      transport = null;
    },
  };
}

function toItem(m: typeof outbox.$inferSelect): OutboxItem {
  return {
    id: m.id,
    messageId: m.messageId,
    template: m.template,
    caseId: m.caseId,
    to: m.toAddrs,
    cc: m.ccAddrs,
    subject: m.subject,
    status: m.status,
    attempts: m.attempts,
    nextAttemptAt: m.nextAttemptAt,
    lockedUntil: m.lockedUntil,
    lastError: m.lastError,
    createdAt: m.createdAt,
    sentAt: m.sentAt,
    lockedBy: m.lockedBy,
    deliveredTo: m.deliveredTo,
    refusedTo: m.refusedTo,
  };
}

/** The bare address of a From header value ("Name <a@b>" → a@b). */
function addressOf(from: string): string {
  const m = /<([^>]+)>\s*$/.exec(from);
  return (m ? m[1] : from).trim();
}

export type NotificationService = ReturnType<typeof createNotificationService>;
