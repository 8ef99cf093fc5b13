/**
 * npm run soak — the long reliability runs of docs/reliability.md.
 *
 *   SOAK_DURATION=60   seconds of mixed load (default 60)
 *   SOAK_ONLY=a,b      load, kill-pg, kill-pglite, smtp, fuzz
 *
 * Each section prints its figures; the run fails (exit 1) if any loss or 5xx is seen.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { SMTPServer } from 'smtp-server';
import { openPglite } from '../src/db/client.js';
import { dropDatabase, freshDatabase, INTAKE_BODY, load, ROOT, sh, startService } from './lib.js';

const DURATION = Number(process.env.SOAK_DURATION ?? 60);
const ONLY = process.env.SOAK_ONLY?.split(',').map((s) => s.trim());
const want = (s: string) => !ONLY || ONLY.includes(s);
const ADMIN_TOKEN = 'soak-admin-token-000000000000000000000';
const failures: string[] = [];
const report: Record<string, unknown> = {};
const log = (s: string) => console.error(`[soak] ${s}`);

async function submit(url: string, i: number): Promise<string | null> {
  const r = await fetch(`${url}/api/v1/public/cases`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...INTAKE_BODY, title: `${INTAKE_BODY.title} ${i}` }),
  });
  if (r.status !== 201) return null;
  return ((await r.json()) as { trackingCode: string }).trackingCode;
}

/** Every acknowledged code has its case, event and outbox row; no case lacks them. */
interface AckCheck {
  acknowledged: number;
  missing: number;
  without_event: number;
  without_outbox: number;
  unsealed: number;
  cases: number;
}

async function checkAcknowledged(target: { url: string } | { dataDir: string }, codes: string[]): Promise<AckCheck> {
  const query = async (q: string, params: unknown[] = []) => {
    if ('url' in target) {
      const c = new pg.Client({ connectionString: target.url });
      await c.connect();
      try {
        return (await c.query(q, params)).rows;
      } finally {
        await c.end();
      }
    }
    const d = await openPglite(target.dataDir);
    try {
      return (await d.pglite!.query(q, params)).rows as Array<Record<string, unknown>>;
    } finally {
      await d.close();
    }
  };
  const [m] = await query(`select count(*)::int as n from unnest($1::text[]) code where not exists (select 1 from cases where tracking_code = code)`, [codes]);
  const [half] = await query(`select
      (select count(*)::int from cases c where not exists (select 1 from case_events e where e.case_id = c.id)) as without_event,
      (select count(*)::int from cases c where c.email is not null and not exists (select 1 from outbox o where o.case_id = c.id)) as without_outbox,
      (select count(*)::int from case_events where seq is null) as unsealed,
      (select count(*)::int from cases) as cases`);
  const h = half as Record<string, number>;
  return { acknowledged: codes.length, missing: Number(m.n), without_event: h.without_event, without_outbox: h.without_outbox, unsealed: h.unsealed, cases: h.cases };
}

async function sectionLoad() {
  const name = 'pakn_soak_load';
  const dbUrl = await freshDatabase(name);
  const svc = await startService({ DATABASE_URL: dbUrl, DATABASE_POOL_SIZE: '20', PAKN_SEED_DEMO: 'always', PAKN_ADMIN_TOKEN: ADMIN_TOKEN }, 3993);
  const codes: string[] = [];
  try {
    // a coordinator's token for the staff queue reads (admin reads no case)
    const admin = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };
    const user = (await (await fetch(`${svc.url}/api/v1/admin/users`, { method: 'POST', headers: admin, body: JSON.stringify({ name: 'Điều phối (soak)', role: 'coordinator' }) })).json()) as { id: number };
    const coordinator = ((await (await fetch(`${svc.url}/api/v1/admin/tokens`, { method: 'POST', headers: admin, body: JSON.stringify({ userId: user.id }) })).json()) as { token: string }).token;
    const r = await load({
      url: svc.url,
      connections: 100,
      duration: DURATION,
      requests: [
        {
          method: 'POST',
          path: '/api/v1/public/cases',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(INTAKE_BODY),
          onResponse: (status: number, body: string) => {
            if (status === 201) codes.push(JSON.parse(body).trackingCode);
          },
        },
        { method: 'GET', path: '/api/v1/public/categories' },
        { method: 'GET', path: '/api/v1/cases?limit=50', headers: { authorization: `Bearer ${coordinator}` } },
        { method: 'GET', path: '/api/v1/public/deadline?kind=phan_anh&priority=normal' },
      ],
    });
    const fivexx = Object.entries(r.statusCodes).filter(([k]) => k.startsWith('5')).reduce((a, [, v]) => a + v, 0);
    const check = await checkAcknowledged({ url: dbUrl }, codes);
    report.load = { ...r, fivexx, ...check };
    log(`load: ${JSON.stringify(report.load)}`);
    if (fivexx > 0 || r.errors > 0 || r.non2xx > 0) failures.push(`load: ${fivexx} 5xx, ${r.non2xx} non-2xx, ${r.errors} errors`);
    if (check.missing > 0 || check.without_event > 0 || check.without_outbox > 0) failures.push(`load: ${JSON.stringify(check)}`);
  } finally {
    await svc.stop();
    await dropDatabase(name);
  }
}

