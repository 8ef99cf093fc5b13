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
}

export interface OutboxRunResult {
  smtp: 'configured' | 'not_configured';
  claimed: number;
  sent: number;
  failed: number;
  dead: number;
  /** claimed but put back untouched because the SMTP server could not be reached */
  released: number;
  /** messages waiting (pending, any time) after the run */
  pending: number;
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

/**
 * The outbox worker and its admin: claims due messages in a short transaction (FOR UPDATE SKIP
 * LOCKED, so instances split the work), sends them after commit, records the result. A claimed
 * message whose lease ran out (its worker died) is claimable again.
 */
export function createNotificationService(deps: { db: Db; config: Config; clock: { now(): Date } }) {
  const { db, config } = deps;
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
              update outbox o set status = 'sending', locked_until = ${lockedUntil}, attempts = o.attempts + 1
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
      }));
    });
  }

  /** The lease is ours as long as the row is still 'sending' with the lock we set. */
  const ours = (m: ClaimedMessage) => and(eq(outbox.id, m.id), eq(outbox.status, 'sending'), eq(outbox.lockedUntil, m.lockedUntil));

  async function markSent(m: ClaimedMessage, now: Date, note: string | null) {
    await db.update(outbox).set({ status: 'sent', sentAt: now, lockedUntil: null, lastError: note }).where(ours(m));
  }

  async function markFailed(m: ClaimedMessage, now: Date, err: unknown): Promise<'failed' | 'dead'> {
    const dead = m.attempts >= config.PAKN_OUTBOX_MAX_ATTEMPTS;
    await db
      .update(outbox)
      .set({
        status: dead ? 'dead' : 'pending',
        lockedUntil: null,
        nextAttemptAt: dead ? now : new Date(now.getTime() + backoffMs(m.attempts)),
        lastError: describeError(err),
      })
      .where(ours(m));
    return dead ? 'dead' : 'failed';
  }

  /** Puts claimed messages back as they were (the attempt did not happen). */
  async function release(ms: ClaimedMessage[]) {
    for (const m of ms) {
      await db
        .update(outbox)
        .set({ status: 'pending', lockedUntil: null, attempts: sql`greatest(${outbox.attempts} - 1, 0)` })
        .where(ours(m));
    }
  }

  async function send(t: Transporter, m: ClaimedMessage) {
    const info = await t.sendMail({
      from: config.MAIL_FROM,
      to: m.toAddrs,
      cc: m.ccAddrs.length ? m.ccAddrs : undefined,
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
    const rejected = (info.rejected ?? []).length;
    return rejected > 0 ? `${rejected} recipient(s) refused by the server` : null;
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

  /** One worker run at `now`: delivers every due message, in batches. */
  async function runOutbox(now: Date): Promise<OutboxRunResult> {
    const result: OutboxRunResult = { smtp: config.SMTP_URL ? 'configured' : 'not_configured', claimed: 0, sent: 0, failed: 0, dead: 0, released: 0, pending: 0 };
    const t = getTransport();
    if (!t) {
      await logUnsendable();
      result.pending = await countPending();
      return result;
    }
    let serverDown = false;
    while (!serverDown && result.claimed < MAX_PER_RUN) {
      const batch = await claimDue(now);
      if (batch.length === 0) break;
      result.claimed += batch.length;
      let next = 0;
      const unsent: ClaimedMessage[] = [];
      const worker = async () => {
        for (;;) {
          const m = batch[next++];
          if (!m) return;
          if (serverDown) {
            unsent.push(m);
            continue;
          }
          try {
            const note = await send(t, m);
            await markSent(m, now, note);
            result.sent++;
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
        .set({ status: 'pending', attempts: m.status === 'dead' ? 0 : m.attempts, nextAttemptAt: now, lockedUntil: null })
        .where(eq(outbox.id, id))
        .returning();
      return toItem(u);
    });
  }

  return {
    runOutbox,
    claimDue,
    list,
    retry,
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
  };
}

export type NotificationService = ReturnType<typeof createNotificationService>;
