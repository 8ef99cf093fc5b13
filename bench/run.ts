/**
 * npm run bench — every benchmark of docs/benchmarks.md in one run.
 *
 *   BENCH_DURATION=30   seconds per load test (default 30)
 *   BENCH_ONLY=a,b      run only these sections (deadline, ceiling, pgbench, intake-pg, intake-pglite, queue, escalation, report, audit);
 *                       `replay` (the million-case replay, ~6 min) runs only when named here
 *   BENCH_WORKERS=1,2   PAKN_WORKERS values the intake and queue loads run with (default 1,2)
 *   BENCH_CASES=1000000 cases for the queue, escalation and report sections
 *   BENCH_DATABASE_URL  PostgreSQL server to create benchmark databases on (default postgres://postgres@127.0.0.1:5432/postgres)
 *
 * Prints a Markdown table and writes bench/results/latest.json.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { spawn } from 'node:child_process';
import { sql } from 'drizzle-orm';
import type autocannon from 'autocannon';
import pg from 'pg';
import { testConfig } from '../src/config.js';
import { openPostgres } from '../src/db/client.js';
import { sha256Hex } from '../src/lib/crypto.js';
import { FixedClock } from '../src/lib/clock.js';
import { createServices } from '../src/services.js';
import { queueQuery } from '../src/features/cases/repository.js';
import { generateCases } from './datagen.js';
import { captureIntakeStatement, writeIntakeStatementScript } from './intake-statement.js';
import { runDeadlineBench } from './deadline.bench.js';
import { runReplayBench } from './replay.bench.js';
import { backendCpu, backendCpuSpent, dropDatabase, freshDatabase, INTAKE_BODY, load, ROOT, seededDatabase, sh, startService, timed, type LoadResult } from './lib.js';

const DURATION = Number(process.env.BENCH_DURATION ?? 30);
const CASES = Number(process.env.BENCH_CASES ?? 1_000_000);
const ONLY = process.env.BENCH_ONLY?.split(',').map((s) => s.trim());
const want = (s: string) => !ONLY || ONLY.includes(s);
const WORKERS = (process.env.BENCH_WORKERS ?? '1,2').split(',').map((s) => Number(s.trim())).filter((n) => n >= 1);

interface Row {
  name: string;
  value: string;
  target?: string;
  pass?: boolean;
  detail?: string;
}
const rows: Row[] = [];
const raw: Record<string, unknown> = {};
const log = (s: string) => console.error(`[bench] ${s}`);

const ms = (us: number | undefined) => ((us ?? 0) / 1000).toFixed(2);

function fmtLoad(r: LoadResult): string {
  const cpu =
    (r.cpuUsPerRequest === undefined ? '' : `, ${ms(r.cpuUsPerRequest)} ms CPU/request`) +
    (r.dbCpuUsPerRequest === undefined ? '' : ` + ${ms(r.dbCpuUsPerRequest)} ms PostgreSQL CPU/request`) +
    (r.loadGenCpuUsPerRequest === undefined ? '' : ` (load generator ${ms(r.loadGenCpuUsPerRequest)} ms CPU/request)`);
  return `${r.requestsPerSec} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, errors ${r.errors}, non-2xx ${r.non2xx}${cpu}, load avg ${r.loadAvg.toFixed(1)}`;
}

/** The issue's table: each path against its ceiling measured in the same run. */
interface ShareRow {
  path: string;
  service: string;
  ceiling: string;
  share: string;
}
const shares: ShareRow[] = [];
const pct = (a: number, b: number) => `${Math.round((100 * a) / b)} %`;

async function startBare(port: number, env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/bare-server.ts'], { cwd: ROOT, env: { ...process.env, ...env, PORT: String(port) }, stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/readyz`)).ok) break;
    } catch {
      /* starting */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return child;
}

