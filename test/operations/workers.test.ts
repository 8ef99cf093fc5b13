import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { rows, type Database } from '../../src/db/client.js';
import { createTestDatabase, dbLabel, onPostgres } from '../helpers/db.js';

const root = join(import.meta.dirname, '..', '..');
let pgDatabase: (Database & { url?: string }) | null = null;

beforeAll(async () => {
  if (onPostgres) pgDatabase = await createTestDatabase();
});
afterAll(async () => {
  await pgDatabase?.close();
});

/** `src/main.ts` as a real process with PAKN_WORKERS=2. */
function start() {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      NODE_ENV: 'development',
      PAKN_WORKERS: '2',
      PAKN_SEED_DEMO: 'always',
      PAKN_DISABLE_CRON: '1',
      PAKN_RATE_LIMIT_PUBLIC: '1000',
      ...(pgDatabase ? { DATABASE_URL: pgDatabase.url! } : { DATABASE_URL: '', PAKN_DATA_DIR: mkdtempSync(join(tmpdir(), 'pakn-workers-')) }),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, exited, output: () => out };
}

async function until(what: string, cond: () => boolean, ms: number, output: () => string) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}:\n${output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const submission = (i: number) => ({
  kind: 'phan_anh',
  categoryId: 3,
  localityId: 1,
  title: `Chậm cấp giấy phép xây dựng nhà xưởng số ${i}`,
  content: 'Doanh nghiệp nộp hồ sơ xin cấp giấy phép xây dựng nhà xưởng từ tháng trước nhưng chưa nhận được kết quả.',
  businessName: 'Công ty TNHH Cơ khí Kinh Bắc',
  taxCode: '0100109106',
  contactName: 'Nguyễn Văn An',
  phone: '0912345678',
  email: 'an.nguyen@example.vn',
  consentPublishName: false,
});

if (onPostgres) describe(`PAKN_WORKERS=2 on ${dbLabel}`, () => {
  it('serves on one port from two worker processes, seals every event into one chain, restarts a worker that dies, and stops every worker on SIGTERM', async () => {
    const svc = start();
    try {
      const listening = () => [...svc.output().matchAll(/"pid":(\d+).*worker (\d) is listening on (http:\/\/[\d.:]+)/g)];
      await until('two workers listening', () => listening().length === 2, 240_000, svc.output);
      const ws = listening();
      const pids = ws.map((m) => Number(m[1]));
      expect(new Set(ws.map((m) => m[2]))).toEqual(new Set(['1', '2']));
      expect(new Set(ws.map((m) => m[3])).size).toBe(1); // one address
      expect(new Set(pids).size).toBe(2);
      expect(pids).not.toContain(svc.child.pid);
      const url = ws[0][3];

      // concurrent submissions over separate connections: both workers take some
      const answers = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          fetch(`${url}/api/v1/public/cases`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', connection: 'close' },
            body: JSON.stringify(submission(i)),
          }).then(async (r) => ({ status: r.status, body: (await r.json()) as { trackingCode?: string } })),
        ),
      );
      expect(answers.map((a) => a.status), JSON.stringify(answers[0].body)).toEqual(Array(30).fill(201));
      expect(new Set(answers.map((a) => a.body.trackingCode)).size).toBe(30);

      const db = pgDatabase!.db;
      const [c] = await rows<{ n: number }>(db, sql`select count(*)::int as n from cases where title like 'Chậm cấp giấy phép xây dựng nhà xưởng số %'`);
      expect(c.n).toBe(30);
      // every event sealed into the chain once, with no gap in seq
      const [e] = await rows<{ n: number; unsealed: number; seqs: number; span: number }>(
        db,
        sql`select count(*)::int as n, count(*) filter (where hash is null)::int as unsealed, count(distinct seq)::int as seqs, (max(seq) - min(seq) + 1)::int as span from case_events`,
      );
      expect(e.n).toBeGreaterThanOrEqual(30);
      expect(e.unsealed).toBe(0);
      expect(e.seqs).toBe(e.n);
      expect(e.span).toBe(e.n);

      // a worker that dies is started again with its number, on the same address
      const w2 = pids[ws.findIndex((m) => m[2] === '2')];
      process.kill(w2, 'SIGKILL');
      await until('worker 2 started again', () => listening().length === 3, 240_000, svc.output);
      const again = listening()[2];
      expect(again[2]).toBe('2');
      expect(again[3]).toBe(url);
      expect(Number(again[1])).not.toBe(w2);
      expect(svc.output()).toContain('worker 2 stopped unexpectedly; starting it again');
      const r = await fetch(`${url}/readyz`, { headers: { connection: 'close' } });
      expect(r.status).toBe(200);

      svc.child.kill('SIGTERM');
      const code = await svc.exited;
      expect(code).toBe(0);
      expect(svc.output()).toContain('all workers stopped');
      expect(svc.output().match(/"msg":"stopped"/g)?.length).toBe(2);
      for (const pid of [...pids, Number(again[1])]) expect(alive(pid)).toBe(false);
    } finally {
      if (svc.child.exitCode === null) svc.child.kill('SIGKILL');
    }
  }, 400_000);
});

if (!onPostgres) describe(`PAKN_WORKERS=2 on ${dbLabel}`, () => {
  it('runs one process, says in the log that it ignores the setting, serves and stops on SIGTERM', async () => {
    const svc = start();
    try {
      await until('listening', () => /pakn is listening on/.test(svc.output()), 240_000, svc.output);
      expect(svc.output()).toContain('PAKN_WORKERS=2 is ignored: the embedded database (PGlite) runs in one process');
      expect(svc.output()).not.toMatch(/worker \d is listening/);
      const url = /pakn is listening on (http:\/\/[\d.:]+)/.exec(svc.output())![1];
      const r = await fetch(`${url}/api/v1/public/cases`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(submission(1)) });
      expect(r.status).toBe(201);
      svc.child.kill('SIGTERM');
      expect(await svc.exited).toBe(0);
      expect(svc.output()).toContain('"msg":"stopped"');
    } finally {
      if (svc.child.exitCode === null) svc.child.kill('SIGKILL');
    }
  }, 400_000);
});
