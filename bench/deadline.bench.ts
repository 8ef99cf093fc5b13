/**
 * Deadline computations per second (computeResolveDueAt, the fast path).
 * Run: npx tsx bench/deadline.bench.ts
 * Prints one JSON line: {"name":"deadline.computeResolveDueAt","opsPerSec":...}
 */
import { pathToFileURL } from 'node:url';
import { createWorkingCalendar, type WorkingCalendar } from '../src/domain/calendar.js';
import { generateYearTable } from '../src/domain/holidays.js';
import { OFFICIAL_YEAR_TABLES } from '../src/domain/calendar-data.js';
import { computeResolveDueAt, DEFAULT_SLA_POLICIES, type DeadlineInput } from '../src/domain/sla.js';

export const DEADLINE_BENCH_TARGET = 200_000;

/** Deterministic pseudo-random generator (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A realistic mix: every policy, receipts over 2025–2026 at any hour, a third with a pause, some extended. */
function makeInputs(count: number): DeadlineInput[] {
  const rand = rng(20260212);
  const from = Date.parse('2025-01-01T00:00:00+07:00');
  const span = Date.parse('2026-10-01T00:00:00+07:00') - from;
  const out: DeadlineInput[] = [];
  for (let i = 0; i < count; i++) {
    const policy = DEFAULT_SLA_POLICIES[Math.floor(rand() * DEFAULT_SLA_POLICIES.length)];
    const received = from + Math.floor(rand() * span);
    const input: DeadlineInput = { policy, receivedAt: new Date(received) };
    if (rand() < 0.33) {
      const s = received + Math.floor(rand() * 10 * 86_400_000);
      input.pauses = [{ start: new Date(s), end: new Date(s + Math.floor(rand() * 5 * 86_400_000)) }];
    }
    if (policy.extension.maxCount > 0 && rand() < 0.1) {
      input.extensions = [
        { amount: policy.extension.maxAmount, unit: policy.extension.unit, reason: 'bench', at: new Date(received + 86_400_000) },
      ];
    }
    out.push(input);
  }
  return out;
}

function runFor(cal: WorkingCalendar, inputs: DeadlineInput[], minMs: number): { iterations: number; ms: number; sink: number } {
  let iterations = 0;
  let sink = 0;
  const t0 = performance.now();
  let elapsed = 0;
  do {
    for (let i = 0; i < inputs.length; i++) sink += computeResolveDueAt(cal, inputs[i]).getTime() & 1;
    iterations += inputs.length;
    elapsed = performance.now() - t0;
  } while (elapsed < minMs);
  return { iterations, ms: elapsed, sink };
}

export async function runDeadlineBench(opts: { durationMs?: number } = {}): Promise<{ opsPerSec: number; iterations: number }> {
  const cal = createWorkingCalendar({ years: OFFICIAL_YEAR_TABLES, fallback: generateYearTable });
  const inputs = makeInputs(10_000);
  runFor(cal, inputs, 200); // warm-up (JIT, lazily generated fallback years)
  const { iterations, ms } = runFor(cal, inputs, opts.durationMs ?? 1_500);
  return { opsPerSec: Math.round((iterations / ms) * 1000), iterations };
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  const r = await runDeadlineBench();
  console.log(
    JSON.stringify({
      name: 'deadline.computeResolveDueAt',
      opsPerSec: r.opsPerSec,
      iterations: r.iterations,
      target: DEADLINE_BENCH_TARGET,
      pass: r.opsPerSec >= DEADLINE_BENCH_TARGET,
      node: process.version,
    }),
  );
}
