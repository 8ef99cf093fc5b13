/**
 * Signed checkpoints of the timeline's hash chain: the service signs the chain head (seq, hash,
 * time) with an Ed25519 key that never enters the database, numbers the checkpoints 1.. without
 * gaps and stores them. Anyone holding a copy of a checkpoint (the public chain head, a published
 * report's chainHead, the daily e-mail to the inspectorate) can later show that the history up to
 * that seq was cut off or rewritten.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { desc, sql } from 'drizzle-orm';
import type { Db, Executor } from '../../db/client.js';
import { chainCheckpoints } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import type { ChainSealer } from './repository.js';

/** Serialises checkpoint writers of every instance. */
const CHECKPOINT_LOCK_KEY = 4_172_026_011;
/** a new checkpoint at most this often (unless forced, e.g. at publication) */
export const CHECKPOINT_MIN_INTERVAL_MS = 5_000;
export const KEY_FILE_NAME = 'signing-key.pem';

export interface Checkpoint {
  /** the checkpoint's number, 1.. without gaps */
  n: number;
  seq: number;
  hash: string;
  at: Date;
  keyId: string;
  /** base64 Ed25519 signature of checkpointMessage() */
  signature: string;
}

/** A checkpoint as JSON (as served, saved and e-mailed). */
export interface CheckpointJson {
  n: number;
  seq: number;
  hash: string;
  at: string;
  keyId: string;
  signature: string;
  publicKey?: string;
}

/**
 * The exact bytes that are signed (UTF-8), one line:
 * `pakn-checkpoint/1 n=<n> seq=<seq> hash=<64 hex> at=<ISO 8601 UTC, milliseconds>`.
 */
export function checkpointMessage(c: { n: number; seq: number; hash: string; at: Date | string }): string {
  const at = typeof c.at === 'string' ? new Date(c.at).toISOString() : c.at.toISOString();
  return `pakn-checkpoint/1 n=${c.n} seq=${c.seq} hash=${c.hash} at=${at}`;
}

export const toCheckpointJson = (c: Checkpoint): CheckpointJson => ({
  n: c.n,
  seq: c.seq,
  hash: c.hash,
  at: c.at.toISOString(),
  keyId: c.keyId,
  signature: c.signature,
});

// ---------------------------------------------------------------- the key

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** SPKI PEM of the public key */
  publicKeyPem: string;
  keyId: string;
  /** where it came from, for the log */
  source: 'configured' | 'file' | 'generated_file' | 'temporary';
  file?: string;
}

export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 16);
}

export class SigningKeyError extends Error {
  constructor(message: string) {
    super(`PAKN_SIGNING_KEY: ${message}`);
    this.name = 'SigningKeyError';
  }
}

function fromPrivatePem(pem: string, source: SigningKey['source'], file?: string): SigningKey {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch {
    throw new SigningKeyError(`${file ? `the file ${file}` : 'the value'} is not a PEM private key`);
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new SigningKeyError(`must be an Ed25519 private key, not ${privateKey.asymmetricKeyType ?? 'a symmetric key'}`);
  }
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), keyId: keyIdOf(publicKey), source, file };
}

