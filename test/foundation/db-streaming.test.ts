/**
 * The two database helpers the monthly report reads a million cases with (src/db/client.ts):
 * eachRow hands rows over as arrays, parsed alike on both databases, and fails cleanly when the
 * caller's callback throws; alongside runs a read on a second connection in the same snapshot
 * on PostgreSQL (and on the transaction itself on PGlite, or when the pool has no connection to
 * spare), with the same result either way; readAll runs independent reads at once on the pool and
 * one after the other in a transaction, without pg's queueing (deprecated) and its warning.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alongside, eachRow, openPostgres, readAll, rows, type Database } from '../../src/db/client.js';
import { createTestDatabase, dbLabel, onPostgres } from '../helpers/db.js';

let database: Database & { url?: string };

beforeAll(async () => {
  database = await createTestDatabase();
  await database.db.execute(sql`create table stream_t (id int primary key, label text, x float8, flag boolean)`);
  await database.db.execute(sql`insert into stream_t select g, 'nhãn ' || g, g / 4.0, g % 2 = 0 from generate_series(1, 2000) g`);
});
afterAll(async () => database?.close());

const count = async (ex: Parameters<typeof rows>[0]) => Number((await rows<{ n: number }>(ex, sql`select count(*)::int as n from stream_t`))[0].n);

describe(`eachRow on ${dbLabel}`, () => {
  it('hands every row over as an array of its columns in select order, with numbers, booleans and nulls parsed', async () => {
    const got: unknown[][] = [];
    await eachRow(database.db, sql`select id, label, x, flag, null::text as nothing from stream_t where id <= ${3} order by id`, (r) => got.push(r));
    expect(got).toEqual([
      [1, 'nhãn 1', 0.25, false, null],
      [2, 'nhãn 2', 0.5, true, null],
      [3, 'nhãn 3', 0.75, false, null],
    ]);
  });

  it('reads a large result row by row inside a transaction, and the transaction goes on after it', async () => {
    await database.db.transaction(async (tx) => {
      let n = 0;
      let sum = 0;
      await eachRow(tx, sql`select id, x from stream_t`, (r) => {
        n++;
        sum += r[1] as number;
      });
      expect(n).toBe(2000);
      expect(sum).toBe((2000 * 2001) / 2 / 4);
      expect(await count(tx)).toBe(2000);
    });
  });

  it('fails with the callback’s error (not called again after it), and the connection stays usable', async () => {
    let seen = 0;
    await expect(
      database.db.transaction(async (tx) => {
        await eachRow(tx, sql`select id from stream_t order by id`, (r) => {
          seen++;
          if (r[0] === 10) throw new Error('row 10 refused');
        });
      }),
    ).rejects.toThrow('row 10 refused');
    expect(seen).toBe(10); // not called again after it threw
    expect(await count(database.db)).toBe(2000);
  });

  it('reports a query error as a rejection', async () => {
    await expect(eachRow(database.db, sql`select no_such_column from stream_t`, () => undefined)).rejects.toThrow(/no_such_column/);
    expect(await count(database.db)).toBe(2000);
  });
});

describe(`alongside on ${dbLabel}`, () => {
  it('reads the snapshot of the transaction, not what was committed since', async () => {
    await database.db.transaction(
      async (tx) => {
        expect(await count(tx)).toBe(2000);
        // committed by another connection after the transaction's snapshot was taken (on PGlite,
        // with one connection, nothing else can write meanwhile)
        if (onPostgres) await otherConnection((ex) => ex.execute(sql`insert into stream_t values (5001, 'later', 0, true)`));
        const collect = await alongside(database.db, tx, async (ex) => [await count(ex), await backendPid(ex)] as const);
        const myPid = await backendPid(tx);
        const seen = await collect();
        expect(seen[0]).toBe(2000);
        // on PostgreSQL it ran on another server process; on PGlite on the transaction itself
        if (onPostgres) expect(seen[1]).not.toBe(myPid);
        else expect(seen[1]).toBe(myPid);
      },
      { isolationLevel: 'repeatable read' },
    );
    if (onPostgres) {
      expect(await count(database.db)).toBe(2001);
      await database.db.execute(sql`delete from stream_t where id = 5001`);
    }
  });

  it('runs at the same time as a streamed read on the transaction', async () => {
    await database.db.transaction(
      async (tx) => {
        const side = await alongside(database.db, tx, (ex) => count(ex));
        let n = 0;
        await eachRow(tx, sql`select id from stream_t`, () => n++);
        expect([n, await side()]).toEqual([2000, 2000]);
      },
      { isolationLevel: 'repeatable read' },
    );
  });

  it('passes on the error of the read and gives the connection back', async () => {
    await database.db.transaction(
      async (tx) => {
        const collect = await alongside(database.db, tx, (ex) => ex.execute(sql`select no_such_column from stream_t`));
        await expect(collect()).rejects.toThrow(/no_such_column/);
      },
      { isolationLevel: 'repeatable read' },
    ).catch(() => undefined); // PGlite ran it in the transaction, which is now aborted
    expect(await count(database.db)).toBe(2000);
  });

  it('runs on the transaction itself when the pool has no connection to spare (no wait on itself)', async () => {
    // a pool of one connection, which the transaction holds (PGlite has only one anyway)
    const small = onPostgres ? await openPostgres(database.url!, 1) : { db: database.db, close: async () => undefined };
    try {
      await small.db.transaction(
        async (tx) => {
          const collect = await alongside(small.db, tx, async (ex) => [await count(ex), await backendPid(ex)] as const);
          expect(await collect()).toEqual([2000, await backendPid(tx)]);
        },
        { isolationLevel: 'repeatable read' },
      );
    } finally {
      await small.close();
    }
  });
});

describe(`alongside falls back to the transaction itself on ${dbLabel}`, () => {
  /** runs `alongside` in a transaction and returns [what fn counted, fn's server process, the transaction's] */
  async function probe(db: Database['db'], opts: { isolation?: 'read committed' | 'repeatable read'; savepoint?: boolean } = {}) {
    return database.db.transaction(
      async (outer) => {
        const run = async (tx: typeof outer) => {
          const collect = await alongside(db, tx, async (ex) => [await count(ex), await backendPid(ex)] as const);
          const mine = await backendPid(tx);
          const [n, pid] = await collect();
          return { n, pid, mine };
        };
        return opts.savepoint ? outer.transaction(run) : run(outer);
      },
      { isolationLevel: opts.isolation ?? 'repeatable read' },
    );
  }

  const cases: Array<[string, () => Promise<{ db: Database['db']; close(): Promise<void> }>, Parameters<typeof probe>[1]?]> = [
    // behind a transaction-pooling PgBouncer a second server connection may never come
    ['with named statements off (a transaction pooler)', async () => (onPostgres ? openPostgres(database.url!, 4, { namedStatements: false }) : same())],
    // the pool cannot connect at all
    ['when the pool cannot connect', async () => (onPostgres ? openPostgres('postgres://postgres@127.0.0.1:1/nowhere', 1) : same())],
    // the second connection reaches another database (a proxy routing it elsewhere): the import fails
    ['when the snapshot cannot be imported', async () => (onPostgres ? otherDatabase() : same())],
    ['at read committed, where the transaction has no single snapshot', async () => same(), { isolation: 'read committed' }],
    ['inside a savepoint, where no snapshot can be exported', async () => same(), { savepoint: true }],
  ];
  for (const [name, open, opts] of cases) {
    it(name, async () => {
      const h = await open();
      try {
        const r = await probe(h.db, opts);
        expect(r.n).toBe(2000);
        expect(r.pid).toBe(r.mine);
      } finally {
        await h.close();
      }
    });
  }
});

