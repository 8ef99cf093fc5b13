/**
 * Intake's SQL: tracking codes drawn from each day's PostgreSQL sequence (in blocks per instance),
 * and the one statement that writes a new case with its first timeline events and its mail.
 */
import { sql } from 'drizzle-orm';
import { runNamed, type Executor } from '../../db/client.js';
import { insertInto, RawSql, Statement } from '../../db/fast.js';
import { caseEvents, cases, outbox } from '../../db/schema.js';
import { localDate } from '../../domain/calendar.js';
import { formatTrackingCode } from '../../domain/validators.js';
import { isUniqueViolation } from '../../lib/errors.js';
import type { outboxRows } from '../notifications/outbox.js';
import type { eventRows } from '../timeline/repository.js';

/** Tracking numbers an instance has drawn ahead, per day of receipt. */
export type TrackingBlocks = Map<string, { numbers: number[]; refill?: Promise<void> }>;
/** numbers drawn at once by an instance on PostgreSQL (one round trip per block, not per case) */
const TRACKING_BLOCK = 20;

/**
 * The next tracking code of the day of receipt (Asia/Ho_Chi_Minh), from that day's own
 * PostgreSQL sequence (created on first use). A sequence hands out numbers without locks, so
 * concurrent submissions never queue on a counter row; a submission that fails after drawing
 * leaves a gap in the day's numbers, never a duplicate. With `blocks`, an instance draws
 * numbers for the current day 20 at a time (one round trip per 20 cases): instances then hand
 * out numbers in interleaved blocks, and a restart leaves the rest of its block unused.
 */
export async function allocateTrackingCode(ex: Executor, receivedAt: Date, blocks?: TrackingBlocks): Promise<string> {
  const day = localDate(receivedAt);
  const newest = blocks ? [...blocks.keys()][0] : undefined;
  // a case received on an earlier day (entered late by the coordinator) draws its own number
  if (!blocks || (newest !== undefined && day < newest)) return formatTrackingCode(day, (await drawTrackingNumbers(ex, day, 1))[0]);
  for (;;) {
    let b = blocks.get(day);
    if (!b) {
      // one day's block at a time: numbers of a day that has passed are not kept
      blocks.clear();
      b = { numbers: [] };
      blocks.set(day, b);
    }
    if (b.numbers.length > 0) return formatTrackingCode(day, b.numbers.shift()!);
    if (!b.refill) {
      const block = b;
      block.refill = drawTrackingNumbers(ex, day, TRACKING_BLOCK)
        .then((n) => {
          block.numbers.push(...n);
        })
        .finally(() => {
          block.refill = undefined;
        });
    }
    await b.refill;
  }
}

/** `count` numbers of the day's sequence, in order (the sequence is created on first use). */
async function drawTrackingNumbers(ex: Executor, day: string, count: number): Promise<number[]> {
  const seqName = `pakn_tracking_${day.replace(/-/g, '')}`;
  for (let attempt = 0; ; attempt++) {
    const r = (await ex.execute(
      sql`select nextval(to_regclass(${seqName})) as n from generate_series(1, ${count}::int) where to_regclass(${seqName}) is not null`,
    )) as unknown as { rows: Array<{ n: string | number }> };
    if (r.rows.length > 0) return r.rows.map((x) => Number(x.n)).sort((x, y) => x - y);
    if (attempt > 2) throw new Error(`could not create the tracking sequence ${seqName}`);
    try {
      await ex.execute(sql.raw(`create sequence if not exists ${seqName} minvalue 1 start 1`));
    } catch (e) {
      // another instance created it at the same moment
      if (!isUniqueViolation(e) && (e as { cause?: { code?: string } }).cause?.code !== '42P07') throw e;
    }
  }
}

/**
 * Writes the case row, its events and its mail in one statement (so it is atomic on its own and
 * costs one round trip); the events' and the mail's caseId is set to the new case's id there.
 */
export async function insertCaseWithEventsAndMail(
  ex: Executor,
  caseRow: typeof cases.$inferInsert,
  events: ReturnType<typeof eventRows>,
  mail: ReturnType<typeof outboxRows>,
): Promise<{ id: number; version: number }> {
  /** the new case's id inside the one statement */
  const newId = new RawSql('(select id from new_case)');
  const withId = <R extends object>(rows: R[]) => rows.map((r) => ({ ...r, caseId: newId }));
  const st = new Statement();
  st.text = 'with new_case as (';
  insertInto(st, cases, [caseRow], 'id, version');
  st.text += '), new_events as (';
  insertInto(st, caseEvents, withId(events));
  if (mail.length) {
    st.text += '), new_mail as (';
    insertInto(st, outbox, withId(mail));
  }
  st.text += ') select id, version from new_case';
  // a named statement (one per shape: the number of events and messages), planned once per connection
  const res = await runNamed<{ id: number | string; version: number }>(ex, 'pakn_intake', st);
  return { id: Number(res[0].id), version: Number(res[0].version) };
}