async function benchCeiling(): Promise<LoadResult> {
  const port = 3990;
  const child = await startBare(port);
  try {
    return await load({
      url: `http://127.0.0.1:${port}/bare`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(INTAKE_BODY),
      connections: 50,
      duration: DURATION,
    });
  } finally {
    child.kill('SIGTERM');
  }
}

interface Pgbench {
  tps: number;
  latencyMs: number;
  loadAvg: number;
  /** CPU of the database's backends per transaction, µs (measured from 1 s after the start to 1 s before the end) */
  dbCpuUsPerTx?: number;
}

/**
 * The intake ceilings: pgbench of intake's own statement (captured from one submission through
 * the service, prepared as the service prepares it; bench/intake-statement.ts), and of the
 * earlier hand-written transaction bench/intake-tx.sql (one event and one short message, kept
 * for comparison with earlier runs).
 */
async function benchPgbench(): Promise<Pgbench & { handWritten: Pgbench; statement: string; floor: LoadResult }> {
  const name = 'pakn_bench_pgbench';
  const { url, d } = await seededDatabase(name, 2);
  const dir = mkdtempSync(join(tmpdir(), 'pakn-bench-'));
  const file = join(dir, 'intake-statement.sql');
  let st: Awaited<ReturnType<typeof captureIntakeStatement>>;
  try {
    await d.db.execute(sql`create sequence pakn_tracking_bench`);
    st = await captureIntakeStatement(d, url);
    writeIntakeStatementScript(st, file);
  } finally {
    await d.close();
  }
  try {
    const own = await pgbench(url, file, 'prepared');
    const handWritten = await pgbench(url, 'bench/intake-tx.sql', 'simple');
    log("intake: the Node floor (fastify + pg running intake's statement, nothing else)");
    // on a fresh database like the service's load (the seed gives the same ids the statement names)
    const floorDb = 'pakn_bench_intake_floor';
    const { url: floorUrl, d: f } = await seededDatabase(floorDb, 2);
    await f.close();
    let floor: LoadResult;
    try {
      floor = await nodeFloor(floorUrl, floorDb, join(dir, 'floor.json'), { kind: 'intake', ...st }, {
        path: '/intake',
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(INTAKE_BODY),
      });
    } finally {
      await dropDatabase(floorDb);
    }
    return { ...own, handWritten, statement: st.name, floor };
  } finally {
    await dropDatabase(name);
  }
}

/**
 * bench/node-floor.ts on database `url` with `statement`, loaded as the service is (50
 * connections, BENCH_DURATION seconds, its CPU and the backends' CPU per request).
 */
async function nodeFloor(url: string, db: string, file: string, statement: object, req: { path: string } & Partial<autocannon.Options>): Promise<LoadResult> {
  writeFileSync(file, JSON.stringify(statement));
  const port = 3994;
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/node-floor.ts'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: url, POOL_SIZE: '20', STATEMENT: file, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise((r) => child.once('exit', r));
  try {
    let ready = false;
    for (let i = 0; i < 100 && !ready && child.exitCode === null; i++) {
      try {
        // this child's answer, not a process left on the port
        const r = await fetch(`http://127.0.0.1:${port}/readyz`);
        ready = r.ok && ((await r.json()) as { pid?: number }).pid === child.pid;
      } catch {
        /* starting */
      }
      if (!ready) await new Promise((r) => setTimeout(r, 100));
    }
    if (!ready || child.exitCode !== null) throw new Error(`the Node floor did not start on port ${port}`);
    const { path, ...opts } = req;
    const u = `http://127.0.0.1:${port}${path}`;
    await load({ ...opts, url: u, connections: 10, duration: 3 }); // warm-up
    return await load({ ...opts, url: u, connections: 50, duration: DURATION, samplePid: child.pid, database: db });
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
  }
}

