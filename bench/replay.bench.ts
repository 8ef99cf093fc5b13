/**
 * The case replay of GET /api/v1/audit/verify?cases=true over a million cases on PostgreSQL:
 * cases from bench/datagen.ts, and for each the events that lead to its row (receive, assign,
 * accept; answered ones also resolve and close), written set-based. Alone:
 *
 *   BENCH_CASES=1000000 npx tsx bench/replay.bench.ts
 */
import { sql } from 'drizzle-orm';
import type { Db } from '../src/db/client.js';
import { verifyCases } from '../src/features/timeline/replay.js';
import { generateCases } from './datagen.js';
import { dropDatabase, seededDatabase, timed } from './lib.js';

/** The timeline of every generated case, consistent with its row. */
export async function generateEvents(db: Db): Promise<number> {
  await db.execute(sql`
    insert into case_events (case_id, at, actor_role, action, from_status, to_status, public_text, data)
    select c.id, c.received_at, e.role, e.action, e.from_status, e.to_status, e.public_text, e.data
    from cases c
    cross join lateral (values
      (1, 'public', 'receive', null, 'received', 'Đã tiếp nhận.', jsonb_build_object('resolveDueAt', to_char(c.resolve_due_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))),
      (2, 'system', 'assign', 'received', 'assigned', 'Đã chuyển đến cơ quan xử lý.',
        jsonb_build_object('agencyId', c.agency_id, 'acceptDueAt', to_char(c.accept_due_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))),
      (3, 'agency_staff', 'accept', 'assigned', 'in_progress', 'Đã tiếp nhận và đang xử lý.', '{}'::jsonb),
      (4, 'agency_staff', 'resolve', 'in_progress', 'resolved', c.public_answer, jsonb_build_object('outcome', c.outcome)),
      (5, 'coordinator', 'close', 'resolved', 'closed', 'Hồ sơ đã kết thúc.', '{}'::jsonb)
    ) as e(k, role, action, from_status, to_status, public_text, data)
    where e.k <= case c.status when 'assigned' then 2 when 'in_progress' then 3 else 5 end
    order by c.id, e.k
  `);
  await db.execute(sql`analyze case_events`);
  const r = (await db.execute(sql`select count(*)::int as n from case_events`)) as unknown as { rows: Array<{ n: number }> };
  return r.rows[0].n;
}

export async function runReplayBench(cases: number): Promise<{ ms: number; cases: number; events: number; problems: number; setupMs: number }> {
  const name = 'pakn_bench_replay';
  const { url, d } = await seededDatabase(name, 4);
  try {
    const setup = await timed(async () => {
      await generateCases(d.db, { n: cases, now: new Date('2026-11-20T03:00:00Z'), dueCount: 10_000, openShare: 0.2, fromMonth: '2026-10', months: 1 });
      return generateEvents(d.db);
    });
    const r = await timed(() => verifyCases(d.db));
    return { ms: r.ms, cases: r.result.checked, events: setup.result, problems: r.result.problems.length, setupMs: setup.ms };
  } finally {
    await d.close();
    await dropDatabase(name);
  }
}

const isEntry = process.argv[1]?.endsWith('replay.bench.ts');
if (isEntry) {
  const n = Number(process.env.BENCH_CASES ?? 1_000_000);
  const r = await runReplayBench(n);
  console.log(JSON.stringify(r));
  process.exit(0);
}
