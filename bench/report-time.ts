/**
 * Wall time of the monthly report preview (services.reports.preview('2026-10')) over BENCH_CASES
 * cases (default 1,000,000) answered mostly in one month, repeated BENCH_REPEAT times (default 3)
 * on the same database, with the CPU time of the Node process per run. The database
 * (pakn_bench_report_keep) is generated on the first run and kept, so later runs measure at once;
 * BENCH_FRESH=1 generates it again, BENCH_DROP=1 drops it at the end. BENCH_PROFILE=file.cpuprofile
 * writes a CPU profile of the last run (node:inspector; open it in Chrome DevTools).
 *
 *   npx tsx bench/report-time.ts
 */
import { loadavg } from 'node:os';
import { testConfig } from '../src/config.js';
import { openPostgres } from '../src/db/client.js';
import { runMigrations } from '../src/db/migrate.js';
import { seedDemo } from '../src/db/seed.js';
import { FixedClock } from '../src/lib/clock.js';
import { createServices } from '../src/services.js';
import { generateCases } from './datagen.js';
import { adminQuery, dbUrl, dropDatabase, freshDatabase, measuredInProcess } from './lib.js';

const CASES = Number(process.env.BENCH_CASES ?? 1_000_000);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 3);
const name = 'pakn_bench_report_keep';
const now = new Date('2026-11-20T03:00:00Z');
const log = (s: string) => console.error(`[report-time] ${s}`);

const exists = (await adminQuery(`select 1 from pg_database where datname = '${name}'`)).rowCount === 1;
let url = dbUrl(name);
if (!exists || process.env.BENCH_FRESH) {
  log(`generating ${CASES.toLocaleString('en')} cases`);
  url = await freshDatabase(name);
  const d = await openPostgres(url, 4);
  await runMigrations(d);
  await seedDemo(d.db);
  await generateCases(d.db, { n: CASES, now, dueCount: 10_000, openShare: 0.2, fromMonth: '2026-10', months: 1 });
  await d.close();
}
const database = await openPostgres(url, 10);
const services = createServices({ config: testConfig({ DATABASE_URL: url }), database, clock: new FixedClock(now) });
try {
  for (let i = 0; i < REPEAT; i++) {
    // the profile of the last run only
    const m = await measuredInProcess(() => services.reports.preview('2026-10'), i === REPEAT - 1 ? process.env.BENCH_PROFILE : undefined);
    console.log(
      `run ${i + 1}: ${(m.ms / 1000).toFixed(2)} s wall, ${((m.userMs + m.systemMs) / 1000).toFixed(2)} s Node CPU, ` +
        `${m.result.cases.length.toLocaleString('en')} cases listed, load avg ${loadavg()[0].toFixed(2)}`,
    );
  }
} finally {
  await database.close();
  if (process.env.BENCH_DROP) await dropDatabase(name);
}