/** A new Ed25519 private key as PKCS#8 PEM. */
export function generateSigningKeyPem(): string {
  return generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/**
 * The checkpoint signing key: PAKN_SIGNING_KEY (PEM text or a file path); otherwise, for an
 * embedded database on disk, `signing-key.pem` in its data folder (generated at first start);
 * PostgreSQL in production requires PAKN_SIGNING_KEY (every instance must sign with the same
 * key); anything else (in-memory databases, development) gets a temporary key for this process.
 */
export function loadSigningKey(opts: {
  configured?: string;
  dataDir?: string;
  production: boolean;
  onPostgres: boolean;
  log?: (level: 'info' | 'warn', msg: string) => void;
}): SigningKey {
  const log = opts.log ?? (() => {});
  const v = opts.configured?.trim();
  if (v) {
    if (v.startsWith('-----BEGIN')) return fromPrivatePem(v, 'configured');
    const file = resolve(v);
    let pem: string;
    try {
      pem = readFileSync(file, 'utf8');
    } catch {
      throw new SigningKeyError(`is neither a PEM key nor a readable file (${file})`);
    }
    return fromPrivatePem(pem, 'file', file);
  }
  if (opts.dataDir) {
    const file = resolve(join(opts.dataDir, KEY_FILE_NAME));
    if (existsSync(file)) return fromPrivatePem(readFileSync(file, 'utf8'), 'file', file);
    mkdirSync(opts.dataDir, { recursive: true });
    writeFileSync(file, generateSigningKeyPem(), { mode: 0o600, flag: 'wx' });
    const key = fromPrivatePem(readFileSync(file, 'utf8'), 'generated_file', file);
    log(
      'info',
      `Generated the Ed25519 key that signs the timeline's checkpoints: ${file} (key id ${key.keyId}). ` +
        'Keep a copy of it off this machine; its public key is served at /api/v1/public/chain/head.',
    );
    return key;
  }
  if (opts.onPostgres && opts.production) {
    throw new SigningKeyError('is required on PostgreSQL in production (every instance signs checkpoints with the same Ed25519 key); generate one with `openssl genpkey -algorithm ed25519`');
  }
  const key = fromPrivatePem(generateSigningKeyPem(), 'temporary');
  if (opts.onPostgres) {
    log('warn', `PAKN_SIGNING_KEY is not set: checkpoints are signed with a temporary key (id ${key.keyId}) that is lost at exit`);
  }
  return key;
}

export function signCheckpoint(key: SigningKey, c: { n: number; seq: number; hash: string; at: Date }): Checkpoint {
  const signature = sign(null, Buffer.from(checkpointMessage(c), 'utf8'), key.privateKey).toString('base64');
  return { ...c, keyId: key.keyId, signature };
}

/** Does the signature hold for this public key? (false for malformed input, never throws) */
export function checkpointSignatureValid(publicKey: KeyObject, c: { n: number; seq: number; hash: string; at: Date | string; signature: string }): boolean {
  try {
    const at = new Date(c.at);
    if (!Number.isSafeInteger(c.n) || !Number.isSafeInteger(c.seq) || Number.isNaN(at.getTime()) || typeof c.signature !== 'string') return false;
    return verify(null, Buffer.from(checkpointMessage({ ...c, at }), 'utf8'), publicKey, Buffer.from(c.signature, 'base64'));
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------- storing

const rowToCheckpoint = (r: typeof chainCheckpoints.$inferSelect): Checkpoint => ({
  n: Number(r.n),
  seq: Number(r.seq),
  hash: r.hash,
  at: r.at,
  keyId: r.keyId,
  signature: r.signature,
});

export async function latestCheckpoint(ex: Executor): Promise<Checkpoint | null> {
  const [row] = await ex.select().from(chainCheckpoints).orderBy(desc(chainCheckpoints.n)).limit(1);
  return row ? rowToCheckpoint(row) : null;
}

/** The last checkpoint signed before an instant (the daily e-mail's). */
export async function lastCheckpointBefore(ex: Executor, end: Date): Promise<Checkpoint | null> {
  const [row] = await ex
    .select()
    .from(chainCheckpoints)
    .where(sql`${chainCheckpoints.at} < ${end.toISOString()}::timestamptz`)
    .orderBy(desc(chainCheckpoints.n))
    .limit(1);
  return row ? rowToCheckpoint(row) : null;
}

export async function chainHead(ex: Executor): Promise<{ seq: number; hash: string } | null> {
  const r = (await ex.execute(sql`select seq, hash from case_events where seq is not null order by seq desc limit 1`)) as unknown as {
    rows: Array<{ seq: string | number; hash: string }>;
  };
  return r.rows[0] ? { seq: Number(r.rows[0].seq), hash: r.rows[0].hash } : null;
}

/**
 * The checkpointer of one process: seals what is pending, then signs the chain head when it has
 * moved since the last checkpoint (at most every CHECKPOINT_MIN_INTERVAL_MS unless forced), under
 * an advisory lock shared by every instance. Remembers the last checkpoint it signed or saw, so
 * that a checkpoint removed from the database is noticed while this process runs.
 */
export function createCheckpointer(deps: { db: Db; clock: Clock; sealer: ChainSealer; key: SigningKey }) {
  const { db, clock, key } = deps;
  let lastKnown: Checkpoint | null = null;
  /** only checkpoints that really are this key's count (a forged row read back is not remembered) */
  const remember = (c: Checkpoint | null) => {
    if (c && (!lastKnown || c.n > lastKnown.n) && c.keyId === key.keyId && checkpointSignatureValid(key.publicKey, c)) lastKnown = c;
    return c;
  };

  /** Returns the new checkpoint, the latest one when the head has not moved, or null (nothing to sign / too soon). */
  async function checkpoint(opts: { force?: boolean } = {}): Promise<Checkpoint | null> {
    await deps.sealer.sealPending();
    const result = await db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(${CHECKPOINT_LOCK_KEY})`);
      const head = await chainHead(tx);
      const last = await latestCheckpoint(tx);
      if (!head) return { made: false, cp: last };
      if (last && last.seq === head.seq && last.hash === head.hash && last.keyId === key.keyId) return { made: false, cp: last };
      const now = clock.now();
      if (!opts.force && last && now.getTime() - last.at.getTime() < CHECKPOINT_MIN_INTERVAL_MS && last.keyId === key.keyId) {
        return { made: false, cp: null };
      }
      const cp = signCheckpoint(key, { n: (last?.n ?? 0) + 1, seq: head.seq, hash: head.hash, at: now });
      await tx.insert(chainCheckpoints).values(cp);
      return { made: true, cp };
    });
    return remember(result.cp);
  }

  return {
    key,
    checkpoint,
    /** The latest stored checkpoint. */
    async latest(ex: Executor = db): Promise<Checkpoint | null> {
      return remember(await latestCheckpoint(ex));
    },
    /** The newest checkpoint this process signed or read (null after a restart until the first one). */
    lastKnown: (): Checkpoint | null => lastKnown,
  };
}

export type Checkpointer = ReturnType<typeof createCheckpointer>;