/** pgbench with 50 clients for BENCH_DURATION seconds; the backends' CPU per transaction on the way. */
async function pgbench(url: string, file: string, protocol: 'simple' | 'prepared'): Promise<Pgbench> {
  const db = new URL(url).pathname.slice(1);
  const child = spawn('pgbench', ['-n', '-c', '50', '-j', '2', '-M', protocol, '-T', String(DURATION), '-f', file, url], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (b) => (out += b.toString()));
  child.stderr.on('data', (b) => (out += b.toString()));
  const done = new Promise<number>((r) => child.once('exit', (code) => r(code ?? 1)));
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  await sleep(1000);
  const t0 = performance.now();
  const before = backendCpu(db);
  await sleep(Math.max(1000, (DURATION - 2) * 1000));
  const spent = backendCpuSpent(before, backendCpu(db));
  const seconds = (performance.now() - t0) / 1000;
  if ((await done) !== 0) throw new Error(`pgbench failed: ${out}`);
  const tps = Number(/tps = ([\d.]+)/.exec(out)?.[1] ?? NaN);
  const latencyMs = Number(/latency average = ([\d.]+) ms/.exec(out)?.[1] ?? NaN);
  return { tps: Math.round(tps), latencyMs, loadAvg: loadavg()[0], dbCpuUsPerTx: tps > 0 ? Math.round((spent * 1000) / (tps * seconds)) : undefined };
}

async function benchIntake(kind: 'pg' | 'pglite', workers = 1): Promise<LoadResult & { check: string }> {
  const name = 'pakn_bench_intake';
  const env: Record<string, string> = { PAKN_SEED_DEMO: 'always', PAKN_WORKERS: String(workers) };
  if (kind === 'pg') {
    env.DATABASE_URL = await freshDatabase(name);
    env.DATABASE_POOL_SIZE = '20';
  } else {
    env.PAKN_DATA_DIR = mkdtempSync(join(tmpdir(), 'pakn-bench-'));
  }
  const svc = await startService(env, 3991);
  try {
    // warm-up
    await load({ url: `${svc.url}/api/v1/public/cases`, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(INTAKE_BODY), connections: 10, duration: 3 });
    const r = await load({
      url: `${svc.url}/api/v1/public/cases`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(INTAKE_BODY),
      connections: 50,
      duration: DURATION,
      samplePid: svc.child.pid,
      database: kind === 'pg' ? name : undefined,
    });
    let check = '';
    if (kind === 'pg') {
      const c = new pg.Client({ connectionString: env.DATABASE_URL });
      await c.connect();
      const q = await c.query(`select
          (select count(*)::int from cases) as cases,
          (select count(*)::int from cases c where not exists (select 1 from case_events e where e.case_id = c.id)) as without_event,
          (select count(*)::int from cases c where not exists (select 1 from outbox o where o.case_id = c.id)) as without_outbox`);
      await c.end();
      const x = q.rows[0];
      check = `${x.cases} cases, ${x.without_event} without event, ${x.without_outbox} without outbox`;
    }
    return { ...r, check };
  } finally {
    await svc.stop();
    if (kind === 'pg') await dropDatabase(name);
  }
}

/** A database with CASES cases (dueCount of them past their deadline) and a known agency_staff token. */
async function bigDatabase(name: string, dueCount: number, n = CASES) {
  const { url, d } = await seededDatabase(name, 4);
  const now = new Date('2026-11-20T03:00:00Z');
  const gen = await timed(() => generateCases(d.db, { n, now, dueCount, openShare: 1 }));
  log(`${name}: generated ${n} cases in ${gen.ms} ms`);
  const token = 'pakn_bench_agency_staff_token_0000000000000';
  const { rows: u } = (await d.db.execute(sql`select id, agency_id from users where role = 'agency_staff' order by id limit 1`)) as unknown as {
    rows: Array<{ id: number; agency_id: number }>;
  };
  await d.db.execute(sql`insert into api_tokens (user_id, token_hash, prefix, label) values (${u[0].id}, ${sha256Hex(token)}, 'pakn_bench', 'bench')`);
  return { url, d, now, token, agencyId: u[0].agency_id };
}

