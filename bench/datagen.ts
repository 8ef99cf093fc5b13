import { sql } from 'drizzle-orm';
import type { Db } from '../src/db/client.js';
import { DEFAULT_SLA_POLICIES } from '../src/domain/sla.js';

/**
 * Fills the cases table set-based (one INSERT … SELECT over generate_series) with `n` cases
 * spread over the demo province's agencies, categories and the given months. `dueCount` of the
 * open cases get a resolve deadline before `now` (they are what an escalation sweep must find);
 * the other open cases are due well after `now`. The table is vacuumed, analysed and checkpointed
 * afterwards, as it would be after months of use.
 */
export async function generateCases(
  db: Db,
  opts: { n: number; now: Date; dueCount: number; openShare?: number; fromMonth?: string; months?: number },
): Promise<void> {
  const openShare = opts.openShare ?? 1;
  const policy = JSON.stringify(DEFAULT_SLA_POLICIES.find((p) => p.kind === 'phan_anh' && p.priority === 'normal'));
  const from = `${opts.fromMonth ?? '2026-10'}-01T00:00:00+07:00`;
  const months = opts.months ?? 1;
  const now = opts.now.toISOString();
  await db.execute(sql`
    with a as (select array_agg(id order by id) ids from agencies where kind <> 'coordinator'),
         c as (select array_agg(id order by id) ids from categories),
         l as (select array_agg(id order by id) ids from localities)
    insert into cases (tracking_code, access_key_hash, kind, priority, category_id, locality_id, channel, title, content,
      search_text, business_name, tax_code, contact_name, phone, email, status, agency_id, received_at, sla_policy,
      assigned_at, accept_due_at, accepted_at, resolve_due_at, resolved_at, outcome, resolved_with_extension, reason,
      public_answer, created_at, updated_at)
    select 'BENCH.' || g, md5(g::text), case when g % 10 = 0 then 'kien_nghi' else 'phan_anh' end, 'normal',
      c.ids[1 + g % array_length(c.ids, 1)], l.ids[1 + g % array_length(l.ids, 1)],
      (array['web','hotline','zalo','email','api'])[1 + g % 5],
      'Phản ánh số ' || g, 'Nội dung phản ánh về thủ tục hành chính số ' || g, 'phan anh so ' || g,
      'Công ty ' || g, null, 'Người liên hệ', '0912345678', null,
      case when g <= ${opts.dueCount} then 'in_progress'
           when (g % 1000) < ${Math.round(openShare * 1000)} then (array['assigned','in_progress'])[1 + g % 2]
           else 'closed' end,
      a.ids[1 + g % array_length(a.ids, 1)],
      ts.received, ${policy}::jsonb,
      ts.received, ts.received + interval '1 day', ts.received + interval '2 hours',
      case when g <= ${opts.dueCount} then ${now}::timestamptz - interval '1 hour' * (1 + g % 48)
           when (g % 1000) < ${Math.round(openShare * 1000)} then ${now}::timestamptz + interval '5 days' + interval '1 minute' * (g % 10000)
           else ts.received + interval '10 days' end,
      case when g > ${opts.dueCount} and (g % 1000) >= ${Math.round(openShare * 1000)} then ts.received + interval '1 day' * (2 + g % 16) end,
      case when g > ${opts.dueCount} and (g % 1000) >= ${Math.round(openShare * 1000)} then (array['early','on_time','late'])[1 + g % 3] end,
      case when g > ${opts.dueCount} and (g % 1000) >= ${Math.round(openShare * 1000)} then (g % 7 = 0) end,
      case when g > ${opts.dueCount} and (g % 1000) >= ${Math.round(openShare * 1000)} then 'answered' end,
      case when g > ${opts.dueCount} and (g % 1000) >= ${Math.round(openShare * 1000)} then 'Đã trả lời.' end,
      ts.received, ts.received
    from generate_series(1, ${opts.n}) g
    cross join a cross join c cross join l
    cross join lateral (select ${from}::timestamptz + (interval '1 day' * ${months * 30}) * ((g::bigint * 7919) % ${opts.n})::float8 / ${opts.n} as received) ts
  `);
  // a table filled over months has been vacuumed, its rows' hint bits set and its pages written
  // out long before anyone reads it; a table loaded in one statement has not (its first full
  // read writes every page, and the checkpointer writes a gigabyte while it is read)
  await db.execute(sql`vacuum (analyze) cases`);
  await db.execute(sql`checkpoint`);
}
