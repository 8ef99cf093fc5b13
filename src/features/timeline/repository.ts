import { and, asc, eq, gt, isNotNull, sql } from 'drizzle-orm';
import type pg from 'pg';
import type { Db, Executor, Tx } from '../../db/client.js';
import { insertRows, mapRow } from '../../db/fast.js';
import { caseEvents } from '../../db/schema.js';
import { canonicalJson, sha256Hex } from '../../lib/crypto.js';

/** Advisory lock key that serialises sealers (of every instance) on the one chained log. */
const CHAIN_LOCK_KEY = 4_172_026_010;
export const GENESIS_HASH = '0'.repeat(64);
/** events sealed per sealing transaction */
const SEAL_BATCH = 2000;

export interface NewEvent {
  caseId: number;
  at: Date;
  actorUserId?: number | null;
  actorRole: string;
  actorLabel?: string | null;
  action: string;
  fromStatus?: string | null;
  toStatus?: string | null;
  publicText?: string | null;
  internalText?: string | null;
  data?: Record<string, unknown> | null;
}

export type EventRow = typeof caseEvents.$inferSelect;

/** The bytes that an event's hash covers (everything but its own hash and id). */
export function eventDigest(e: Omit<EventRow, 'hash'>): string {
  return sha256Hex((e.prevHash ?? '') + canonicalJson({ id: e.id, seq: e.seq, ...eventRow(e) }));
}

/**
 * Appends events to the log inside the caller's transaction. They get their place in the chain
 * and their hash from sealPending() once committed; no lock is taken here.
 */
export async function appendEvents(tx: Tx, events: NewEvent[]): Promise<EventRow[]> {
  if (events.length === 0) return [];
  return insertRows(tx, caseEvents, eventRows(events), { returning: 'all' });
}

/** The rows of new events (unsealed: no place in the chain yet). */
export const eventRows = (events: NewEvent[]) => events.map(eventRow);

/** An event's own fields: what is written, and (with its id and place) what its hash covers. */
function eventRow(e: NewEvent) {
  return {
    caseId: e.caseId,
    at: e.at,
    actorUserId: e.actorUserId ?? null,
    actorRole: e.actorRole,
    actorLabel: e.actorLabel ?? null,
    action: e.action,
    fromStatus: e.fromStatus ?? null,
    toStatus: e.toStatus ?? null,
    publicText: e.publicText ?? null,
    internalText: e.internalText ?? null,
    data: e.data ?? null,
  };
}

/**
 * Seals committed events into the chain, in batches, under a transaction-scoped advisory lock
 * shared by all instances: each gets the next seq, the previous event's hash and its own hash.
 * Returns how many events were sealed.
 */
