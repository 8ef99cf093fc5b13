/**
 * CPU time of a public submission in the service process, without sockets or a load generator
 * (fair on a busy machine): builds the app as production does on a fresh PostgreSQL database, then
 * takes N submissions (app.inject, 10 at a time) and prints the CPU time (process.cpuUsage) per
 * submission. BENCH_PROFILE=file.cpuprofile also writes a CPU profile of the measured part.
 */
import { generateKeyPairSync } from 'node:crypto';
import { loadavg } from 'node:os';
import pg from 'pg';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { systemClock } from '../src/lib/clock.js';
import { dropDatabase, seededDatabase, INTAKE_BODY, measuredInProcess } from './lib.js';

const N = Number(process.env.BENCH_REQUESTS ?? 2_000);
const name = 'pakn_bench_intake_cpu';
const { url, d } = await seededDatabase(name, 20);
try {
  const config = loadConfig({
    NODE_ENV: 'production',
    DATABASE_URL: url,
    LOG_LEVEL: 'warn',
    PAKN_DISABLE_CRON: '1',
    PAKN_RATE_LIMIT_PUBLIC: '100000000',
    PAKN_SIGNING_KEY: generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  });
  const app = await buildApp({ config, database: d, clock: systemClock });
  const body = JSON.stringify(INTAKE_BODY);
  const submit = () => app.inject({ method: 'POST', url: '/api/v1/public/cases', headers: { 'content-type': 'application/json' }, payload: body });
  const first = await submit();
  if (first.statusCode !== 201) throw new Error(`${first.statusCode} ${first.body}`);
  for (let i = 0; i < 200; i += 10) await Promise.all(Array.from({ length: 10 }, submit)); // warm-up
  // statements sent to PostgreSQL (each one a round trip and a socket write)
  let statements = 0;
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    statements++;
    return (query as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof query;
  const m = await measuredInProcess(async () => {
    for (let i = 0; i < N; i += 10) await Promise.all(Array.from({ length: 10 }, submit));
  }, process.env.BENCH_PROFILE);
  console.log(
    `intake: ${((m.userMs + m.systemMs) / N).toFixed(3)} ms CPU per submission (user ${(m.userMs / N).toFixed(3)}, system ${(m.systemMs / N).toFixed(3)}), ` +
      `${(statements / N).toFixed(2)} statements per submission, ${Math.round((N * 1000) / m.ms)} submissions/s wall, load avg ${loadavg()[0].toFixed(1)}`,
  );
  await app.close();
} finally {
  await d.close();
  await dropDatabase(name);
}
