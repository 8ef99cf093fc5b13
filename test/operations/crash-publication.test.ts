import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testConfig } from '../../src/config.js';
import { openPglite, openPostgres, rows, type Database } from '../../src/db/client.js';
import { runMigrations } from '../../src/db/migrate.js';
import { seedDemo } from '../../src/db/seed.js';
import { FixedClock } from '../../src/lib/clock.js';
import { createServices } from '../../src/services.js';
import { generateCases } from '../../bench/datagen.js';
import { createTestDatabase, dbLabel, onPostgres } from '../helpers/db.js';

// kill -9 of a process in the middle of publishing a month: nothing half-published (no revision
// without its mail, no mail without its revision), nothing left that blocks, and the next
// publication publishes revision 1 once.
const root = join(import.meta.dirname, '..', '..');
const NOW = '2026-05-04T02:00:00Z';
const PERIOD = '2026-04';

let pgDatabase: (Database & { url?: string }) | null = null;
let dataDir = '';

async function open(): Promise<Database> {
  return pgDatabase ? openPostgres(pgDatabase.url!, 4) : openPglite(dataDir);
}

beforeAll(async () => {
  if (onPostgres) pgDatabase = await createTestDatabase();
  else dataDir = mkdtempSync(join(tmpdir(), 'pakn-crash-'));
  const d = await open();
  try {
    if (!pgDatabase) await runMigrations(d);
    await seedDemo(d.db);
    await generateCases(d.db, { n: 3000, now: new Date(NOW), dueCount: 10, openShare: 0.2, fromMonth: PERIOD, months: 1 });
  } finally {
    await d.close();
  }
});
afterAll(async () => {
  await pgDatabase?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

function publisher() {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/operations/publish-child.ts'], {
    cwd: root,
    env: { ...process.env, NOW, PERIOD, ...(pgDatabase ? { DATABASE_URL: pgDatabase.url! } : { PAKN_DATA_DIR: dataDir }) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<NodeJS.Signals | number | null>((r) => child.once('exit', (code, signal) => r(signal ?? code)));
  return { child, exited, output: () => out };
}

async function until(what: string, cond: () => boolean | Promise<boolean>, ms: number) {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The revisions of the period and the publication mails, as the database has them. */
async function state(d: Database) {
  const reports = await rows<{ revision: number }>(d.db, sql`select revision from reports where period = ${PERIOD} order by revision`);
  const mails = await rows<{ n: number }>(d.db, sql`select count(*)::int as n from outbox where template = 'report_published'`);
  return { revisions: reports.map((r) => r.revision), mails: mails[0].n };
}

describe(`kill -9 while a month is being published, on ${dbLabel}`, () => {
  it('leaves no half-published revision; the next publication is revision 1, once, with its mail', async () => {
    const p = publisher();
    if (pgDatabase) {
      // hold the reports table against writes: the publication reads and computes, then waits at
      // its insert, inside its transaction — killed there, in the middle
      const holder = new pg.Client({ connectionString: pgDatabase.url });
      // watched from a connection of its own (pg_stat_activity is a snapshot within a transaction)
      const watcher = new pg.Client({ connectionString: pgDatabase.url });
      await holder.connect();
      await watcher.connect();
      try {
        await holder.query('begin');
        await holder.query('lock table reports in share mode');
        const waiting = async () =>
          (await watcher.query(`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and query ilike 'insert into "reports"%'`)).rows[0].n === 1;
        await until('the publication waiting at its insert', waiting, 30_000).catch((e: Error) => {
          throw new Error(`${e.message}\n${p.output()}`);
        });
        const [{ pid }] = (await watcher.query(`select pid from pg_stat_activity where datname = current_database() and query ilike 'insert into "reports"%'`)).rows as Array<{ pid: number }>;
        p.child.kill('SIGKILL');
        expect(await p.exited).toBe('SIGKILL');
        // the lock goes; the orphaned backend finishes its insert, finds its client gone when it
        // waits for the next statement, and rolls the transaction back
        await holder.query('commit');
        const gone = async () => (await watcher.query('select count(*)::int as n from pg_stat_activity where pid = $1', [pid])).rows[0].n === 0;
        await until('the killed backend to go', gone, 30_000);
      } finally {
        await holder.end();
        await watcher.end();
      }
    } else {
      // one process per PGlite folder: killed as soon as it says it is publishing (somewhere in
      // the publication, or just before or after it); what holds must hold wherever it fell
      await until('the publication to start', () => p.output().includes('publishing'), 60_000);
      p.child.kill('SIGKILL');
      expect(await p.exited).toBe('SIGKILL');
    }
    const d = await open();
    try {
      const after = await state(d);
      // all or nothing: a revision and its mail together, or neither
      expect(after.revisions.length <= 1).toBe(true);
      expect(after.mails).toBe(after.revisions.length);
      if (pgDatabase) expect(after.revisions).toEqual([]);
      // the next scheduled publication publishes once, whatever the crash left
      const services = createServices({ config: testConfig(pgDatabase ? { DATABASE_URL: pgDatabase.url! } : {}), database: d, clock: new FixedClock(NOW) });
      await services.reports.publishPreviousMonthIfMissing();
      await services.reports.publishPreviousMonthIfMissing();
      expect(await state(d)).toEqual({ revisions: [1], mails: 1 });
    } finally {
      await d.close();
    }
  });
});
