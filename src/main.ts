import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import pino from 'pino';
import { buildApp } from './app.js';
import { ConfigError, loadConfig, seedsDemo, workerCount, type Config } from './config.js';
import { DataDirLockedError, openDatabase, type Database } from './db/client.js';
import { runMigrations } from './db/migrate.js';
import { formatDemoTokens, seedBaseline, seedDemo } from './db/seed.js';
import { SigningKeyError } from './features/timeline/checkpoints.js';
import type { AuthService, BootstrapResult } from './features/auth/service.js';
import { systemClock } from './lib/clock.js';
import { loggerOptions } from './lib/log.js';
import { startScheduler } from './scheduler.js';

/** Opens the database, migrates it and seeds what a fresh install needs. */
export async function prepareDatabase(config: Config, log: (s: string) => void): Promise<Database> {
  const database = await openDatabase({
    databaseUrl: config.DATABASE_URL,
    dataDir: config.PAKN_DATA_DIR,
    poolSize: config.DATABASE_POOL_SIZE,
    namedStatements: config.PAKN_DB_NAMED_STATEMENTS,
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

/** Set by the primary in each worker it forks: 1..n (worker 1 also runs the scheduled jobs). */
const WORKER_INDEX = Number(process.env.PAKN_WORKER_INDEX ?? 0);

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
  const workers = workerCount(config, availableParallelism());
  if (cluster.isPrimary && workers > 1 && config.DATABASE_URL) return runPrimary(config, workers);
  return runServer(config, {
    worker: cluster.isPrimary ? 0 : WORKER_INDEX,
    ignoredWorkers: cluster.isPrimary && workers > 1 ? workers : 0,
  });
}

/**
 * PAKN_WORKERS > 1 on PostgreSQL: this process migrates and seeds the database, then forks the
 * workers, which all listen on PORT (node:cluster shares the socket). Worker 1 starts first and
 * also applies the start-up settings and the admin token and runs the scheduled jobs; the others
 * follow once it listens. Every job claims its work in the database (as with several instances),
 * so running the scheduler in one worker only saves polling, not correctness. A worker that dies
 * is forked again with the same number. SIGTERM/SIGINT stops every worker gracefully and then
 * this process.
 */
async function runPrimary(config: Config, workers: number): Promise<void> {
  const log = pino(loggerOptions(config.LOG_LEVEL) as pino.LoggerOptions);
  try {
    const database = await prepareDatabase(config, (s) => console.log(s));
    await database.close();
  } catch (e) {
    log.error({ err: e }, 'preparing the database failed');
    process.exit(1);
  }
  let stopping = false;
  let startFailed = false;
  const live = new Map<number, Worker>();
  /** consecutive restarts of each worker that died before or soon after listening */
  const restarts = new Map<number, number>();
  const fork = (index: number, restart = false): Promise<void> =>
    new Promise((resolve) => {
      if (stopping) return resolve();
      const w = cluster.fork({ PAKN_WORKER_INDEX: String(index) });
      live.set(index, w);
      let listeningAt = 0;
      w.once('listening', () => {
        listeningAt = Date.now();
        resolve();
      });
      w.once('exit', (code, signal) => {
        live.delete(index);
        resolve();
        if (stopping) return;
        if (!listeningAt && !restart) {
          // it could not start at all (its error is in the log): the install is wrong, stop
          log.error({ worker: index, code, signal }, `worker ${index} could not start; stopping`);
          startFailed = true;
          stop('SIGTERM');
          return;
        }
        // a worker that ran (or a restart that failed, say while the database fails over) is
        // started again, waiting longer after each quick failure: 1 s, 2 s, 4 s … at most 60 s
        const quick = !listeningAt || Date.now() - listeningAt < 60_000;
        const n = quick ? (restarts.get(index) ?? 0) + 1 : 1;
        restarts.set(index, n);
        const waitMs = Math.min(60_000, 1000 * 2 ** (n - 1));
        log.error({ worker: index, code, signal, waitMs }, `worker ${index} stopped unexpectedly; starting it again`);
        setTimeout(() => {
          if (!stopping) void fork(index, true);
        }, waitMs);
      });
    });
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal, workers: live.size }, 'stopping the workers');
    const force = setTimeout(() => process.exit(1), config.PAKN_SHUTDOWN_GRACE_SECONDS * 1000 + 15_000);
    force.unref();
    let failed = startFailed;
    const exits = [...live.values()].map(
      (w) =>
        new Promise<void>((resolve) => {
          if (w.isDead()) return resolve();
          w.once('exit', (code) => {
            if (code !== 0) failed = true;
            resolve();
          });
          w.process.kill('SIGTERM');
        }),
    );
    void Promise.all(exits).then(() => {
      log.info('all workers stopped');
      process.exit(failed ? 1 : 0);
    });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  await fork(1);
  // a signal during worker 1's start: the others are not started at all (fork checks `stopping`)
  await Promise.all(Array.from({ length: workers - 1 }, (_, i) => fork(i + 2)));
  if (!stopping) log.info({ workers, pid: process.pid }, `pakn runs ${workers} workers on http://${config.HOST}:${config.PORT}`);
}

