import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle as drizzlePg, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import pg from 'pg';
import * as schema from './schema.js';

/** The drizzle handle; PGlite's is cast to the same type (same SQL, same result shape for our use). */
export type Db = NodePgDatabase<typeof schema>;
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
/** Anything a repository can run SQL on: the database or a transaction. */
export type Executor = Db | Tx;

export interface Database {
  db: Db;
  kind: 'pglite' | 'pg';
  /** where it lives, for messages (never the password) */
  where: string;
  ping(): Promise<void>;
  close(): Promise<void>;
  /** the pg pool when kind === 'pg' (for advisory-lock sessions) */
  pool?: pg.Pool;
  pglite?: PGlite;
  /** the embedded database's folder (absent in memory and on PostgreSQL) */
  dataDir?: string;
}

export class DataDirLockedError extends Error {
  constructor(dir: string, pid: number) {
    super(
      `The data folder ${dir} is in use by another pakn process (pid ${pid}). ` +
        `Only one process may open an embedded database; stop the other one, ` +
        `or point PAKN_DATA_DIR at another folder, or set DATABASE_URL to use PostgreSQL.`,
    );
    this.name = 'DataDirLockedError';
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** lock files this process holds (a pid in a lock file equal to ours is stale unless it is here) */
const heldLocks = new Set<string>();

/** Takes the data folder's lock file, or throws DataDirLockedError; returns a release function. */
export function lockDataDir(dir: string): () => void {
  mkdirSync(dir, { recursive: true });
  const file = resolve(join(dir, 'pakn.lock'));
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      heldLocks.add(file);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        heldLocks.delete(file);
        try {
          if (readFileSync(file, 'utf8').trim() === String(process.pid)) rmSync(file);
        } catch {
          /* already gone */
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
      const heldHere = pid === process.pid && heldLocks.has(file);
      if (heldHere || (Number.isFinite(pid) && pid !== process.pid && pidAlive(pid))) {
        throw new DataDirLockedError(resolve(dir), pid);
      }
      // stale lock from a process that died: take it over
      rmSync(file, { force: true });
    }
  }
  throw new Error(`Could not lock the data folder ${dir}`);
}

export async function openPglite(dataDir: string | null): Promise<Database> {
  let release = () => {};
  let client: PGlite;
  if (dataDir) {
    release = lockDataDir(dataDir);
    try {
      client = await PGlite.create(join(dataDir, 'pgdata'));
    } catch (e) {
      release();
      throw e;
    }
  } else {
    client = await PGlite.create();
  }
  const db = drizzlePglite({ client, schema }) as unknown as Db;
  let closed = false;
  return {
    db,
    kind: 'pglite',
    where: dataDir ? `embedded PGlite at ${resolve(dataDir)}` : 'embedded PGlite in memory',
    pglite: client,
    dataDir: dataDir ?? undefined,
    async ping() {
      await client.query('select 1');
    },
    async close() {
      if (closed) return;
      closed = true;
      try {
        await client.close();
      } finally {
        release();
      }
    },
  };
}

export async function openPostgres(url: string, poolSize = 10): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, application_name: 'pakn' });
  pool.on('error', () => {
    /* idle client errors are surfaced by the next query */
  });
  const db = drizzlePg({ client: pool, schema });
  const u = new URL(url);
  let closed = false;
  return {
    db,
    kind: 'pg',
    where: `PostgreSQL at ${u.hostname}:${u.port || 5432}${u.pathname}`,
    pool,
    async ping() {
      await db.execute(sql`select 1`);
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}

export async function openDatabase(opts: {
  databaseUrl?: string;
  dataDir?: string | null;
  poolSize?: number;
}): Promise<Database> {
  if (opts.databaseUrl) return openPostgres(opts.databaseUrl, opts.poolSize);
  return openPglite(opts.dataDir ?? null);
}

/** rows of a raw query, on both drivers */
export async function rows<T = Record<string, unknown>>(
  ex: Executor,
  query: ReturnType<typeof sql>,
): Promise<T[]> {
  const r = (await ex.execute(query)) as unknown as { rows: T[] };
  return r.rows;
}
