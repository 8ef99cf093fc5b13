import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.js';
import { appendEvents, createChainSealer, sealEvents, verifyChain } from '../../src/features/timeline/repository.js';
import { createTestDatabase, dbLabel } from '../helpers/db.js';

let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => database?.close());

const at = new Date('2026-03-02T02:00:00Z');
const write = (caseId: number, n: number) =>
  database.db.transaction((tx) =>
    appendEvents(
      tx,
      Array.from({ length: n }, (_, i) => ({ caseId, at, actorRole: 'system', action: 'note', publicText: `sự kiện ${caseId}.${i}` })),
    ),
  );

describe(`the hash-chained timeline on ${dbLabel}`, () => {
  it('seals concurrent writers into one gap-free chain, from coalescing sealers of two instances', async () => {
    const a = createChainSealer(database.db);
    // on PostgreSQL the second instance seals through its pool (two round trips per batch)
    const b = createChainSealer(database.db, database.pool);
    await Promise.all(Array.from({ length: 20 }, (_, i) => write(i + 1, 3).then(() => (i % 2 ? a : b).sealPending())));
    const v = await verifyChain(database.db);
    expect(v).toMatchObject({ ok: true, checked: 60, lastSeq: 60, unsealed: 0 });
    const seqs = (await database.db.execute(sql`select seq from case_events order by seq`)).rows.map((r) => Number((r as { seq: number }).seq));
    expect(seqs).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
  });

  it('reports events not sealed yet, and seals them on demand', async () => {
    await write(100, 2);
    expect((await verifyChain(database.db)).unsealed).toBe(2);
    expect(await sealEvents(database.db)).toBe(2);
    expect(await verifyChain(database.db)).toMatchObject({ ok: true, lastSeq: 62, unsealed: 0 });
  });

  it('finds an edited event', async () => {
    await database.db.execute(sql`update case_events set public_text = 'đã sửa' where seq = 17`);
    const v = await verifyChain(database.db);
    expect(v.ok).toBe(false);
    expect(v.firstBroken).toMatchObject({ seq: 17, problem: 'hash_mismatch' });
  });

  it('finds a deleted event', async () => {
    await database.db.execute(sql`delete from case_events where seq = 9`);
    const v = await verifyChain(database.db);
    expect(v.ok).toBe(false);
    expect(v.firstBroken).toMatchObject({ seq: 9, problem: 'missing_event' });
  });
});
