import { join, resolve } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { SQL, sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePg, type NodePgDatabase } from 'drizzle-orm/node-postgres';
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
  // loaded only for the embedded database: a service on PostgreSQL does not carry PGlite's module
  const [{ PGlite }, { drizzle: drizzlePglite }] = await Promise.all([import('@electric-sql/pglite'), import('drizzle-orm/pglite')]);
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

/**
 * Databases opened with named prepared statements off (PAKN_DB_NAMED_STATEMENTS=off), by their
 * SQL dialect: a transaction of the database is another object but shares its dialect.
 */
const unnamed = new WeakSet<object>();
const dialectOf = (ex: Executor): object | undefined => (ex as unknown as { dialect?: object }).dialect;

/**
 * The name of a prepared statement: `base` and a hash of its SQL, so two versions of the service
 * sharing a connection never use one name for different SQL. Used unless the database was opened
 * with named statements off (`namedStatementsOn`), as a transaction-pooling PgBouncer needs: the
 * statement is then unnamed (built once per process, parsed and planned on each run).
 */
export function namedStatement(base: string, sqlText: string): string {
  const key = `${base}\u0000${sqlText}`;
  let name = statementNames.get(key);
  if (name === undefined) {
    name = `${base}_${createHash('sha256').update(sqlText).digest('hex').slice(0, 12)}`;
    if (statementNames.size >= 256) statementNames.clear(); // a few shapes in practice; never unbounded
    statementNames.set(key, name);
  }
  return name;
}
/** names already computed (intake's statement is some 3 kB of text, hashed once per shape, not per submission) */
const statementNames = new Map<string, string>();

/** False for a database opened with named statements off (PAKN_DB_NAMED_STATEMENTS=off), and for its transactions. */
export const namedStatementsOn = (ex: Executor): boolean => {
  const d = dialectOf(ex);
  return !(d && unnamed.has(d)) && !unnamed.has(ex);
};

export async function openPostgres(url: string, poolSize = 10, opts: { namedStatements?: boolean } = {}): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, application_name: 'pakn' });
  pool.on('error', () => {
    /* idle client errors are surfaced by the next query */
  });
  const db = drizzlePg({ client: pool, schema });
  if (opts.namedStatements === false) {
    unnamed.add(db);
    const d = dialectOf(db);
    if (d) unnamed.add(d);
  }
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

const dialect = new PgDialect();

/**
 * Runs a statement whose text depends only on its shape (values as parameters) as a named
 * statement on PostgreSQL (`base` plus a hash of the text; unnamed when named statements are
 * off): each connection parses and plans it once instead of on every run. On PGlite, as any
 * other statement. Returns its rows as objects (column names, driver values).
 */
export async function runNamed<T = Record<string, unknown>>(ex: Executor, base: string, query: SQL | { text: string; values: unknown[] }): Promise<T[]> {
  const client = clientOf(ex);
  const { text, values } = query instanceof SQL ? (({ sql: t, params }) => ({ text: t, values: params }))(dialect.sqlToQuery(query)) : query;
  if (client instanceof pg.Pool || client instanceof pg.Client) {
    const name = namedStatementsOn(ex) ? namedStatement(base, text) : undefined;
    return (await client.query({ name, text, values } as pg.QueryConfig)).rows as T[];
  }
  if (client && typeof (client as PGlite).query === 'function') return (await (client as PGlite).query<T>(text, values)).rows;
  if (query instanceof SQL) return rows<T>(ex, query);
  throw new Error(`${base}: no pg or PGlite client behind this handle`);
}

/** What a drizzle handle runs its SQL on (its session's client): a pg pool or client, or PGlite. */
export function clientOf(ex: Executor): unknown {
  return (ex as unknown as { session?: { client?: unknown } }).session?.client;
}

/**
 * Runs a raw query and hands each row to `onRow` as the array of its columns in select order.
 * On PostgreSQL the rows are handed over as they arrive, none is kept: a large result is
 * processed while the server still sends it, and only what `onRow` keeps stays in memory. On
 * PGlite (in process) they are handed over after the query. Values are parsed by the drivers'
 * default parsers (text, int4 and float8 as numbers, booleans), the same on both: select only
 * such columns. An exception from `onRow` fails the call once the query has ended.
 */
export async function eachRow(ex: Executor, query: SQL, onRow: (row: unknown[]) => void): Promise<void> {
  const { sql: text, params } = dialect.sqlToQuery(query);
  const client = clientOf(ex);
  if (client instanceof pg.Pool) {
    const c = await client.connect();
    try {
      return await streamRows(c, text, params, onRow);
    } finally {
      c.release();
    }
  }
  if (client instanceof pg.Client) return streamRows(client, text, params, onRow);
  if (client && typeof (client as PGlite).query === 'function') {
    const r = await (client as PGlite).query<unknown[]>(text, params, { rowMode: 'array' });
    for (const row of r.rows) onRow(row);
    return;
  }
  // a handle of another shape: the rows as objects, in column order
  for (const row of await rows(ex, query)) onRow(Object.values(row));
}