interface QueueBench {
  agencyCases: number;
  pageBytes: number;
  ceiling: Pgbench;
  /** a bare fastify route sending the same page (no database, no work): fastify's own cost */
  floor: LoadResult;
  /** fastify + pg running the same SELECT and sending its rows (bench/node-floor.ts) */
  nodeFloor: LoadResult;
  runs: Array<LoadResult & { workers: number }>;
}

/**
 * The staff queue over CASES cases: the pgbench ceiling of the page's own SELECT (the statement
 * the service sends, prepared protocol, 50 clients), then the service with each BENCH_WORKERS.
 */
async function benchQueue(): Promise<QueueBench> {
  const name = 'pakn_bench_queue';
  const big = await bigDatabase(name, 10_000);
  const { rows: cnt } = (await big.d.db.execute(sql`select count(*)::int as n from cases where agency_id = ${big.agencyId}`)) as unknown as { rows: Array<{ n: number }> };
  // the statement listQueue sends for an agency_staff reader's first page (limit 50 + 1)
  const q = queueQuery(big.d.db, { onlyAgencyId: big.agencyId, now: big.now, limit: 51 }).toSQL();
  await big.d.close();
  let text = q.sql;
  const sets: string[] = [];
  q.params.forEach((v, i) => {
    sets.push(`\\set p${i + 1} ${Number(v)}`);
    text = text.replace(new RegExp(`\\$${i + 1}(?!\\d)`), `:p${i + 1}`);
  });
  const file = join(mkdtempSync(join(tmpdir(), 'pakn-bench-')), 'queue-select.sql');
  writeFileSync(file, `${sets.join('\n')}\n${text};\n`);
  try {
    log('queue: pgbench of its SELECT (prepared)');
    const ceiling = await pgbench(big.url, file, 'prepared');
    const runs: QueueBench['runs'] = [];
    let page = '';
    for (const workers of WORKERS) {
      log(`queue: service with ${workers} worker(s)`);
      const svc = await startService({ DATABASE_URL: big.url, DATABASE_POOL_SIZE: '20', PAKN_SEED_DEMO: 'never', PAKN_WORKERS: String(workers) }, 3992);
      try {
        const opts = { url: `${svc.url}/api/v1/cases?limit=50`, headers: { authorization: `Bearer ${big.token}` }, connections: 50 };
        page = await (await fetch(opts.url, { headers: opts.headers })).text();
        await load({ ...opts, duration: 3 }); // warm-up
        const r = await load({ ...opts, duration: DURATION, samplePid: svc.child.pid, database: name });
        runs.push({ ...r, workers });
      } finally {
        await svc.stop();
      }
    }
    log('queue: bare fastify sending the same page');
    const pageFile = join(mkdtempSync(join(tmpdir(), 'pakn-bench-')), 'page.json');
    writeFileSync(pageFile, page);
    const bare = await startBare(3993, { PAGE_FILE: pageFile });
    let floor: LoadResult;
    try {
      await load({ url: 'http://127.0.0.1:3993/page', connections: 50, duration: 2 });
      floor = await load({ url: 'http://127.0.0.1:3993/page', connections: 50, duration: DURATION, samplePid: bare.pid });
    } finally {
      bare.kill('SIGTERM');
    }
    log('queue: the Node floor (fastify + pg running its SELECT, nothing else)');
    const nodeFloorResult = await nodeFloor(big.url, name, join(dirname(file), 'floor.json'), { kind: 'queue', text: q.sql, values: q.params }, { path: '/queue' });
    return { agencyCases: cnt[0].n, pageBytes: Buffer.byteLength(page), ceiling, floor, nodeFloor: nodeFloorResult, runs };
  } finally {
    await dropDatabase(name);
  }
}

