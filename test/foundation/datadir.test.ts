import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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