function streamRows(client: pg.ClientBase, text: string, values: unknown[], onRow: (row: unknown[]) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let failed: { error: unknown } | null = null;
    const q = new pg.Query<unknown[]>({ text, values, rowMode: 'array' } as pg.QueryConfig);
    q.on('row', (row: unknown[]) => {
      if (failed) return;
      try {
        onRow(row);
      } catch (error) {
        failed = { error };
      }
    });
    q.on('error', reject);
    q.on('end', () => (failed ? reject(failed.error) : resolve()));
    client.query(q);
  });
}

/** How long `alongside` waits for a second connection before it runs on the transaction itself. */
const ALONGSIDE_CONNECT_MS = 250;

/**
 * Starts `fn` on a second connection that reads the same snapshot as the open repeatable-read
 * (or serializable) transaction `tx` (PostgreSQL's pg_export_snapshot and SET TRANSACTION
 * SNAPSHOT, read only), so that two parts of one consistent read run at the same time, on two
 * server processes; the returned function gives its result. The second connection sees what
 * `tx` saw at its start, not what `tx` wrote since: use it for reads of data `tx` has not
 * changed.
 *
 * Where that cannot be done safely, `fn` runs on `tx` itself when the result is asked for
 * (after the caller's own reads: a connection runs one query at a time), with the same result:
 * on PGlite (one connection); with named statements off (PAKN_DB_NAMED_STATEMENTS=off: behind a
 * transaction-pooling PgBouncer a second server connection may never come, and reports waiting
 * for one each would hold the pooler's connections); inside a savepoint or at a weaker
 * isolation level; when the pool has no connection to spare within a moment or cannot connect;
 * and when the second connection cannot begin its transaction or import the snapshot (say, a
 * proxy that routed it to another server). Only an error of `fn` itself is passed on.
 *
 * While the second connection works, the transaction may sit idle between the caller's reads
 * and the result: its idle-in-transaction timeout is lifted for the rest of the transaction.
 */
export async function alongside<T>(db: Db, tx: Executor, fn: (ex: Executor) => Promise<T>): Promise<() => Promise<T>> {
  const later = () => fn(tx);
  const pool = clientOf(db);
  const nested = ((tx as unknown as { nestedIndex?: number }).nestedIndex ?? 0) > 0;
  if (!(pool instanceof pg.Pool) || !(clientOf(tx) instanceof pg.Client) || unnamed.has(db) || nested) return later;
  const connecting = pool.connect();
  let timer: NodeJS.Timeout | undefined;
  const client = await Promise.race([connecting, new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), ALONGSIDE_CONNECT_MS)))]).catch(
    () => null,
  );
  clearTimeout(timer);
  if (!client) {
    connecting.then(
      (c) => c.release(),
      () => undefined,
    );
    return later;
  }
  let id: string | null;
  try {
    // the snapshot only of a transaction that keeps one for all its statements
    [{ id }] = await rows<{ id: string | null }>(
      tx,
      sql`select case when current_setting('transaction_isolation') in ('repeatable read', 'serializable') then pg_export_snapshot() end as id,
                 set_config('idle_in_transaction_session_timeout', '0', true) as idle`,
    );
  } catch (e) {
    client.release();
    throw e;
  }
  if (id == null) {
    client.release();
    return later;
  }
  const snapshot = id;
  const running = (async (): Promise<{ started: false } | { started: true; result: T }> => {
    let unusable: Error | undefined;
    try {
      try {
        await client.query('begin isolation level repeatable read read only');
        await client.query(`set transaction snapshot '${snapshot.replace(/'/g, "''")}'`);
      } catch {
        await client.query('rollback').catch((r: Error) => (unusable = r));
        return { started: false };
      }
      try {
        const result = await fn(drizzlePg({ client, schema }) as unknown as Executor);
        await client.query('commit');
        return { started: true, result };
      } catch (e) {
        // a connection that cannot even roll back is not given back to the pool
        await client.query('rollback').catch((r: Error) => (unusable = r));
        throw e;
      }
    } finally {
      client.release(unusable);
    }
  })();
  running.catch(() => undefined); // the caller collects it (and its error) when it asks for the result
  return async () => {
    const r = await running;
    return r.started ? r.result : later();
  };
}

/**
 * Independent reads: at once on the pool (each on its own connection), one after the other in a
 * PostgreSQL transaction, whose connection runs one query at a time (pg 8 queues a query sent
 * while another runs, and warns that pg 9 will not).
 */
export async function readAll<T extends readonly unknown[]>(ex: Executor, reads: { [K in keyof T]: () => Promise<T[K]> }): Promise<T> {
  if (!(clientOf(ex) instanceof pg.Client)) return (await Promise.all(reads.map((r) => r()))) as unknown as T;
  const out: unknown[] = [];
  for (const r of reads) out.push(await r());
  return out as unknown as T;
}
