/**
 * npm run verify -- --checkpoint <file> [--checkpoint <file> …] [--public-key <pem file>] [--cases] [--json]
 *
 * Checks a database (DATABASE_URL, or the embedded one in PAKN_DATA_DIR) against checkpoints
 * kept outside it: the answer of GET /api/v1/public/chain/head saved to a file, the JSON of the
 * daily e-mail, or a published report's JSON (its chainHead). Reads only; seals nothing.
 * Prints the first problem, or "intact up to seq N". Exit code 0 intact, 1 problems, 2 usage.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Database } from '../../db/client.js';
import { keyIdOf } from './checkpoints.js';
import { verifyIntegrity, type Anchor, type IntegrityResult } from './integrity.js';

export interface ParsedAnchor {
  anchor: Anchor;
  publicKeyPem?: string;
}

/** A saved checkpoint: {checkpoint: {...}} (chain head answer), a bare checkpoint, or a report ({chainHead}). */
export function parseAnchor(text: string, label: string): ParsedAnchor {
  let j: Record<string, unknown>;
  try {
    j = JSON.parse(text.replace(/^\uFEFF/, '')) as Record<string, unknown>;
  } catch {
    throw new Error(`${label}: not JSON`);
  }
  const topKey = typeof j.publicKey === 'string' ? j.publicKey : undefined;
  let c = j;
  let kind = 'checkpoint';
  if (j.checkpoint && typeof j.checkpoint === 'object') c = j.checkpoint as Record<string, unknown>;
  else if (j.chainHead && typeof j.chainHead === 'object') {
    c = j.chainHead as Record<string, unknown>;
    kind = `the chainHead of report ${String(j.period ?? '')} revision ${String(j.revision ?? '')}`.trim();
  } else if ('chainHead' in j) throw new Error(`${label}: this report revision carries no chainHead`);
  const seq = Number(c.seq);
  if (!Number.isSafeInteger(seq) || seq < 1 || typeof c.hash !== 'string' || !/^[0-9a-f]{64}$/.test(c.hash)) {
    throw new Error(`${label}: no checkpoint found (expected seq and hash)`);
  }
  const anchor: Anchor = { label: `${kind} in ${label}`, seq, hash: c.hash };
  if (c.n !== undefined) anchor.n = Number(c.n);
  if (typeof c.at === 'string') anchor.at = c.at;
  if (typeof c.signature === 'string') anchor.signature = c.signature;
  if (typeof c.keyId === 'string') anchor.keyId = c.keyId;
  const pem = typeof c.publicKey === 'string' ? c.publicKey : topKey;
  return { anchor, publicKeyPem: pem };
}

export function formatOutcome(r: IntegrityResult): string {
  if (r.problems.length === 0) {
    const cp = r.checkpoint ? `; latest checkpoint n ${r.checkpoint.n} at seq ${r.checkpoint.seq} holds` : '';
    const cases = r.cases ? `; ${r.cases.checked} case rows match their timelines${r.cases.notReplayable ? ` (${r.cases.notReplayable} not fully replayable)` : ''}` : '';
    return `intact up to seq ${r.head?.seq ?? 0}${cp}${cases}`;
  }
  const p = r.problems[0];
  const where = [p.seq != null ? `seq ${p.seq}` : '', p.caseId != null ? `case ${p.caseId}` : '', p.field ? `field ${p.field}` : '', p.checkpoint != null ? `checkpoint ${p.checkpoint}` : '']
    .filter(Boolean)
    .join(', ');
  const more = r.problems.length > 1 ? ` (and ${r.problems.length - 1} more problem${r.problems.length > 2 ? 's' : ''})` : '';
  return `${p.kind}${where ? ` at ${where}` : ''}: ${p.detail}${more}`;
}

export interface CliArgs {
  checkpoints: string[];
  publicKey?: string;
  cases: boolean;
  json: boolean;
}

export function parseArgs(argv: string[]): CliArgs {
  const a: CliArgs = { checkpoints: [], cases: false, json: false };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i];
    if (v === '--checkpoint' || v === '--report') a.checkpoints.push(argv[++i] ?? '');
    else if (v === '--public-key') a.publicKey = argv[++i];
    else if (v === '--cases') a.cases = true;
    else if (v === '--json') a.json = true;
    else throw new Error(`unknown argument ${v}`);
  }
  if (a.checkpoints.some((f) => !f)) throw new Error('--checkpoint needs a file');
  return a;
}

/** The check itself, on an open database; returns the exit code. */
export async function runVerify(database: Database, args: CliArgs, out: (s: string) => void): Promise<number> {
  const parsed = args.checkpoints.map((f) => parseAnchor(readFileSync(f, 'utf8'), f));
  const pem = args.publicKey ? readFileSync(args.publicKey, 'utf8') : parsed.find((p) => p.publicKeyPem)?.publicKeyPem;
  if (!pem) {
    out('No public key: give --public-key <pem file>, or a checkpoint saved from /api/v1/public/chain/head (it carries the key).');
    return 2;
  }
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey(pem);
  } catch {
    out('The public key is not a PEM public key.');
    return 2;
  }
  const result = await verifyIntegrity(database.db, { publicKey, keyId: keyIdOf(publicKey), anchors: parsed.map((p) => p.anchor), cases: args.cases });
  out(args.json ? JSON.stringify(result, null, 2) : formatOutcome(result));
  return result.problems.length === 0 ? 0 : 1;
}

async function main() {
  const { loadConfig } = await import('../../config.js');
  const { openDatabase } = await import('../../db/client.js');
  let args: CliArgs;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`${(e as Error).message}\nusage: npm run verify -- --checkpoint <file> [--checkpoint <file> …] [--public-key <pem>] [--cases] [--json]`);
    process.exit(2);
  }
  const config = loadConfig();
  const database = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.PAKN_DATA_DIR, poolSize: 2 });
  let code = 2;
  try {
    code = await runVerify(database, args, (s) => console.log(s));
  } catch (e) {
    console.error((e as Error).message);
  } finally {
    await database.close();
  }
  process.exit(code);
}

const isEntry = process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/').split('/').pop()!);
if (isEntry) {
  main().catch((e) => {
    console.error(e);
    process.exit(2);
  });
}