async function servicesOn(url: string, now: Date) {
  const database = await openPostgres(url, 10);
  const clock = new FixedClock(now);
  const services = createServices({ config: testConfig({ DATABASE_URL: url }), database, clock });
  return { database, clock, services };
}

async function benchEscalation(): Promise<Array<{ cases: number; due: number; ms: number; result: unknown }>> {
  const out: Array<{ cases: number; due: number; ms: number; result: unknown }> = [];
  for (const [n, due] of [
    [CASES, 10_000],
    [CASES, 1_000],
    [Math.round(CASES / 10), 10_000],
  ] as const) {
    const name = 'pakn_bench_escalation';
    const big = await bigDatabase(name, due, n);
    await big.d.close();
    const { database, services } = await servicesOn(big.url, big.now);
    try {
      const r = await timed(() => services.escalation.runEscalation(big.now));
      out.push({ cases: n, due, ms: r.ms, result: r.result });
      log(`escalation over ${n} cases, ${due} due: ${r.ms} ms`);
    } finally {
      await database.close();
      await dropDatabase(name);
    }
  }
  return out;
}

async function benchReport(): Promise<{ ms: number; cases: number; loadAvg: number }> {
  const name = 'pakn_bench_report';
  const { url, d } = await seededDatabase(name, 4);
  const now = new Date('2026-11-20T03:00:00Z');
  await generateCases(d.db, { n: CASES, now, dueCount: 10_000, openShare: 0.2, fromMonth: '2026-10', months: 1 });
  await d.close();
  const { database, services } = await servicesOn(url, now);
  try {
    const r = await timed(() => services.reports.preview('2026-10'));
    return { ms: r.ms, cases: CASES, loadAvg: loadavg()[0] };
  } finally {
    await database.close();
    await dropDatabase(name);
  }
}

/** The audit's on-time rates (GET /api/v1/audit/on-time) over a year of CASES cases, by agency and by month. */
async function benchAuditOnTime(): Promise<{ ms: number; byMonthMs: number; cases: number; loadAvg: number }> {
  const name = 'pakn_bench_audit';
  const { url, d } = await seededDatabase(name, 4);
  const now = new Date('2026-11-20T03:00:00Z');
  await generateCases(d.db, { n: CASES, now, dueCount: 10_000, openShare: 0.2, fromMonth: '2025-11', months: 12 });
  await d.close();
  const { database, services } = await servicesOn(url, now);
  try {
    const year = { from: '2025-11-01', to: '2026-10-31' };
    const r = await timed(() => services.audit.onTime({ ...year, groupBy: 'agency' }));
    const m = await timed(() => services.audit.onTime({ ...year, groupBy: 'month' }));
    return { ms: r.ms, byMonthMs: m.ms, cases: CASES, loadAvg: loadavg()[0] };
  } finally {
    await database.close();
    await dropDatabase(name);
  }
}

