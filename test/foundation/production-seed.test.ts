import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { prepareDatabase } from '../../src/main.js';

/** Start-up's database preparation on a new embedded data folder, as the service runs it. */
async function firstStart(env: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'pakn-seed-'));
  const printed: string[] = [];
  const database = await prepareDatabase(loadConfig({ PAKN_DATA_DIR: dir, LOG_LEVEL: 'silent', ...env }), (s) => printed.push(s));
  try {
    const count = async (table: string) => (await database.pglite!.query<{ n: number }>(`select count(*)::int as n from ${table}`)).rows[0].n;
    return { printed: printed.join('\n'), agencies: await count('agencies'), tokens: await count('api_tokens'), calendars: await count('calendar_years') };
  } finally {
    await database.close();
  }
}

describe('first start on a new embedded database', () => {
  it('in production: no demo province, no tokens printed; the reference calendars are there', async () => {
    const r = await firstStart({ NODE_ENV: 'production' });
    expect(r.printed).toBe('');
    expect(r.printed).not.toMatch(/pakn_/);
    expect(r.agencies).toBe(0);
    expect(r.tokens).toBe(0);
    expect(r.calendars).toBeGreaterThan(0);
  }, 240_000);

  it('in development: the demo province and its tokens, once', async () => {
    const r = await firstStart({ NODE_ENV: 'development' });
    expect(r.printed).toMatch(/Demo province seeded[\s\S]*pakn_/);
    expect(r.tokens).toBeGreaterThan(0);
  }, 240_000);
});
