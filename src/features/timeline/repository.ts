import { asc, desc, eq, gt, sql } from 'drizzle-orm';
import type { Executor, Tx } from '../../db/client.js';
import { caseEvents } from '../../db/schema.js';
import { canonicalJson, sha256Hex } from '../../lib/crypto.js';

/** Advisory lock key that serialises appends to the one chained log. */
const CHAIN_LOCK_KEY = 4_172_026_010;
export const GENESIS_HASH = '0'.repeat(64);

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
export function eventDigest(e: Omit<EventRow, 'id' | 'hash'>): string {
  return sha256Hex(
    e.prevHash +
      canonicalJson({
        seq: e.seq,
        caseId: e.caseId,
        at: e.at.toISOString(),
        actorUserId: e.actorUserId ?? null,
        actorRole: e.actorRole,
        actorLabel: e.actorLabel ?? null,
        action: e.action,
        fromStatus: e.fromStatus ?? null,
        toStatus: e.toStatus ?? null,
        publicText: e.publicText ?? null,
        internalText: e.internalText ?? null,
        data: e.data ?? null,
      }),
  );
}

/**
 * Appends events to the chained log inside the caller's transaction. The chain lock is held
 * until that transaction ends, so call this last in a use case to keep the lock short.
 */
export async function appendEvents(tx: Tx, events: NewEvent[]): Promise<EventRow[]> {
  if (events.length === 0) return [];
  await tx.execute(sql`select pg_advisory_xact_lock(${CHAIN_LOCK_KEY})`);
  const [last] = await tx
    .select({ seq: caseEvents.seq, hash: caseEvents.hash })
    .from(caseEvents)
    .orderBy(desc(caseEvents.seq))
    .limit(1);
  let seq = last?.seq ?? 0;
  let prevHash = last?.hash ?? GENESIS_HASH;
  const values = events.map((e) => {
    seq += 1;
    const row = {
      seq,
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
      prevHash,
    };
    const hash = eventDigest(row);
    prevHash = hash;
    return { ...row, hash };
  });
  return tx.insert(caseEvents).values(values).returning();
}

export function listCaseEvents(ex: Executor, caseId: number): Promise<EventRow[]> {
  return ex.select().from(caseEvents).where(eq(caseEvents.caseId, caseId)).orderBy(asc(caseEvents.seq));
}

export interface VerifyResult {
  ok: boolean;
  checked: number;
  lastSeq: number;
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
      .where(gt(caseEvents.seq, expectedSeq - 1))
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
      prevHash = r.hash;
      expectedSeq += 1;
      checked += 1;
    }
  }
  return { ok: true, checked, lastSeq: expectedSeq - 1 };
}
