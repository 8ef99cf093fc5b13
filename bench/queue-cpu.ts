/**
 * CPU time of the staff queue page in the service process, without sockets or a load generator
 * (fair on a busy machine): fills a database with BENCH_CASES cases (default 20,000), builds the
 * app as production does, then serves N pages (app.inject, 10 at a time) and prints the CPU time
 * (process.cpuUsage) per page. BENCH_PROFILE=file.cpuprofile also writes a CPU profile of the
 * measured pages only (node:inspector; open it in Chrome DevTools).
 */
import { loadavg } from 'node:os';
import { sql } from 'drizzle-orm';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { sha256Hex } from '../src/lib/crypto.js';
import { FixedClock } from '../src/lib/clock.js';
import { generateCases } from './datagen.js';
import { dropDatabase, seededDatabase, measuredInProcess } from './lib.js';
import { generateKeyPairSync } from 'node:crypto';

const CASES = Number(process.env.BENCH_CASES ?? 20_000);
const N = Number(process.env.BENCH_REQUESTS ?? 2_000);
const name = 'pakn_bench_queue_cpu';
const { url, d } = await seededDatabase(name, 10);
try {
  const now = new Date('2026-11-20T03:00:00Z');
  await generateCases(d.db, { n: CASES, now, dueCount: 1_000, openShare: 1 });
  const token = 'pakn_bench_agency_staff_token_0000000000000';
  const { rows: u } = (await d.db.execute(sql`select id from users where role = 'agency_staff' order by id limit 1`)) as unknown as { rows: Array<{ id: number }> };
  await d.db.execute(sql`insert into api_tokens (user_id, token_hash, prefix, label) values (${u[0].id}, ${sha256Hex(token)}, 'pakn_bench', 'bench')`);
  const config = loadConfig({ NODE_ENV: 'production', DATABASE_URL: url, LOG_LEVEL: 'warn', PAKN_DISABLE_CRON: '1', PAKN_RATE_LIMIT_STAFF: '100000000', PAKN_SIGNING_KEY: generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() });
  const app = await buildApp({ config, database: d, clock: new FixedClock(now) });
  const page = () => app.inject({ method: 'GET', url: '/api/v1/cases?limit=50', headers: { authorization: `Bearer ${token}` } });
  const first = await page();
  if (first.statusCode !== 200) throw new Error(`${first.statusCode} ${first.body}`);
  for (let i = 0; i < 200; i++) await page(); // warm-up
  const m = await measuredInProcess(async () => {
    for (let i = 0; i < N; i += 10) await Promise.all(Array.from({ length: 10 }, page));
  }, process.env.BENCH_PROFILE);
  console.log(
    `queue page: ${((m.userMs + m.systemMs) / N).toFixed(3)} ms CPU per page (user ${(m.userMs / N).toFixed(3)}, system ${(m.systemMs / N).toFixed(3)}), ` +
      `${Math.round((N * 1000) / m.ms)} pages/s wall, ${first.body.length} bytes, load avg ${loadavg()[0].toFixed(1)}`,
  );
  await app.close();
} finally {
  await d.close();
  await dropDatabase(name);
}
