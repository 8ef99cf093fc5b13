/**
 * The whole integrity check behind GET /api/v1/audit/verify and `npm run verify`: the hash chain,
 * the signed checkpoints (and any checkpoint kept outside the database), and optionally the case
 * rows against their replayed timelines. Problems come in order: the chain's first broken link,
 * then checkpoint problems by seq, then case problems by case id.
 */
import type { KeyObject } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { chainHead, checkpointSignatureValid, latestCheckpoint, type Checkpoint, type Checkpointer } from './checkpoints.js';
import { verifyCases, type CasesCheck } from './replay.js';
import { verifyChain, type ChainSealer, type VerifyResult } from './repository.js';

export type ProblemKind =
  | 'hash_mismatch'
  | 'prev_hash_mismatch'
  | 'missing_event'
  | 'truncated'
  | 'bad_checkpoint'
  | 'missing_checkpoint'
  | 'rewritten'
  | 'case_mismatch'
  | 'case_without_events'
  | 'events_without_case';

export interface Problem {
  kind: ProblemKind;
  seq?: number;
  caseId?: number;
  field?: string;
  /** the checkpoint concerned (its number) */
  checkpoint?: number;
  detail: string;
}

/** A checkpoint held outside the database: remembered by this process, saved to a file, or a report's chainHead. */
export interface Anchor {
  /** where it comes from, for the detail text */
  label: string;
  n?: number;
  seq: number;
  hash: string;
  at?: Date | string;
  keyId?: string;
  signature?: string;
}

export interface IntegrityResult extends VerifyResult {
  head: { seq: number; hash: string } | null;
  /** the latest checkpoint in the database */
  checkpoint: Checkpoint | null;
  problems: Problem[];
  cases?: Omit<CasesCheck, 'problems'>;
}

/** at the same seq: what happened to the events first, then what happened to the checkpoints */
const KIND_ORDER: ProblemKind[] = ['missing_event', 'prev_hash_mismatch', 'hash_mismatch', 'truncated', 'rewritten', 'bad_checkpoint', 'missing_checkpoint'];

const CHAIN_DETAIL: Record<string, string> = {
  hash_mismatch: 'the event was changed after it was sealed (its hash no longer matches its content)',
  prev_hash_mismatch: 'the event was re-linked (its previous hash is not the hash of the event before)',
  missing_event: 'an event is missing here (a gap in the chain)',
};

