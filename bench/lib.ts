import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { loadavg } from 'node:os';
import { cpuUsage } from 'node:process';
import { join } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { openPostgres, type Database } from '../src/db/client.js';
import { runMigrations } from '../src/db/migrate.js';
import { seedDemo } from '../src/db/seed.js';

export const ROOT = join(import.meta.dirname, '..');
export const PG_ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export function dbUrl(name: string): string {
  const u = new URL(PG_ADMIN_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function adminQuery(q: string): Promise<pg.QueryResult> {
  const c = new pg.Client({ connectionString: PG_ADMIN_URL });
  await c.connect();
  try {
    return await c.query(q);
  } finally {
    await c.end();
  }
}

/** A fresh, empty database on the benchmark server. */
export async function freshDatabase(name: string): Promise<string> {
  await adminQuery(`drop database if exists ${name} with (force)`);
  await adminQuery(`create database ${name}`);
  return dbUrl(name);
}

/** A fresh database on the benchmark server, migrated and seeded with the demo province, opened with `poolSize` connections. */
export async function seededDatabase(name: string, poolSize: number): Promise<{ url: string; d: Database }> {
  const url = await freshDatabase(name);
  const d = await openPostgres(url, poolSize);
  try {
    await runMigrations(d);
    await seedDemo(d.db);
  } catch (e) {
    await d.close();
    throw e;
  }
  return { url, d };
}

export async function dropDatabase(name: string): Promise<void> {
  await adminQuery(`drop database if exists ${name} with (force)`);
}

/** The node flags of `npm run start:prod` (package.json), which the bench runs the service with. */
export const START_PROD_NODE_FLAGS: string[] = (() => {
  const script = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts['start:prod'];
  const m = /^node\s+(.*?)\s*dist\/src\/main\.js$/.exec(script);
  if (!m) throw new Error(`start:prod is not "node … dist/src/main.js": ${script}`);
  return m[1].split(/\s+/).filter(Boolean);
})();

export interface Service {
  child: ChildProcess;
  url: string;
  output: () => string;
  stop: () => Promise<void>;
}

/** An Ed25519 key for the chain checkpoints (required on PostgreSQL in production), PEM. */
export const SIGNING_KEY = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

/** Extra node flags for the service (e.g. `BENCH_NODE_FLAGS="--cpu-prof --cpu-prof-dir=/tmp/p"`), which NODE_OPTIONS does not take. */
const EXTRA_NODE_FLAGS = (process.env.BENCH_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean);

/** Starts the compiled service (dist/) as its own process, as `npm run start:prod` does, and waits until it listens. */
export async function startService(env: Record<string, string>, port: number): Promise<Service> {
  const child = spawn(process.execPath, [...START_PROD_NODE_FLAGS, ...EXTRA_NODE_FLAGS, 'dist/src/main.js'], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      PAKN_DISABLE_CRON: '1',
      PAKN_RATE_LIMIT_PUBLIC: '100000000',
      PAKN_RATE_LIMIT_STAFF: '100000000',
      PAKN_SIGNING_KEY: SIGNING_KEY,
      PORT: String(port),
      HOST: '127.0.0.1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (b) => (out += b.toString()));
  child.stderr!.on('data', (b) => (out += b.toString()));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`service exited: ${out}`);
    try {
      const r = await fetch(`${url}/readyz`);
      if (r.ok) break;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    child,
    url,
    output: () => out,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

/** Resident set size of a process, in MB (Linux /proc). */
export function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

export interface LoadResult {
  requestsPerSec: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  total: number;
  statusCodes: Record<string, number>;
  peakRssMb?: number;
  /** CPU time of the service's processes per request, µs */
  cpuUsPerRequest?: number;
  /** CPU time of the PostgreSQL backends of the service's database per request, µs */
  dbCpuUsPerRequest?: number;
  /** CPU time of the load generator (autocannon, in the benchmark's own process) per request, µs */
  loadGenCpuUsPerRequest?: number;
  /** 1-minute load average at the end of the run */
  loadAvg: number;
}

/** The pid and its child processes (cluster workers), Linux /proc. */
export function processTree(pid: number): number[] {
  try {
    const kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    return [pid, ...kids];
  } catch {
    return [pid];
  }
}

/** CPU time (user + system) of a process, in ms (Linux /proc; clock ticks of 10 ms). */
export function cpuMs(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(rest[11]) + Number(rest[12])) * 10;
}

/**
 * CPU time (ms) of the PostgreSQL backends connected to database `db`, by pid (Linux /proc: the
 * server's processes are titled "postgres: <cluster>: <user> <db> <client> …").
 */
export function backendCpu(db: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const title = readFileSync(`/proc/${d}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (!title.startsWith('postgres: ') || !title.split(' ').includes(db)) continue;
      out.set(Number(d), cpuMs(Number(d)));
    } catch {
      /* gone */
    }
  }
  return out;
}

/**
 * CPU ms the backends of `db` spent between two backendCpu() readings: the difference for those
 * seen in both, all of it for those started in between (a backend that ended in between is lost).
 */
export function backendCpuSpent(before: Map<number, number>, after: Map<number, number>): number {
  let t = 0;
  for (const [pid, ms] of after) t += ms - (before.get(pid) ?? 0);
  return t;
}

/** autocannon against a URL; samples the RSS of `pid` and its children while it runs (the peak of any one process). */
export async function load(opts: autocannon.Options & { samplePid?: number; database?: string }): Promise<LoadResult> {
  let peak = 0;
  const timer = opts.samplePid
    ? setInterval(() => {
        for (const p of processTree(opts.samplePid!)) {
          try {
            peak = Math.max(peak, rssMb(p));
          } catch {
            /* gone */
          }
        }
      }, 250)
    : null;
  const pids = opts.samplePid ? processTree(opts.samplePid) : [];
  const cpu0 = pids.map((p) => safeCpu(p));
  const db0 = opts.database ? backendCpu(opts.database) : undefined;
  const gen0 = process.cpuUsage();
  const r = await autocannon({ ...opts });
  const gen = process.cpuUsage(gen0);
  if (timer) clearInterval(timer);
  const cpu = pids.reduce((a, p, i) => a + safeCpu(p) - cpu0[i], 0);
  const dbCpu = db0 ? backendCpuSpent(db0, backendCpu(opts.database!)) : undefined;
  const codes: Record<string, number> = {};
  for (const [k, v] of Object.entries(r.statusCodeStats ?? {})) codes[k] = (v as { count: number }).count;
  return {
    requestsPerSec: Math.round(r.requests.average),
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
    total: r.requests.total,
    statusCodes: codes,
    peakRssMb: opts.samplePid ? peak : undefined,
    cpuUsPerRequest: opts.samplePid && r.requests.total ? Math.round((cpu * 1000) / r.requests.total) : undefined,
    dbCpuUsPerRequest: dbCpu !== undefined && r.requests.total ? Math.round((dbCpu * 1000) / r.requests.total) : undefined,
    loadGenCpuUsPerRequest: r.requests.total ? Math.round((gen.user + gen.system) / r.requests.total) : undefined,
    loadAvg: loadavg()[0],
  };
}

function safeCpu(pid: number): number {
  try {
    return cpuMs(pid);
  } catch {
    return 0;
  }
}

export function sh(cmd: string, args: string[], env: Record<string, string> = {}): string {
  const r = spawnSync(cmd, args, { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr || r.stdout}`);
  return r.stdout;
}

/**
 * Runs `fn` in this process and measures it: wall time, and the process's CPU time (user and
 * system, ms). With `profileFile`, a CPU profile of that run alone is written there (node:inspector;
 * open it in Chrome DevTools).
 */
export async function measuredInProcess<T>(fn: () => Promise<T>, profileFile?: string): Promise<{ result: T; ms: number; userMs: number; systemMs: number }> {
  const session = profileFile ? new Session() : null;
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  const c0 = cpuUsage();
  const t0 = performance.now();
  const result = await fn();
  const ms = performance.now() - t0;
  const c = cpuUsage(c0);
  if (session) {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(profileFile!, JSON.stringify(profile));
    session.disconnect();
  }
  return { result, ms, userMs: c.user / 1000, systemMs: c.system / 1000 };
}

export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const t0 = performance.now();
  const result = await fn();
  return { ms: Math.round(performance.now() - t0), result };
}

/** A valid public submission; a new title each time would not change the work done. */
export const INTAKE_BODY = {
  kind: 'phan_anh',
  categoryId: 3,
  localityId: 1,
  title: 'Chậm cấp giấy phép xây dựng nhà xưởng',
  content: 'Doanh nghiệp nộp hồ sơ xin cấp giấy phép xây dựng nhà xưởng từ tháng trước nhưng chưa nhận được kết quả.',
  businessName: 'Công ty TNHH Cơ khí Kinh Bắc',
  taxCode: '0100109106',
  contactName: 'Nguyễn Văn An',
  phone: '0912345678',
  email: 'an.nguyen@example.vn',
  consentPublishName: false,
};

