import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataDirLockedError, lockDataDir, openPglite } from '../../src/db/client.js';
import { runMigrations } from '../../src/db/migrate.js';

const root = join(import.meta.dirname, '..', '..');

/** Runs `src/main.ts` as a real process; resolves when it printed `until` or exited. */
function startService(env: Record<string, string>, until: RegExp) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: { ...process.env, PAKN_DISABLE_CRON: '1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const done = new Promise<{ code: number | null; out: string }>((resolveDone) => {
    const onData = (b: Buffer) => {
      out += b.toString();
      if (until.test(out)) resolveDone({ code: null, out });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => resolveDone({ code, out }));
  });
  return { child, done };
}

/** The pid of a process that has exited (a lock naming it is stale). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await new Promise((r) => child.once('exit', r));
  return child.pid!;
}

describe('embedded database folder', () => {
  it('refuses a second lock in the same process and takes over a stale lock file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pakn-lock-'));
    const release = lockDataDir(dir);
    expect(() => lockDataDir(dir)).toThrow(DataDirLockedError);
    release();
    // a lock left by a process that no longer exists
    writeFileSync(join(dir, 'pakn.lock'), '999999999');
    const again = lockDataDir(dir);
    expect(readFileSync(join(dir, 'pakn.lock'), 'utf8')).toBe(String(process.pid));
    again();
  });

  it('holds an empty or half-written lock file, never reads it as stale', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pakn-lock-'));
    for (const content of ['', '12a', ' ']) {
      writeFileSync(join(dir, 'pakn.lock'), content);
      expect(() => lockDataDir(dir)).toThrow(/pid unknown: its lock file .*pakn\.lock holds no process id/);
      expect(readFileSync(join(dir, 'pakn.lock'), 'utf8')).toBe(content);
    }
  });

  for (const start of ['a fresh folder', 'a stale lock'] as const) {
    it(`16 processes started at once on ${start}: exactly one wins, the others name the folder and its pid`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'pakn-race-'));
      if (start === 'a stale lock') writeFileSync(join(dir, 'pakn.lock'), String(await deadPid()));
      const go = join(dir, 'go');
      const workers = Array.from({ length: 16 }, () => {
        const child = spawn(process.execPath, ['--import', 'tsx', 'test/foundation/fixtures/lock-worker.ts', dir, go], {
          cwd: root,
          stdio: ['pipe', 'pipe', 'pipe'],
        });
        let out = '';
        child.stdout.on('data', (b) => (out += b));
        child.stderr.on('data', (b) => (out += b));
        const ready = new Promise<void>((r) => child.stdout.on('data', () => /ready/.test(out) && r()));
        const settled = new Promise<void>((r) => {
          const check = () => (/won \d+/.test(out) || child.exitCode != null ? r() : undefined);
          child.stdout.on('data', check);
          child.on('exit', () => r());
        });
        return { child, ready, settled, out: () => out };
      });
      try {
        await Promise.all(workers.map((w) => w.ready));
        writeFileSync(go, '');
        await Promise.all(workers.map((w) => w.settled));
        const winners = workers.filter((w) => /won \d+/.test(w.out()));
        expect(winners, workers.map((w) => w.out()).join('\n---\n')).toHaveLength(1);
        const winnerPid = winners[0].child.pid!;
        expect(readFileSync(join(dir, 'pakn.lock'), 'utf8')).toBe(String(winnerPid));
        for (const w of workers.filter((x) => x !== winners[0])) {
          expect(w.child.exitCode).toBe(1);
          expect(w.out()).toContain(`The data folder ${dir} is in use by another pakn process (pid ${winnerPid})`);
        }
        // no take-over marker nor temporary file is left behind
        expect(readdirSync(dir).sort()).toEqual(['go', 'pakn.lock']);
      } finally {
        for (const w of workers) w.child.stdin.end();
        await Promise.all(workers.map((w) => (w.child.exitCode != null ? null : new Promise((r) => w.child.once('exit', r)))));
      }
      expect(readdirSync(dir)).toEqual(['go']); // the winner released its lock
    }, 240_000);
  }

  it('refuses a second process on the same data folder with a clear message', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pakn-data-'));
    const first = startService({ PAKN_DATA_DIR: dir, PORT: '0' }, /listening on/);
    const r1 = await first.done;
    expect(r1.code).toBeNull();
    expect(r1.out).toContain('Demo province seeded');
    try {
      const second = startService({ PAKN_DATA_DIR: dir, PORT: '0' }, /$^/);
      const r2 = await second.done;
      expect(r2.code).toBe(1);
      expect(r2.out).toMatch(/data folder .* is in use by another pakn process \(pid \d+\)/);
    } finally {
      first.child.kill('SIGTERM');
      await new Promise((r) => first.child.once('exit', r));
    }
    // after a clean shutdown the folder opens again, with its data
    const db = await openPglite(dir);
    await runMigrations(db);
    const r = await db.pglite!.query<{ n: number }>('select count(*)::int as n from agencies');
    expect(r.rows[0].n).toBeGreaterThan(10);
    await db.close();
  });
});