async function main() {
  log('building dist/');
  sh('npm', ['run', 'build']);
  raw.machine = { cpus: cpus().length, model: cpus()[0]?.model, memGb: Math.round(totalmem() / 2 ** 30), node: process.version };
  raw.postgres = sh('psql', [process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres', '-tAc', 'show server_version']).trim();

  if (want('deadline')) {
    const r = await runDeadlineBench();
    raw.deadline = r;
    rows.push({ name: 'deadline computations (computeResolveDueAt)', value: `${Math.round(r.opsPerSec).toLocaleString('en')}/s`, target: '≥ 200,000/s', pass: r.opsPerSec >= 200_000 });
  }
  let ceiling: LoadResult | undefined;
  let pgb: Awaited<ReturnType<typeof benchPgbench>> | undefined;
  if (want('ceiling')) {
    log('ceiling: bare fastify');
    ceiling = await benchCeiling();
    raw.ceiling = ceiling;
    rows.push({ name: 'ceiling: bare fastify POST route, 50 connections', value: fmtLoad(ceiling) });
  }
  if (want('pgbench')) {
    log("ceiling: pgbench of intake's own statement, and of the earlier hand-written transaction");
    pgb = await benchPgbench();
    raw.pgbench = pgb;
    rows.push({ name: `ceiling: pgbench of intake's own statement (${pgb.statement}, prepared), 50 clients`, value: `${pgb.tps} tx/s, mean latency ${pgb.latencyMs} ms, ${ms(pgb.dbCpuUsPerTx)} ms PostgreSQL CPU/tx, load avg ${pgb.loadAvg.toFixed(1)}` });
    const hw = pgb.handWritten;
    rows.push({ name: 'for comparison: pgbench of the earlier hand-written intake transaction (bench/intake-tx.sql), 50 clients', value: `${hw.tps} tx/s, mean latency ${hw.latencyMs} ms, ${ms(hw.dbCpuUsPerTx)} ms PostgreSQL CPU/tx, load avg ${hw.loadAvg.toFixed(1)}` });
    rows.push({
      name: "Node floor: fastify + pg running intake's statement and nothing else (bench/node-floor.ts), 50 connections",
      value: fmtLoad(pgb.floor),
      detail: `${pct(pgb.floor.requestsPerSec, pgb.tps)} of pgbench`,
    });
  }
  if (want('intake-pg')) {
    for (const workers of WORKERS) {
      log(`intake on PostgreSQL, ${workers} worker(s)`);
      const r = await benchIntake('pg', workers);
      raw[`intakePg${workers}`] = r;
      const ratio = [ceiling ? `${Math.round((100 * r.requestsPerSec) / ceiling.requestsPerSec)}% of bare fastify` : '', pgb ? `${Math.round((100 * r.requestsPerSec) / pgb.tps)}% of pgbench` : '']
        .filter(Boolean)
        .join(', ');
      rows.push({
        name: `public intake on PostgreSQL, ${workers} worker(s), 50 connections`,
        value: fmtLoad(r),
        target: '≥ 50 % of pgbench, p99 < 60 ms',
        pass: pgb ? r.requestsPerSec >= pgb.tps / 2 && r.p99 < 60 && r.errors === 0 : undefined,
        detail: `${ratio}; ${r.check}`,
      });
      rows.push({ name: `service RSS under intake load (PostgreSQL, ${workers} worker(s)), largest process`, value: `${r.peakRssMb} MB peak`, target: '< 300 MB', pass: (r.peakRssMb ?? 0) < 300 });
      shares.push({
        path: `public intake, ${workers} worker(s)`,
        service: `${r.requestsPerSec.toLocaleString('en')} req/s, p99 ${r.p99} ms, CPU/req ${ms(r.cpuUsPerRequest)} ms service + ${ms(r.dbCpuUsPerRequest)} ms PostgreSQL, RSS ${r.peakRssMb} MB (load ${r.loadAvg.toFixed(1)})`,
        ceiling:
          [
            pgb
              ? `pgbench of intake's own statement, prepared, 50 clients: ${pgb.tps.toLocaleString('en')} tx/s, ${ms(pgb.dbCpuUsPerTx)} ms PostgreSQL CPU/tx (load ${pgb.loadAvg.toFixed(1)}); the earlier hand-written transaction ${pgb.handWritten.tps.toLocaleString('en')} tx/s (${pct(r.requestsPerSec, pgb.handWritten.tps)})`
              : '',
            pgb ? `Node floor (fastify + pg, the statement alone) ${pgb.floor.requestsPerSec.toLocaleString('en')} req/s, ${ms(pgb.floor.cpuUsPerRequest)} ms CPU/req (${pct(pgb.floor.requestsPerSec, pgb.tps)} of pgbench)` : '',
            ceiling ? `bare fastify POST ${ceiling.requestsPerSec.toLocaleString('en')} req/s` : '',
          ]
            .filter(Boolean)
            .join('; ') || '(not run)',
        share: pgb ? `${pct(r.requestsPerSec, pgb.tps)} of pgbench (target ≥ 50 %); ${pct(r.requestsPerSec, pgb.floor.requestsPerSec)} of the Node floor` : '—',
      });
    }
  }
  if (want('intake-pglite')) {
    log('intake on PGlite');
    const r = await benchIntake('pglite');
    raw.intakePglite = r;
    rows.push({ name: 'public intake on PGlite (embedded), 50 connections', value: fmtLoad(r), detail: `peak RSS ${r.peakRssMb} MB` });
  }
  if (want('queue')) {
    log('queue read');
    const q = await benchQueue();
    raw.queue = q;
    rows.push({
      name: `ceiling: pgbench of the queue page's SELECT (prepared, 50 clients) over ${CASES.toLocaleString('en')} cases`,
      value: `${q.ceiling.tps} tx/s, mean latency ${q.ceiling.latencyMs} ms, ${ms(q.ceiling.dbCpuUsPerTx)} ms PostgreSQL CPU/tx, load avg ${q.ceiling.loadAvg.toFixed(1)}`,
    });
    rows.push({ name: `floor: bare fastify GET sending the same page (${q.pageBytes.toLocaleString('en')} bytes), 50 connections`, value: fmtLoad(q.floor) });
    rows.push({
      name: 'Node floor: fastify + pg running the same SELECT and sending its rows, nothing else (bench/node-floor.ts), 50 connections',
      value: fmtLoad(q.nodeFloor),
      detail: `${pct(q.nodeFloor.requestsPerSec, q.ceiling.tps)} of pgbench`,
    });
    for (const r of q.runs) {
      rows.push({
        name: `staff queue read (GET /api/v1/cases, 50/page), ${r.workers} worker(s), over ${CASES.toLocaleString('en')} cases`,
        value: fmtLoad(r),
        target: '≥ 50 % of pgbench, p99 < 100 ms',
        pass: r.requestsPerSec >= q.ceiling.tps / 2 && r.p99 < 100 && r.errors === 0,
        detail: `${pct(r.requestsPerSec, q.ceiling.tps)} of pgbench; ${q.agencyCases.toLocaleString('en')} cases in the reader's agency; peak RSS ${r.peakRssMb} MB`,
      });
      rows.push({ name: `service RSS under queue load (${r.workers} worker(s)), largest process`, value: `${r.peakRssMb} MB peak`, target: '< 300 MB', pass: (r.peakRssMb ?? 0) < 300 });
      shares.push({
        path: `staff queue read, 50/page, ${CASES.toLocaleString('en')} cases, ${r.workers} worker(s)`,
        service: `${r.requestsPerSec.toLocaleString('en')} req/s, p99 ${r.p99} ms, CPU/req ${ms(r.cpuUsPerRequest)} ms service + ${ms(r.dbCpuUsPerRequest)} ms PostgreSQL, RSS ${r.peakRssMb} MB (load ${r.loadAvg.toFixed(1)})`,
        ceiling: `pgbench of the same SELECT, prepared, 50 clients: ${q.ceiling.tps.toLocaleString('en')} tx/s, ${ms(q.ceiling.dbCpuUsPerTx)} ms PostgreSQL CPU/tx (load ${q.ceiling.loadAvg.toFixed(1)}); bare fastify sending the same ${q.pageBytes.toLocaleString('en')} bytes: ${q.floor.requestsPerSec.toLocaleString('en')} req/s, ${ms(q.floor.cpuUsPerRequest)} ms CPU/req; Node floor (fastify + pg, the SELECT alone) ${q.nodeFloor.requestsPerSec.toLocaleString('en')} req/s, ${ms(q.nodeFloor.cpuUsPerRequest)} ms CPU/req (${pct(q.nodeFloor.requestsPerSec, q.ceiling.tps)} of pgbench)`,
        share: `${pct(r.requestsPerSec, q.ceiling.tps)} (target ≥ 50 %); ${pct(r.requestsPerSec, q.nodeFloor.requestsPerSec)} of the Node floor`,
      });
    }
  }
  if (want('escalation')) {
    log('escalation sweep');
    const r = await benchEscalation();
    raw.escalation = r;
    for (const x of r) {
      rows.push({
        name: `escalation sweep: ${x.cases.toLocaleString('en')} open cases, ${x.due.toLocaleString('en')} due`,
        value: `${(x.ms / 1000).toFixed(2)} s`,
        target: x.cases === CASES && x.due === 10_000 ? '< 5 s' : undefined,
        pass: x.cases === CASES && x.due === 10_000 ? x.ms < 5000 : undefined,
      });
    }
  }
  if (want('report')) {
    log('monthly report');
    const r = await benchReport();
    raw.report = r;
    rows.push({ name: `monthly report over ${r.cases.toLocaleString('en')} cases`, value: `${(r.ms / 1000).toFixed(2)} s (load avg ${r.loadAvg.toFixed(1)})`, target: '< 5 s', pass: r.ms < 5000 });
    shares.push({ path: `monthly report, ${r.cases.toLocaleString('en')} cases`, service: `${(r.ms / 1000).toFixed(2)} s (load ${r.loadAvg.toFixed(1)})`, ceiling: '—', share: `target < 5 s: ${r.ms < 5000 ? 'met' : 'not met'}` });
  }

  if (want('audit')) {
    log('audit on-time rates over a year');
    const r = await benchAuditOnTime();
    raw.auditOnTime = r;
    rows.push({
      name: `audit on-time rates over a year of ${r.cases.toLocaleString('en')} cases (by agency; by month)`,
      value: `${(r.ms / 1000).toFixed(2)} s; ${(r.byMonthMs / 1000).toFixed(2)} s (load avg ${r.loadAvg.toFixed(1)})`,
      target: '< 5 s',
      pass: Math.max(r.ms, r.byMonthMs) < 5000,
    });
    shares.push({ path: `audit on-time query, a year of ${r.cases.toLocaleString('en')} cases`, service: `${(r.ms / 1000).toFixed(2)} s by agency, ${(r.byMonthMs / 1000).toFixed(2)} s by month (load ${r.loadAvg.toFixed(1)})`, ceiling: '—', share: `target < 5 s: ${Math.max(r.ms, r.byMonthMs) < 5000 ? 'met' : 'not met'}` });
  }

  // the replay of a million cases takes minutes: only when asked for by name
  if (ONLY?.includes('replay')) {
    log('case replay (verify?cases=true)');
    const r = await runReplayBench(CASES);
    raw.replay = r;
    rows.push({ name: `case replay (verify?cases=true) over ${r.cases.toLocaleString('en')} cases, ${r.events.toLocaleString('en')} events`, value: `${(r.ms / 1000).toFixed(1)} s` });
  }

  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench', 'results', 'latest.json'), JSON.stringify({ at: new Date().toISOString(), durationS: DURATION, rows, shares, raw }, null, 2));
  const m = raw.machine as { cpus: number; model: string; memGb: number; node: string };
  console.log(`\nMachine: ${m.cpus} × ${m.model}, ${m.memGb} GiB; Node ${m.node}; PostgreSQL ${raw.postgres}; ${DURATION} s per load test\n`);
  console.log('| benchmark | result | target | met |');
  console.log('|---|---|---|---|');
  for (const r of rows) {
    console.log(`| ${r.name} | ${r.value}${r.detail ? ` (${r.detail})` : ''} | ${r.target ?? ''} | ${r.pass === undefined ? '' : r.pass ? 'yes' : 'no'} |`);
  }
  if (shares.length) {
    console.log('\n| path | service | ceiling in the same run | share |');
    console.log('|---|---|---|---|');
    for (const r of shares) console.log(`| ${r.path} | ${r.service} | ${r.ceiling} | ${r.share} |`);
  }
}

await main();
process.exit(0);
