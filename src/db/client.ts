import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle as drizzlePg, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { createHash } from 'node:crypto';
import pg from 'pg';
import { lockDataDir } from './lock.js';
import * as schema from './schema.js';

export { DataDirLockedError, lockDataDir } from './lock.js';

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

/** Databases opened with named prepared statements off (PAKN_DB_NAMED_STATEMENTS=off). */
const unnamed = new WeakSet<object>();

/**
 * The name of a prepared statement (drizzle `.prepare(name)`): `base` and a hash of its SQL, so
 * two versions of the service sharing a connection never use one name for different SQL; or ''
 * (an unnamed statement: built once per process, parsed and planned on each run) when the
 * database was opened with named statements off, as a transaction-pooling PgBouncer needs.
 */
export function statementName(ex: Executor, base: string, sqlText: string): string {
  if (unnamed.has(ex)) return '';
  return `${base}_${createHash('sha256').update(sqlText).digest('hex').slice(0, 12)}`;
}

export async function openPostgres(url: string, poolSize = 10, opts: { namedStatements?: boolean } = {}): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, application_name: 'pakn' });
  pool.on('error', () => {
    /* idle client errors are surfaced by the next query */
  });
  const db = drizzlePg({ client: pool, schema });
  if (opts.namedStatements === false) unnamed.add(db);
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
  /** named prepared statements on PostgreSQL (default on); off behind a transaction-pooling PgBouncer */
  namedStatements?: boolean;
}): Promise<Database> {
  if (opts.databaseUrl) return openPostgres(opts.databaseUrl, opts.poolSize, { namedStatements: opts.namedStatements });
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