const same = async () => ({ db: database.db, close: async () => undefined });

/** a pool on another database of the same server */
async function otherDatabase(): Promise<{ db: Database['db']; close(): Promise<void> }> {
  const admin = new URL(database.url!);
  const name = `${admin.pathname.slice(1)}_x`;
  const c = await openPostgres(database.url!, 1);
  await c.db.execute(sql.raw(`create database ${name}`));
  await c.close();
  admin.pathname = `/${name}`;
  const other = await openPostgres(admin.toString(), 2);
  return {
    db: other.db,
    async close() {
      await other.close();
      const c2 = await openPostgres(database.url!, 1);
      await c2.db.execute(sql.raw(`drop database if exists ${name} with (force)`));
      await c2.close();
    },
  };
}

describe(`readAll on ${dbLabel}`, () => {
  const traced = (log: string[], i: number, ex: Parameters<typeof rows>[0]) => async () => {
    log.push(`start ${i}`);
    const n = await count(ex);
    log.push(`end ${i}`);
    return n + i;
  };

  it('runs the reads one after the other in a transaction (PostgreSQL), and gives their results in order', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    try {
      const log: string[] = [];
      const out = await database.db.transaction(async (tx) => readAll(tx, [traced(log, 0, tx), traced(log, 1, tx), traced(log, 2, tx)]));
      expect(out).toEqual([2000, 2001, 2002]);
      if (onPostgres) expect(log).toEqual(['start 0', 'end 0', 'start 1', 'end 1', 'start 2', 'end 2']);
      await new Promise((r) => setImmediate(r));
      expect(warnings.filter((w) => /already executing a query/.test(w))).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('runs the reads at once on the pool', async () => {
    const log: string[] = [];
    const out = await readAll(database.db, [traced(log, 0, database.db), traced(log, 1, database.db)]);
    expect(out).toEqual([2000, 2001]);
    expect(log.slice(0, 2)).toEqual(['start 0', 'start 1']);
  });
});

async function backendPid(ex: Parameters<typeof rows>[0]): Promise<number> {
  if (!onPostgres) return 0;
  return Number((await rows<{ pid: number }>(ex, sql`select pg_backend_pid() as pid`))[0].pid);
}

async function otherConnection<T>(fn: (ex: Database['db']) => Promise<T>): Promise<T> {
  const other = await openPostgres(database.url!, 1);
  try {
    return await fn(other.db);
  } finally {
    await other.close();
  }
}
