import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { testConfig } from '../../src/config.js';
import { generateSigningKeyPem, KEY_FILE_NAME, loadSigningKey, SigningKeyError } from '../../src/features/timeline/checkpoints.js';
import { compareCase, replayCase, type ReplayEvent } from '../../src/features/timeline/replay.js';
import { FixedClock } from '../../src/lib/clock.js';
import { createTestDatabase } from '../helpers/db.js';

const dir = mkdtempSync(join(tmpdir(), 'pakn-key-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the checkpoint signing key', () => {
  it('on the embedded database: generated in the data folder at first start, with a log line, and kept', async () => {
    const dataDir = join(dir, 'data');
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    // the services see the embedded database's folder (the database itself stays in memory: faster)
    const database = await createTestDatabase();
    const start = async () =>
      buildApp({
        config: testConfig({ PAKN_DATA_DIR: dataDir, LOG_LEVEL: 'info' }),
        database: { ...database, kind: 'pglite', dataDir },
        clock: new FixedClock('2026-03-02T02:00:00Z'),
        logger: { level: 'info', stream },
      });
    try {
      let app = await start();
      const file = join(dataDir, KEY_FILE_NAME);
      expect(existsSync(file)).toBe(true);
      expect(statSync(file).mode & 0o077).toBe(0);
      const keyId = app.services.checkpoints.key.keyId;
      expect(lines.join('')).toContain(`Generated the Ed25519 key that signs the timeline's checkpoints: ${file}`);
      await app.close();
      lines.length = 0;
      app = await start();
      expect(app.services.checkpoints.key.keyId).toBe(keyId);
      expect(lines.join('')).not.toContain('Generated');
      await app.close();
    } finally {
      await database.close();
    }
  }, 180_000);

  it('PAKN_SIGNING_KEY as PEM text or as a file path; anything else is refused by name', () => {
    const pem = generateSigningKeyPem();
    const a = loadSigningKey({ configured: pem, production: true, onPostgres: true });
    const file = join(dir, 'key.pem');
    writeFileSync(file, pem);
    const b = loadSigningKey({ configured: file, production: true, onPostgres: true });
    expect(b.keyId).toBe(a.keyId);
    expect(b.source).toBe('file');
    expect(() => loadSigningKey({ configured: join(dir, 'nope.pem'), production: false, onPostgres: false })).toThrow(SigningKeyError);
    expect(() => loadSigningKey({ configured: '-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----', production: false, onPostgres: false })).toThrow(/PAKN_SIGNING_KEY/);
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(() => loadSigningKey({ configured: ec, production: false, onPostgres: false })).toThrow(/Ed25519/);
    expect(readFileSync(file, 'utf8')).toBe(pem);
  });

  it('PostgreSQL in production requires the key; elsewhere a temporary key is used (with a warning on PostgreSQL)', () => {
    expect(() => loadSigningKey({ production: true, onPostgres: true })).toThrow(/required on PostgreSQL in production/);
    const warnings: string[] = [];
    const k = loadSigningKey({ production: false, onPostgres: true, log: (_l, m) => warnings.push(m) });
    expect(k.source).toBe('temporary');
    expect(warnings[0]).toContain('temporary key');
  });
});

describe('replaying a case', () => {
  const ev = (action: string, toStatus: string | null, data: Record<string, unknown> | null = null, publicText: string | null = null): ReplayEvent => ({ action, toStatus, data, publicText });
  const row = {
    id: 7,
    status: 'resolved',
    agencyId: 3,
    acceptDueAt: '2026-03-03T02:30:00.000Z',
    resolveDueAt: '2026-03-20T10:00:00.000Z',
    outcome: 'early',
    extensionsUsed: 1,
    publicAnswer: 'Đã trả lời.',
    rating: null,
  };

  it('follows the events to the row', () => {
    const events = [
      ev('receive', 'received', { resolveDueAt: '2026-03-16T10:00:00.000Z' }),
      ev('assign', 'assigned', { agencyId: 3, acceptDueAt: '2026-03-03T02:30:00.000Z' }),
      ev('accept', 'in_progress', { acceptDueAt: '2026-03-03T02:30:00.000Z' }),
      ev('extend', 'in_progress', { resolveDueAt: '2026-03-18T10:00:00.000Z', count: 1 }),
      ev('deadline_recomputed', null, { resolveDueAt: { from: '2026-03-18T10:00:00.000Z', to: '2026-03-20T10:00:00.000Z' } }),
      ev('resolve', 'resolved', { outcome: 'early' }, 'Đã trả lời.'),
    ];
    expect(compareCase(row, replayCase(events))).toEqual({ problems: [], notReplayable: [] });
    expect(compareCase({ ...row, outcome: 'late' }, replayCase(events)).problems).toEqual([expect.objectContaining({ caseId: 7, field: 'outcome' })]);
  });

  it('older events without the data are "not replayable" for that field, not a difference', () => {
    const events = [ev('receive', 'received', {}), ev('assign', 'assigned', {}), ev('accept', 'in_progress', null), ev('resolve', 'resolved', null, 'Đã trả lời.')];
    const r = compareCase({ ...row, extensionsUsed: 0 }, replayCase(events));
    expect(r.problems).toEqual([]);
    expect(r.notReplayable.sort()).toEqual(['acceptDueAt', 'agencyId', 'outcome', 'resolveDueAt']);
    // a later event that states the value makes it replayable again
    const later = replayCase([...events, ev('assign', 'assigned', { agencyId: 4, acceptDueAt: null })]);
    expect(later.agencyId).toBe(4);
  });
});
