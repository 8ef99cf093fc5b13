import pg from 'pg';
import { openPglite, openPostgres, type Database } from '../../src/db/client.js';
import { runMigrations } from '../../src/db/migrate.js';

export const onPostgres = Boolean(process.env.TEST_DATABASE_URL);
export const dbLabel = onPostgres ? 'PostgreSQL' : 'PGlite';

/**
 * A fresh, migrated database for one test file: in-memory PGlite by default, or a new
 * database on the PostgreSQL server named by TEST_DATABASE_URL (dropped again on close).
 */
export async function createTestDatabase(): Promise<Database & { url?: string }> {
  const admin = process.env.TEST_DATABASE_URL;
  if (!admin) {
    const d = await openPglite(null);
    await runMigrations(d);
    return d;
  }
  const name = `pakn_t_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  await c.query(`create database ${name}`);
  await c.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  const d = await openPostgres(url.toString(), 10);
  await runMigrations(d);
  const close = d.close;
  return {
    ...d,
    url: url.toString(),
    async close() {
      await close();
      const c2 = new pg.Client({ connectionString: admin });
      await c2.connect();
      await c2.query(`drop database if exists ${name} with (force)`);
      await c2.end();
    },
  };
}
