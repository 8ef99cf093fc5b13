import { buildApp } from './app.js';
import { ConfigError, loadConfig, seedsDemo, type Config } from './config.js';
import { DataDirLockedError, openDatabase, type Database } from './db/client.js';
import { runMigrations } from './db/migrate.js';
import { formatDemoTokens, seedBaseline, seedDemo } from './db/seed.js';
import { SigningKeyError } from './features/timeline/checkpoints.js';
import type { AuthService, BootstrapResult } from './features/auth/service.js';
import { systemClock } from './lib/clock.js';
import { startScheduler } from './scheduler.js';

/** Opens the database, migrates it and seeds what a fresh install needs. */
export async function prepareDatabase(config: Config, log: (s: string) => void): Promise<Database> {
  const database = await openDatabase({
    databaseUrl: config.DATABASE_URL,
    dataDir: config.PAKN_DATA_DIR,
    poolSize: config.DATABASE_POOL_SIZE,
  });
  try {
    await runMigrations(database);
    if (seedsDemo(config, database.kind)) {
      const r = await seedDemo(database.db);
      const banner = formatDemoTokens(r);
      if (banner) log(banner);
    } else {
      await database.db.transaction((tx) => seedBaseline(tx));
    }
    return database;
  } catch (e) {
    await database.close();
    throw e;
  }
}

/**
 * Applies PAKN_ADMIN_TOKEN at start-up. A value that was revoked stays revoked: the service starts
 * without it and logs an error telling the operator to set a new value.
 */
export async function applyAdminToken(
  auth: Pick<AuthService, 'ensureBootstrapAdmin'>,
  token: string,
  log: { error: (msg: string) => void },
): Promise<BootstrapResult> {
  const r = await auth.ensureBootstrapAdmin(token);
  if (r.status === 'revoked') {
    log.error(
      `PAKN_ADMIN_TOKEN was revoked on ${r.revokedAt.toISOString()} and stays revoked; it does not work. ` +
        'Set PAKN_ADMIN_TOKEN to a new value (e.g. `openssl rand -hex 24`) and restart.',
    );
  } else if (r.status === 'user_inactive') {
    log.error('PAKN_ADMIN_TOKEN belongs to the "Bootstrap admin" user, which is deactivated; the token does not work. Another admin can re-activate the user.');
  }
  return r;
}

async function main() {
  let config: Config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(1);
    }
    throw e;
  }
  let database: Database;
  try {
    database = await prepareDatabase(config, (s) => console.log(s));
  } catch (e) {
    if (e instanceof DataDirLockedError) {
      console.error(e.message);
      process.exit(1);
    }
    throw e;
  }
  let app: Awaited<ReturnType<typeof buildApp>>;
  try {
    app = await buildApp({ config, database, clock: systemClock });
  } catch (e) {
    if (e instanceof SigningKeyError) {
      console.error(e.message);
      await database.close();
      process.exit(1);
    }
    throw e;
  }
  // settings never set take the environment's values (the first start of an install)
  await app.services.settings.seedFromConfig();
  if (config.PAKN_ADMIN_TOKEN) await applyAdminToken(app.services.auth, config.PAKN_ADMIN_TOKEN, app.log);
  else if (!(await app.services.reference.listUsers()).some((u) => u.role === 'admin' && u.active)) {
    app.log.warn('There is no active admin and PAKN_ADMIN_TOKEN is not set: set PAKN_ADMIN_TOKEN to administer this install.');
  }
  const scheduler = startScheduler(app.services, app.log);

  let closing = false;
  /**
   * Graceful stop (a rolling deploy): no new job runs and no new requests (503 while closing);
   * running jobs finish their current message or transaction and hand back what they had not
   * started, within PAKN_SHUTDOWN_GRACE_SECONDS (app.close's preClose hook waits for them);
   * requests in flight finish; then the SMTP transport and the database are closed.
   */
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal, instance: app.services.instanceId }, 'shutting down');
    const force = setTimeout(() => process.exit(1), config.PAKN_SHUTDOWN_GRACE_SECONDS * 1000 + 10_000);
    force.unref();
    let code = 0;
    try {
      scheduler.stop();
      app.services.jobs.stop();
      await app.close();
      await database.close();
      app.log.info({ instance: app.services.instanceId }, 'stopped');
    } catch (err) {
      app.log.error({ err }, 'shutdown failed');
      code = 1;
    } finally {
      process.exit(code);
    }
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  await app.listen({ port: config.PORT, host: config.HOST });
  app.log.info(`pakn is listening on http://${config.HOST}:${config.PORT} (${database.where}); API docs at /docs`);
}

const isEntry = process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/').split('/').pop()!);
if (isEntry) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