/** One serving process: the whole service (worker 0), or worker n of a cluster. */
async function runServer(config: Config, opts: { worker: number; ignoredWorkers: number }): Promise<void> {
  const { worker } = opts;
  const leader = worker <= 1;
  if (worker > 0) {
    // names the worker in leases and job runs when the operator set one name for the install
    if (config.PAKN_INSTANCE_ID) config = { ...config, PAKN_INSTANCE_ID: `${config.PAKN_INSTANCE_ID}-w${worker}` };
    // the scheduled jobs run in worker 1 (the primary ran the migrations and the seeding)
    config = { ...config, PAKN_DISABLE_CRON: config.PAKN_DISABLE_CRON || !leader };
  }
  let database: Database;
  try {
    database =
      worker > 0
        ? await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.PAKN_DATA_DIR, poolSize: config.DATABASE_POOL_SIZE, namedStatements: config.PAKN_DB_NAMED_STATEMENTS })
        : await prepareDatabase(config, (s) => console.log(s));
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
  if (opts.ignoredWorkers > 0) {
    app.log.warn(`PAKN_WORKERS=${opts.ignoredWorkers} is ignored: the embedded database (PGlite) runs in one process; set DATABASE_URL for several workers`);
  }
  if (leader) {
    // settings never set take the environment's values (the first start of an install)
    await app.services.settings.seedFromConfig();
    if (config.PAKN_ADMIN_TOKEN) await applyAdminToken(app.services.auth, config.PAKN_ADMIN_TOKEN, app.log);
    else if (!(await app.services.reference.listUsers()).some((u) => u.role === 'admin' && u.active)) {
      app.log.warn('There is no active admin and PAKN_ADMIN_TOKEN is not set: set PAKN_ADMIN_TOKEN to administer this install.');
    }
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
    app.log.info({ signal, instance: app.services.instanceId, worker: worker || undefined }, 'shutting down');
    const force = setTimeout(() => process.exit(1), config.PAKN_SHUTDOWN_GRACE_SECONDS * 1000 + 10_000);
    force.unref();
    let code = 0;
    try {
      scheduler.stop();
      app.services.jobs.stop();
      await app.close();
      await database.close();
      app.log.info({ instance: app.services.instanceId, worker: worker || undefined }, 'stopped');
    } catch (err) {
      app.log.error({ err }, 'shutdown failed');
      code = 1;
    } finally {
      process.exit(code);
    }
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  const address = await app.listen({ port: config.PORT, host: config.HOST });
  if (worker > 0) app.log.info({ worker, pid: process.pid }, `worker ${worker} is listening on ${address}`);
  else app.log.info(`pakn is listening on ${address} (${database.where}); API docs at /docs`);
}

const isEntry = process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/').split('/').pop()!);
if (isEntry) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