export async function verifyIntegrity(
  ex: Executor,
  opts: { publicKey: KeyObject; keyId: string; anchors?: Anchor[]; cases?: boolean; caseBatch?: number },
): Promise<IntegrityResult> {
  const chain = await verifyChain(ex);
  const problems: Problem[] = [];
  const head = await chainHead(ex);
  const headSeq = head?.seq ?? 0;
  const latest = await latestCheckpoint(ex);
  const cpProblems: Problem[] = [];
  const seen = new Set<string>();
  const add = (p: Problem) => {
    const k = `${p.kind}:${p.seq}:${p.checkpoint}`;
    if (!seen.has(k)) {
      seen.add(k);
      cpProblems.push(p);
    }
  };

  if (chain.firstBroken) {
    const b = chain.firstBroken;
    add({ kind: b.problem, seq: b.seq, ...(b.caseId != null ? { caseId: b.caseId } : {}), detail: CHAIN_DETAIL[b.problem] });
  }

  /** the hash the chain holds at a seq (undefined when there is no such event) */
  async function hashAt(seq: number): Promise<string | null | undefined> {
    const r = (await ex.execute(sql`select hash from case_events where seq = ${seq}`)) as unknown as { rows: Array<{ hash: string | null }> };
    return r.rows[0] ? r.rows[0].hash : undefined;
  }

  /** A signed checkpoint against the chain: is the chain at least that long, with that hash there? */
  async function compareWithChain(c: { seq: number; hash: string; n?: number }, label: string) {
    if (headSeq < c.seq) {
      add({
        kind: 'truncated',
        seq: headSeq + 1,
        ...(c.n != null ? { checkpoint: c.n } : {}),
        detail: `the chain ends at seq ${headSeq}, but ${label} signed the chain up to seq ${c.seq}: events ${headSeq + 1}–${c.seq} were removed`,
      });
      return;
    }
    const h = await hashAt(c.seq);
    if (h !== undefined && h !== c.hash) {
      add({
        kind: 'rewritten',
        seq: c.seq,
        ...(c.n != null ? { checkpoint: c.n } : {}),
        detail: `the chain's hash at seq ${c.seq} is not the one ${label} signed: the events up to seq ${c.seq} were rewritten`,
      });
    }
  }

  const signatureOk = (c: { n: number; seq: number; hash: string; at: Date | string; signature: string; keyId?: string }) =>
    (c.keyId === undefined || c.keyId === opts.keyId) && checkpointSignatureValid(opts.publicKey, c);

  // the latest stored checkpoint: its signature, then the chain against it
  if (latest) {
    if (!signatureOk(latest)) {
      add({
        kind: 'bad_checkpoint',
        seq: latest.seq,
        checkpoint: latest.n,
        detail:
          latest.keyId !== opts.keyId
            ? `the latest checkpoint (n ${latest.n}) is signed with key ${latest.keyId}, not the service's key ${opts.keyId}`
            : `the signature of the latest checkpoint (n ${latest.n}) does not hold: it was forged or altered`,
      });
    } else {
      await compareWithChain(latest, `checkpoint ${latest.n}`);
    }
  }

  // every stored checkpoint against the chain, set-based (a checkpoint altered, or a chain rewritten under it)
  const mismatched = (await ex.execute(sql`select c.n, c.seq, c.hash, c.at, c.key_id, c.signature from chain_checkpoints c
      join case_events e on e.seq = c.seq where e.hash is distinct from c.hash order by c.n limit 20`)) as unknown as {
    rows: Array<{ n: string | number; seq: string | number; hash: string; at: string | Date; key_id: string; signature: string }>;
  };
  for (const r of mismatched.rows) {
    const c = { n: Number(r.n), seq: Number(r.seq), hash: r.hash, at: new Date(r.at), keyId: r.key_id, signature: r.signature };
    if (signatureOk(c)) await compareWithChain(c, `checkpoint ${c.n}`);
    else add({ kind: 'bad_checkpoint', seq: c.seq, checkpoint: c.n, detail: `checkpoint ${c.n} does not match the chain and its signature does not hold: it was forged or altered` });
  }
  // checkpoints that claim more than the chain holds (only the latest is signature-checked above)
  const beyond = (await ex.execute(sql`select n, seq from chain_checkpoints where seq > ${headSeq} and n <> ${latest?.n ?? 0} order by n limit 1`)) as unknown as {
    rows: Array<{ n: string | number; seq: string | number }>;
  };
  for (const r of beyond.rows) {
    if (cpProblems.some((p) => p.kind === 'truncated')) break;
    add({ kind: 'truncated', seq: headSeq + 1, checkpoint: Number(r.n), detail: `checkpoint ${r.n} covers seq ${r.seq}, but the chain ends at seq ${headSeq}` });
  }
  // numbering: 1.. without gaps
  const gaps = (await ex.execute(sql`select n, prev from (select n, lag(n) over (order by n) as prev from chain_checkpoints) x
      where (prev is null and n <> 1) or (prev is not null and n <> prev + 1) order by n limit 20`)) as unknown as {
    rows: Array<{ n: string | number; prev: string | number | null }>;
  };
  for (const r of gaps.rows) {
    const from = r.prev == null ? 1 : Number(r.prev) + 1;
    for (let n = from; n < Number(r.n) && n < from + 20; n++) {
      add({ kind: 'missing_checkpoint', checkpoint: n, detail: `checkpoint ${n} is missing from the database (checkpoints are numbered without gaps)` });
    }
  }
  // checkpoints kept outside the database
  for (const a of opts.anchors ?? []) {
    if (a.signature !== undefined && a.n !== undefined && a.at !== undefined) {
      if (!signatureOk({ n: a.n, seq: a.seq, hash: a.hash, at: a.at, signature: a.signature, keyId: a.keyId })) {
        add({ kind: 'bad_checkpoint', seq: a.seq, checkpoint: a.n, detail: `the signature of ${a.label} does not hold for this service's key ${opts.keyId}` });
        continue;
      }
      if (!latest || latest.n < a.n) {
        add({
          kind: 'missing_checkpoint',
          seq: a.seq,
          checkpoint: a.n,
          detail: `${a.label} (n ${a.n}, seq ${a.seq}) is newer than the latest checkpoint in the database (${latest ? `n ${latest.n}` : 'none'}): checkpoints were removed`,
        });
      }
    }
    await compareWithChain({ seq: a.seq, hash: a.hash, n: a.n }, a.label);
  }
  const rank = (k: ProblemKind) => KIND_ORDER.indexOf(k);
  cpProblems.sort(
    (a, b) =>
      (a.seq ?? Number.MAX_SAFE_INTEGER) - (b.seq ?? Number.MAX_SAFE_INTEGER) || rank(a.kind) - rank(b.kind) || (a.checkpoint ?? 0) - (b.checkpoint ?? 0),
  );
  problems.push(...cpProblems);

  let cases: IntegrityResult['cases'];
  if (opts.cases) {
    const c = await verifyCases(ex, { batch: opts.caseBatch });
    problems.push(...c.problems);
    cases = { checked: c.checked, notReplayable: c.notReplayable, ms: c.ms };
  }
  return { ...chain, ok: problems.length === 0, head, checkpoint: latest, problems, ...(cases ? { cases } : {}) };
}

/**
 * The integrity check as the audit route runs it: seals what is pending, then verifies the chain,
 * the checkpoints and (when asked) every case against this process's key, with the checkpoint it
 * signed last as an extra anchor.
 */
export function createIntegrityService(deps: { db: Executor; sealer: Pick<ChainSealer, 'sealPending'>; checkpoints: Pick<Checkpointer, 'key' | 'lastKnown'> }) {
  return {
    async verify(opts: { cases?: boolean } = {}): Promise<IntegrityResult> {
      await deps.sealer.sealPending();
      const anchors: Anchor[] = [];
      const mine = deps.checkpoints.lastKnown();
      if (mine) anchors.push({ label: 'the checkpoint this service signed last', ...mine });
      return verifyIntegrity(deps.db, { publicKey: deps.checkpoints.key.publicKey, keyId: deps.checkpoints.key.keyId, anchors, cases: opts.cases });
    },
  };
}