export async function sealEvents(db: Db): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(${CHAIN_LOCK_KEY})`);
      const pendingRaw = (await tx.execute(sql`select * from case_events where seq is null order by id limit ${SEAL_BATCH}`)) as unknown as {
        rows: Array<Record<string, unknown>>;
      };
      if (pendingRaw.rows.length === 0) return 0;
      const pending = pendingRaw.rows.map((r) => mapRow(caseEvents, r));
      const lastRaw = (await tx.execute(sql`select seq, hash from case_events where seq is not null order by seq desc limit 1`)) as unknown as {
        rows: Array<{ seq: string | number; hash: string }>;
      };
      const last = lastRaw.rows[0] ? { seq: Number(lastRaw.rows[0].seq), hash: lastRaw.rows[0].hash } : undefined;
      let seq = last?.seq ?? 0;
      let prevHash = last?.hash ?? GENESIS_HASH;
      const sealed = pending.map((e) => {
        seq += 1;
        const row = { ...e, seq, prevHash };
        const hash = eventDigest(row);
        prevHash = hash;
        return { id: e.id, seq, prev: row.prevHash, hash };
      });
      const values = sql.join(
        sealed.map((x) => sql`(${x.id}::bigint, ${x.seq}::bigint, ${x.prev}::text, ${x.hash}::text)`),
        sql`, `,
      );
      await tx.execute(sql`update case_events e set seq = v.seq, prev_hash = v.prev, hash = v.hash
        from (values ${values}) as v(id, seq, prev, hash) where e.id = v.id and e.seq is null`);
      return sealed.length;
    });
    total += n;
    if (n < SEAL_BATCH) return total;
  }
}

/**
 * The same sealing on a PostgreSQL pool in two round trips per batch (multi-statement simple
 * queries: lock and read; write and commit). Values written are integers and hex digests only.
 */
export async function sealEventsPg(pool: pg.Pool): Promise<number> {
  let total = 0;
  for (;;) {
    const client = await pool.connect();
    let n = 0;
    try {
      const res = (await client.query(
        `begin; select pg_advisory_xact_lock(${CHAIN_LOCK_KEY});
         select * from case_events where seq is null order by id limit ${SEAL_BATCH};
         select seq, hash from case_events where seq is not null order by seq desc limit 1`,
      )) as unknown as pg.QueryResult[];
      const pending = res[2].rows.map((r) => mapRow(caseEvents, r));
      if (pending.length === 0) {
        await client.query('commit');
      } else {
        const last = res[3].rows[0] as { seq: string | number; hash: string } | undefined;
        let seq = last ? Number(last.seq) : 0;
        let prevHash = last?.hash ?? GENESIS_HASH;
        const values: string[] = [];
        for (const e of pending) {
          seq += 1;
          const hash = eventDigest({ ...e, seq, prevHash });
          values.push(`(${Number(e.id)}, ${seq}, '${prevHash}', '${hash}')`);
          prevHash = hash;
        }
        await client.query(
          `update case_events e set seq = v.seq, prev_hash = v.prev, hash = v.hash
             from (values ${values.join(', ')}) as v(id, seq, prev, hash) where e.id = v.id and e.seq is null; commit`,
        );
        n = pending.length;
      }
    } catch (err) {
      await client.query('rollback').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
    total += n;
    if (n < SEAL_BATCH) return total;
  }
}

/**
 * Coalescing sealer for one process: callers after a commit await a seal that starts after
 * their call, and all callers waiting at that moment share it.
 */
export function createChainSealer(db: Db, pool?: pg.Pool) {
  let tail: Promise<unknown> = Promise.resolve();
  let next: Promise<number> | null = null;
  return {
    sealPending(): Promise<number> {
      if (next) return next;
      const p = tail.then(() => {
        next = null;
        return pool ? sealEventsPg(pool) : sealEvents(db);
      });
      next = p;
      tail = p.catch(() => undefined);
      return p;
    },
  };
}

export type ChainSealer = ReturnType<typeof createChainSealer>;

export function listCaseEvents(ex: Executor, caseId: number): Promise<EventRow[]> {
  return ex.select().from(caseEvents).where(eq(caseEvents.caseId, caseId)).orderBy(asc(caseEvents.id));
}

export interface VerifyResult {
  ok: boolean;
  checked: number;
  lastSeq: number;
  /** events written but not sealed yet (sealing follows each commit within moments) */
  unsealed?: number;
  /** the first broken link, if any */
  firstBroken?: { seq: number; eventId: number | null; caseId: number | null; problem: 'hash_mismatch' | 'prev_hash_mismatch' | 'missing_event' };
}

/** Walks the whole chain in order and reports the first link that does not hold. */
export async function verifyChain(ex: Executor, batch = 5000): Promise<VerifyResult> {
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  let checked = 0;
  for (;;) {
    const rowsBatch = await ex
      .select()
      .from(caseEvents)
      .where(and(isNotNull(caseEvents.seq), gt(caseEvents.seq, expectedSeq - 1)))
      .orderBy(asc(caseEvents.seq))
      .limit(batch);
    if (rowsBatch.length === 0) break;
    for (const r of rowsBatch) {
      if (r.seq !== expectedSeq) {
        return { ok: false, checked, lastSeq: expectedSeq - 1, firstBroken: { seq: expectedSeq, eventId: null, caseId: null, problem: 'missing_event' } };
      }
      if (r.prevHash !== prevHash) {
        return { ok: false, checked, lastSeq: r.seq, firstBroken: { seq: r.seq, eventId: r.id, caseId: r.caseId, problem: 'prev_hash_mismatch' } };
      }
      if (eventDigest(r) !== r.hash) {
        return { ok: false, checked, lastSeq: r.seq, firstBroken: { seq: r.seq, eventId: r.id, caseId: r.caseId, problem: 'hash_mismatch' } };
      }
      prevHash = r.hash ?? '';
      expectedSeq += 1;
      checked += 1;
    }
  }
  const [{ n }] = (await ex.execute(sql`select count(*)::int as n from case_events where seq is null`)).rows as Array<{ n: number }>;
  return { ok: true, checked, lastSeq: expectedSeq - 1, unsealed: n };
}

/** Seals what is pending, then verifies the whole chain (what GET /audit/verify answers). */
export async function sealAndVerify(db: Db, sealer: ChainSealer): Promise<VerifyResult> {
  await sealer.sealPending();
  return verifyChain(db);
}
