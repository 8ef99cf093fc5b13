import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { testConfig } from '../../src/config.js';
import { openPglite, openPostgres, rows, type Database } from '../../src/db/client.js';
import { runMigrations } from '../../src/db/migrate.js';
import { enqueueMessages } from '../../src/features/notifications/outbox.js';
import { FixedClock } from '../../src/lib/clock.js';
import { createTestDatabase, dbLabel, onPostgres } from '../helpers/db.js';
import { startSmtp, type TestSmtp } from '../notifications/smtp.js';

const root = join(import.meta.dirname, '..', '..');
const N = 60;

let smtp: TestSmtp;
/** PostgreSQL: the test database (kept open: a second instance may share it); PGlite: a data folder, opened by one process at a time */
let pgDatabase: (Database & { url?: string }) | null = null;
let dataDir = '';

async function openShared(): Promise<Database> {
  if (pgDatabase) return openPostgres(pgDatabase.url!, 5);
  const d = await openPglite(dataDir);
  await runMigrations(d);
  return d;
}

beforeAll(async () => {
  smtp = await startSmtp();
  if (onPostgres) pgDatabase = await createTestDatabase();
  else dataDir = mkdtempSync(join(tmpdir(), 'pakn-stop-'));
  const d = await openShared();
  try {
    const now = new Date();
    const messages = Array.from({ length: N }, (_, i) => ({
      template: 'overdue',
      to: [`lanhdao${i}@so${i % 7}.bacninh.example`],
      subject: `Hồ sơ BN-2603-${String(i).padStart(5, '0')} quá hạn trả lời`,
      text: 'Hồ sơ đã quá hạn trả lời; đề nghị lãnh đạo đơn vị chỉ đạo xử lý.',
    }));
    await d.db.transaction((tx) => enqueueMessages(tx, 'pakn.test', messages, now));
  } finally {
    await d.close();
  }
});
afterAll(async () => {
  await pgDatabase?.close();
  await smtp?.stop();
});

/** `src/main.ts` as a real process. */
function startInstance(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: {
      ...process.env,
      PORT: '0',
      LOG_LEVEL: 'info',
      PAKN_SEED_DEMO: 'never',
      ...(pgDatabase ? { DATABASE_URL: pgDatabase.url! } : { PAKN_DATA_DIR: dataDir }),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, exited, output: () => out };
}

async function until(what: string, cond: () => boolean, ms: number) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe(`SIGTERM during an outbox run against a slow SMTP server, on ${dbLabel}`, () => {
  it('finishes the message in flight, records it sent, hands back the rest; another instance delivers the rest, each once', async () => {
    smtp.dataDelayMs = 250; // about 3 × 4 messages a second
    const a = startInstance({ SMTP_URL: smtp.url, PAKN_INSTANCE_ID: 'pakn-a', PAKN_OUTBOX_CRON: '* * * * * *', PAKN_SHUTDOWN_GRACE_SECONDS: '20' });
    try {
      await until('the first deliveries', () => smtp.received.length >= 6, 60_000);
    } catch (e) {
      a.child.kill('SIGKILL');
      throw new Error(`${(e as Error).message}\n${a.output()}`);
    }
    const stopAt = Date.now();
    a.child.kill('SIGTERM');
    const code = await a.exited;
    expect(code, a.output()).toBe(0);
    // within the grace period: only the messages in flight were waited for
    expect(Date.now() - stopAt).toBeLessThan(15_000);
    expect(a.output()).toContain('stopped');

    const received = new Set(smtp.received.map((m) => m.messageId));
    expect(received.size).toBe(smtp.received.length);
    expect(received.size).toBeLessThan(N);

    const clock = new FixedClock(new Date());
    const database = await openShared();
    const b = await buildApp({ config: testConfig({ SMTP_URL: smtp.url, PAKN_INSTANCE_ID: 'pakn-b' }), database, clock });
    try {
      const state = await rows<{ message_id: string; status: string; locked_by: string | null }>(database.db, sql`select message_id, status, locked_by from outbox`);
      // nothing is leased to the stopped instance; every message SMTP accepted is recorded sent, and only those
      expect(state.filter((m) => m.status === 'sending' || m.locked_by !== null)).toEqual([]);
      const sent = new Set(state.filter((m) => m.status === 'sent').map((m) => m.message_id));
      expect(sent).toEqual(received);
      expect(state.filter((m) => m.status === 'pending')).toHaveLength(N - received.size);
      // the run is on record as interrupted, by its instance
      const runs = await rows<{ job: string; instance: string; outcome: string }>(database.db, sql`select job, instance, outcome from job_runs where job = 'outbox'`);
      expect(runs).toContainEqual({ job: 'outbox', instance: 'pakn-a', outcome: 'interrupted' });

      // the other instance delivers the rest at once (no lease to wait for), each Message-ID once
      smtp.dataDelayMs = 0;
      const r = await b.services.notifications.runOutbox(clock.now());
      expect(r).toMatchObject({ claimed: N - received.size, sent: N - received.size });
      expect(smtp.received).toHaveLength(N);
      expect([...smtp.byMessageId().values()].every((n) => n === 1)).toBe(true);
      expect(smtp.byMessageId().size).toBe(N);
    } finally {
      await b.close();
      await database.close();
    }
  });
});
