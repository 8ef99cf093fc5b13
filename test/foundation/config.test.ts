import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, seedsDemo, workerCount } from '../../src/config.js';

describe('config', () => {
  it('reads PAKN_WORKERS as a number of processes or auto (one per core), default 1', () => {
    expect(workerCount(loadConfig({}), 8)).toBe(1);
    expect(workerCount(loadConfig({ PAKN_WORKERS: '3' }), 8)).toBe(3);
    expect(workerCount(loadConfig({ PAKN_WORKERS: 'auto' }), 2)).toBe(2);
    expect(workerCount(loadConfig({ PAKN_WORKERS: 'auto' }), 16)).toBe(16);
  });

  it('has defaults that run the embedded database', () => {
    const c = loadConfig({});
    expect(c.PORT).toBe(3000);
    expect(c.DATABASE_URL).toBeUndefined();
    expect(c.PAKN_DATA_DIR).toBe('./data');
    expect(c.PAKN_DISABLE_CRON).toBe(false);
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'mysql://x'],
    ['SMTP_URL', 'http://mail'],
    ['PUBLIC_BASE_URL', 'not a url'],
    ['PAKN_ADMIN_TOKEN', 'short'],
    ['PAKN_ESCALATION_CRON', 'every minute'],
    ['PAKN_OFFICE_HOURS', '7h30-11h30'],
    ['PAKN_LEADERSHIP_EMAILS', 'a@b.vn,not-an-email'],
    ['PAKN_WORKERS', '0'],
    ['PAKN_WORKERS', 'two'],
    ['PAKN_WORKERS', '1.5'],
  ])('rejects %s=%s with a message naming the variable', (name, value) => {
    let err: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain(name);
  });

  it('parses lists and flags', () => {
    const c = loadConfig({ PAKN_DISABLE_CRON: '1', PAKN_LEADERSHIP_EMAILS: 'a@bacninh.gov.vn, b@bacninh.gov.vn' });
    expect(c.PAKN_DISABLE_CRON).toBe(true);
    expect(c.PAKN_LEADERSHIP_EMAILS).toEqual(['a@bacninh.gov.vn', 'b@bacninh.gov.vn']);
  });
});

describe('demo seeding', () => {
  it.each([
    // NODE_ENV, PAKN_SEED_DEMO, database → seeds the demo province
    ['development', 'auto', 'pglite', true],
    ['test', 'auto', 'pglite', true],
    ['production', 'auto', 'pglite', false],
    ['development', 'auto', 'pg', false],
    ['production', 'auto', 'pg', false],
    ['production', 'always', 'pglite', true],
    ['production', 'always', 'pg', true],
    ['development', 'never', 'pglite', false],
  ] as const)('NODE_ENV=%s PAKN_SEED_DEMO=%s on %s → %s', (env, seed, kind, expected) => {
    expect(seedsDemo(loadConfig({ NODE_ENV: env, PAKN_SEED_DEMO: seed }), kind)).toBe(expected);
  });

  it('the production image sets NODE_ENV=production and does not ask for the demo', () => {
    const dockerfile = readFileSync(join(import.meta.dirname, '..', '..', 'Dockerfile'), 'utf8');
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('FROM '));
    expect(runtime).toMatch(/NODE_ENV=production/);
    expect(runtime).not.toMatch(/PAKN_SEED_DEMO=always/);
  });
});

describe('slow-client timeouts', () => {
  it('default to about 30 seconds and can be set', () => {
    const c = loadConfig({});
    expect([c.PAKN_REQUEST_TIMEOUT_MS, c.PAKN_HEADERS_TIMEOUT_MS, c.PAKN_KEEPALIVE_TIMEOUT_MS]).toEqual([30_000, 20_000, 30_000]);
    expect(loadConfig({ PAKN_REQUEST_TIMEOUT_MS: '120000' }).PAKN_REQUEST_TIMEOUT_MS).toBe(120_000);
    expect(() => loadConfig({ PAKN_KEEPALIVE_TIMEOUT_MS: '0' })).toThrow(/PAKN_KEEPALIVE_TIMEOUT_MS/);
  });
});