/** Submissions from 20 concurrent clients; kill -9 of the service after `killAfterMs`; restart. */
async function sectionKill(kind: 'pg' | 'pglite') {
  const name = 'pakn_soak_kill';
  const env: Record<string, string> = { PAKN_SEED_DEMO: 'always', PAKN_ADMIN_TOKEN: ADMIN_TOKEN };
  let dbUrl: string | null = null;
  if (kind === 'pg') env.DATABASE_URL = dbUrl = await freshDatabase(name);
  else env.PAKN_DATA_DIR = mkdtempSync(join(tmpdir(), 'pakn-soak-'));
  let svc = await startService(env, 3994);
  const codes: string[] = [];
  let failed = 0;
  let stop = false;
  const workers = Array.from({ length: 20 }, async (_, w) => {
    for (let i = 0; !stop; i++) {
      try {
        const code = await submit(svc.url, w * 100000 + i);
        if (code) codes.push(code);
      } catch {
        failed++;
        if (stop) break;
      }
    }
  });
  await new Promise((r) => setTimeout(r, 5000));
  svc.child.kill('SIGKILL');
  await new Promise((r) => svc.child.once('exit', r));
  stop = true;
  await Promise.all(workers);
  log(`${kind}: killed with ${codes.length} acknowledged submissions`);
  svc = await startService(env, 3994);
  try {
    const verify = (await (await fetch(`${svc.url}/api/v1/audit/verify`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json()) as { ok: boolean };
    await svc.stop();
    const check = await checkAcknowledged(dbUrl ? { url: dbUrl } : { dataDir: env.PAKN_DATA_DIR }, codes);
    report[`kill-${kind}`] = { ...check, refusedDuringKill: failed, chainOk: verify.ok };
    log(`kill -9 on ${kind}: ${JSON.stringify(report[`kill-${kind}`])}`);
    if (check.missing > 0 || check.without_event > 0 || check.without_outbox > 0 || !verify.ok) failures.push(`kill-${kind}: ${JSON.stringify(report[`kill-${kind}`])}`);
  } finally {
    await svc.stop();
    if (kind === 'pg') await dropDatabase(name);
  }
}

/** SMTP down for the whole load, then back: every message delivered once. */
async function sectionSmtp() {
  const name = 'pakn_soak_smtp';
  const dbUrl = await freshDatabase(name);
  const received = new Map<string, number>();
  const smtpPort = 3995;
  const svc = await startService(
    { DATABASE_URL: dbUrl, PAKN_SEED_DEMO: 'always', PAKN_ADMIN_TOKEN: ADMIN_TOKEN, SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, PAKN_OUTBOX_MAX_ATTEMPTS: '100' },
    3996,
  );
  try {
    const codes: string[] = [];
    for (let i = 0; i < 300; i++) {
      const c = await submit(svc.url, i);
      if (c) codes.push(c);
    }
    // delivery attempts while nothing listens
    const runOutbox = () => fetch(`${svc.url}/api/v1/admin/jobs/outbox/run`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    await runOutbox();
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, _session, cb) {
        let raw = '';
        stream.on('data', (b) => (raw += b.toString()));
        stream.on('end', () => {
          const id = /^Message-ID:\s*(\S+)/im.exec(raw)?.[1] ?? '?';
          received.set(id, (received.get(id) ?? 0) + 1);
          cb();
        });
      },
    });
    await new Promise<void>((r) => server.listen(smtpPort, '127.0.0.1', r));
    // the backoff after failures: admin retries everything now by running the job with the clock past it
    const c = new pg.Client({ connectionString: dbUrl });
    await c.connect();
    await c.query(`update outbox set next_attempt_at = now() where status = 'pending'`);
    for (let i = 0; i < 50; i++) {
      await runOutbox();
      const { rows } = await c.query(`select count(*)::int as n from outbox where status <> 'sent'`);
      if (rows[0].n === 0) break;
      await c.query(`update outbox set next_attempt_at = now() where status = 'pending'`);
    }
    const { rows } = await c.query(`select count(*)::int as total, count(*) filter (where status = 'sent')::int as sent from outbox`);
    await c.end();
    server.close();
    const duplicates = [...received.values()].filter((n) => n > 1).length;
    report.smtp = { submissions: codes.length, outbox: rows[0].total, sent: rows[0].sent, received: received.size, duplicates };
    log(`smtp: ${JSON.stringify(report.smtp)}`);
    if (rows[0].sent !== rows[0].total || received.size !== rows[0].total || duplicates > 0) failures.push(`smtp: ${JSON.stringify(report.smtp)}`);
  } finally {
    await svc.stop();
    await dropDatabase(name);
  }
}

function sectionFuzz() {
  for (const [label, env] of [
    ['PGlite', {}],
    ['PostgreSQL', { TEST_DATABASE_URL: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' }],
  ] as const) {
    const r = spawnSync('npx', ['vitest', 'run', 'test/reliability/fuzz.test.ts'], { cwd: ROOT, env: { ...process.env, ...env, FUZZ_RUNS: '10000' }, encoding: 'utf8' });
    report[`fuzz-${label}`] = { requests: 10000, passed: r.status === 0 };
    log(`fuzz on ${label}: ${r.status === 0 ? '10,000 requests, no 5xx, rejected ones changed nothing' : r.stdout.slice(-2000)}`);
    if (r.status !== 0) failures.push(`fuzz on ${label}`);
  }
}

sh('npm', ['run', 'build']);
if (want('load')) await sectionLoad();
if (want('kill-pg')) await sectionKill('pg');
if (want('kill-pglite')) await sectionKill('pglite');
if (want('smtp')) await sectionSmtp();
if (want('fuzz')) sectionFuzz();
console.log(JSON.stringify(report, null, 2));
if (failures.length) {
  console.error(`FAILED: ${failures.join('; ')}`);
  process.exit(1);
}
console.log('soak: zero loss, zero 5xx');
process.exit(0);
