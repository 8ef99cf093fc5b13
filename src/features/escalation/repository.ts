import type { OutboxRow } from '../notifications/outbox.js';
import { and, eq, gt, inArray, lt, lte, or, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import { rows, type Db, type Executor, type Tx } from '../../db/client.js';
import { mapRow } from '../../db/fast.js';
import { agencies, cases, escalations } from '../../db/schema.js';
import type { CaseRow } from '../cases/deadlines.js';

export const LEVELS = ['due_soon', 'accept_overdue', 'overdue', 'serious', 'triage_stale', 'auto_close'] as const;
export type Level = (typeof LEVELS)[number];

/** SQL: the case has no claim of this level for this deadline. */
export const notFired = (level: Level, deadline: SQLWrapper) =>
  sql`not exists (select 1 from ${escalations} e where e.case_id = ${cases.id} and e.level = ${level} and e.deadline_at = ${deadline})`;

/** A candidate of a sweep: its id, the instant that matters and what the sweep asked about it. */
export interface Candidate {
  id: number;
  at: Date;
  /** a duration from the case's frozen policy (warnBefore, overdueEscalateAfter, awaitingBusinessLimit) */
  limit: unknown;
  /** levels already claimed for this deadline */
  fired: Set<Level>;
}

/**
 * The cases matching `where` (an index-backed condition), oldest first, with the instant `at`,
 * a limit from the frozen policy and which of `levels` already fired for `deadline`.
 *
 * The query runs with sequential scans and JIT off: every condition has an index, and the
 * planner cannot estimate some of them (`accepted_at < assigned_at` compares two columns, so
 * it assumes a third of all assigned cases), which made it read the whole table to find none.
 */
export async function candidates(
  db: Db,
  q: { where: SQL; at: SQLWrapper; limit?: SQL; levels?: Array<{ level: Level; deadline: SQLWrapper }> },
): Promise<Candidate[]> {
  const flags = (q.levels ?? []).map((l) => sql`, not ${notFired(l.level, l.deadline)} as ${sql.raw(`"f_${l.level}"`)}`);
  const r = await db.transaction(async (tx) => {
    await tx.execute(sql`set local enable_seqscan = off`);
    await tx.execute(sql`set local jit = off`);
    return rows<Record<string, unknown>>(
      tx,
      sql`select ${cases.id} as id, ${q.at} as at, ${q.limit ?? sql`null`} as lim ${sql.join(flags, sql` `)}
          from ${cases} where ${q.where} order by 2, 1`,
    );
  });
  return r.map((x) => ({
    id: Number(x.id),
    at: new Date(x.at as string),
    limit: typeof x.lim === 'string' ? JSON.parse(x.lim) : x.lim,
    fired: new Set((q.levels ?? []).filter((l) => x[`f_${l.level}`] === true).map((l) => l.level)),
  }));
}

/** The candidates of one chunk that still match, locked; rows another run holds are skipped. */
export async function lockCases(tx: Tx, ids: number[], where: SQL): Promise<CaseRow[]> {
  if (ids.length === 0) return [];
  // plain SQL and mapRow (db/fast.ts): less CPU per row than the select builder's mapping
  const r = await rows<Record<string, unknown>>(
    tx,
    sql`select * from ${cases} where ${and(inArray(cases.id, ids), where)} order by ${cases.id} for update skip locked`,
  );
  return r.map((x) => mapRow(cases, x));
}

export interface Claim {
  caseId: number;
  level: Level;
  deadlineAt: Date;
}

/** INSERT … ON CONFLICT DO NOTHING RETURNING: the firings this transaction won. */
export async function claim(tx: Tx, claims: Claim[], now: Date): Promise<Claim[]> {
  if (claims.length === 0) return [];
  const won = await tx
    .insert(escalations)
    .values(claims.map((c) => ({ ...c, firedAt: now })))
    .onConflictDoNothing()
    .returning({ caseId: escalations.caseId, level: escalations.level, deadlineAt: escalations.deadlineAt });
  return won.map((w) => ({ caseId: w.caseId, level: w.level as Level, deadlineAt: w.deadlineAt }));
}

/** One firing of a chunk, with what it writes if its claim is won. */
export interface FiringRow extends Claim {
  /** escalationLevel this level sets */
  lvl: number;
  /** the case's escalationLevel when locked */
  base: number;
  /** the timeline event (its data gets `escalationLevel` in SQL) */
  actorLabel: string;
  internalText: string;
  data: Record<string, unknown>;
  /** the outgoing mail, if any: an outbox row as enqueueMessages writes it */
  mail: null | OutboxRow;
}

/**
 * Claims the firings of a chunk and, for those won, writes in the same statement (one round
 * trip, data passed as one JSON parameter): the timeline event (action `escalate`, system
 * actor, in firing order), the outgoing mail (an outbox row as enqueueMessages writes it) and
 * the raised escalation level (never lowered; the case's version is left alone). An event's
 * `data.escalationLevel` is the case's level once this firing and those before it are applied.
 * Returns the indexes (into `firings`) of the firings won.
 */
export async function fireChunk(tx: Tx, firings: FiringRow[], now: Date): Promise<Set<number>> {
  if (firings.length === 0) return new Set();
  const json = JSON.stringify(
    firings.map((f, ord) => ({
      ord,
      case_id: f.caseId,
      level: f.level,
      deadline_at: f.deadlineAt.toISOString(),
      lvl: f.lvl,
      base: f.base,
      actor_label: f.actorLabel,
      internal_text: f.internalText,
      data: f.data,
      message_id: f.mail?.messageId ?? null,
      template: f.mail?.template ?? null,
      to_addrs: f.mail?.toAddrs ?? null,
      cc_addrs: f.mail?.ccAddrs ?? null,
      subject: f.mail?.subject ?? null,
      text_body: f.mail?.textBody ?? null,
      html_body: f.mail?.htmlBody ?? null,
      next_attempt_at: f.mail?.nextAttemptAt.toISOString() ?? null,
    })),
  );
  const won = await rows<{ ord: number }>(
    tx,
    sql`with f as (
          select * from jsonb_to_recordset(${json}::jsonb) as x(
            ord int, case_id bigint, level text, deadline_at timestamptz, lvl int, base int, actor_label text,
            internal_text text, data jsonb, message_id text, template text, to_addrs text[], cc_addrs text[],
            subject text, text_body text, html_body text, next_attempt_at timestamptz)
        ),
        won as (
          insert into escalations (case_id, level, deadline_at, fired_at)
          select case_id, level, deadline_at, ${now} from f order by ord
          on conflict do nothing
          returning case_id, level, deadline_at
        ),
        w as (
          select f.*, greatest(f.base, max(f.lvl) over (partition by f.case_id order by f.ord)) as esc
          from f join won using (case_id, level, deadline_at)
        ),
        ev as (
          insert into case_events (case_id, at, actor_user_id, actor_role, actor_label, action, from_status, to_status,
            public_text, internal_text, data)
          select case_id, ${now}, null, 'system', actor_label, 'escalate', null, null,
            null, internal_text, data || jsonb_build_object('escalationLevel', esc)
          from w order by ord
        ),
        ob as (
          insert into outbox (message_id, template, case_id, to_addrs, cc_addrs, subject, text_body, html_body, status,
            next_attempt_at, created_at)
          select message_id, template, case_id, to_addrs, cc_addrs, subject, text_body, html_body, 'pending',
            next_attempt_at, ${now}
          from w where message_id is not null order by ord
        ),
        up as (
          update cases c set escalation_level = greatest(c.escalation_level, v.lvl), updated_at = ${now}
          from (select case_id, max(lvl) as lvl from w group by case_id) v where c.id = v.case_id
        )
        select ord from w`,
  );
  return new Set(won.map((x) => Number(x.ord)));
}

/** When each case last came back to the triage queue (a return by an agency). */
export async function lastReturnedAt(tx: Tx, ids: number[]): Promise<Map<number, Date>> {
  if (ids.length === 0) return new Map();
  const list = sql.join(ids.map((i) => sql`${i}`), sql`, `);
  const r = await rows<{ case_id: string | number; at: Date | string }>(
    tx,
    sql`select case_id, max(at) as at from case_events where case_id in (${list}) and to_status = 'received' and action <> 'receive' group by case_id`,
  );
  return new Map(r.map((x) => [Number(x.case_id), new Date(x.at)]));
}

export type AgencyContact = { id: number; name: string; kind: string; contactEmails: string[]; leadEmail: string | null };

export async function loadAgencies(ex: Executor): Promise<Map<number, AgencyContact>> {
  const r = await ex
    .select({ id: agencies.id, name: agencies.name, kind: agencies.kind, contactEmails: agencies.contactEmails, leadEmail: agencies.leadEmail })
    .from(agencies);
  return new Map(r.map((a) => [a.id, a]));
}

/** The distinct warning, escalation and waiting limits of every policy version ever in force. */
export async function policyLimits(ex: Executor): Promise<Array<{ w: unknown; o: unknown; a: unknown }>> {
  return rows(
    ex,
    sql`select distinct policy->'warnBefore' as w, policy->'overdueEscalateAfter' as o, policy->'awaitingBusinessLimit' as a from sla_policies`,
  );
}

// condition builders, kept here so that the SQL of each sweep reads in one place. `find` selects
// the candidates (index-backed, without those already fired); `recheck` is what must still hold
// once a candidate is locked (the claim decides the rest).
/**
 * SQL: the case's resolution deadline is in force, not provisional. A case whose frozen policy
 * starts the resolution clock at acceptance (khiếu nại, tố cáo) and that is not accepted yet has
 * only its acceptance deadline watched (accept_overdue); its resolution deadline from acceptance on.
 */
export const resolveDueInForce = sql`(${cases.firstAcceptedAt} is not null or ${cases.slaPolicy}->>'resolutionStartsAt' is distinct from 'acceptance')`;

export const cond = {
  dueSoon: (now: Date, horizon: Date) => {
    const recheck = and(inArray(cases.status, ['assigned', 'in_progress']), gt(cases.resolveDueAt, now), lte(cases.resolveDueAt, horizon), resolveDueInForce)!;
    return { recheck, find: and(recheck, notFired('due_soon', cases.resolveDueAt))! };
  },
  acceptOverdue: (now: Date) => {
    const recheck = and(
      sql`${cases.status} = 'assigned' and (${cases.acceptedAt} is null or ${cases.acceptedAt} < ${cases.assignedAt})`,
      lt(cases.acceptDueAt, now),
    )!;
    return { recheck, find: and(recheck, notFired('accept_overdue', cases.acceptDueAt))! };
  },
  overdue: (now: Date, seriousFrom: Date) => {
    const recheck = and(inArray(cases.status, ['received', 'assigned', 'in_progress']), lt(cases.resolveDueAt, now), resolveDueInForce)!;
    return {
      recheck,
      find: and(recheck, or(notFired('overdue', cases.resolveDueAt), and(lte(cases.resolveDueAt, seriousFrom), notFired('serious', cases.resolveDueAt))))!,
    };
  },
  triage: (receivedBefore: Date) => {
    const recheck = and(eq(cases.status, 'received'), lte(cases.receivedAt, receivedBefore))!;
    return { recheck, find: recheck };
  },
  resolvedPastWindow: (resolvedBefore: Date) => {
    const recheck = and(eq(cases.status, 'resolved'), lt(cases.resolvedAt, resolvedBefore))!;
    return { recheck, find: recheck };
  },
  awaitingPastLimit: (pausedBefore: Date) => {
    const recheck = and(eq(cases.status, 'awaiting_business'), lte(cases.pausedAt, pausedBefore))!;
    return { recheck, find: recheck };
  },
};
