import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import type { PgliteDatabase } from 'drizzle-orm/pglite';
import type { Database, Db } from './client.js';
import { runDataFixes } from './data-fixes.js';

const here = dirname(fileURLToPath(import.meta.url));
/** migrations/ at the project root, from src/db (tsx) or dist/src/db (compiled) */
export const MIGRATIONS_DIR =
  [join(here, '..', '..', 'migrations'), join(here, '..', '..', '..', 'migrations')].find((d) => existsSync(join(d, 'meta'))) ??
  join(here, '..', '..', 'migrations');

/** Arbitrary constant key for pg_advisory_lock around migrations. */
const MIGRATION_LOCK_KEY = 4_172_026_001;

/**
 * Applies pending migrations from migrations/, then the data fixes that need the service's own
 * code (data-fixes.ts). On PostgreSQL several instances may start at once: both run under a
 * session advisory lock, so one migrates and the others wait.
 */
export async function runMigrations(database: Database, folder = MIGRATIONS_DIR): Promise<void> {
  if (database.kind === 'pglite') {
    const { migrate: migratePglite } = await import('drizzle-orm/pglite/migrator');
    await migratePglite(database.db as unknown as PgliteDatabase, { migrationsFolder: folder });
    await runDataFixes(database.db);
    return;
  }
  const client = await database.pool!.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      const onLock = drizzlePg({ client });
      await migratePg(onLock, { migrationsFolder: folder });
      await runDataFixes(onLock as unknown as Db);
    } finally {
      await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    client.release();
  }
}
