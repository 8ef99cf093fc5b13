/**
 * Replays each case's timeline and compares the result with the case row: the fields the
 * reports and the audits are computed from (status, agency, deadlines, outcome, extensions,
 * answer, rating). Set-based in batches of case ids: one read of the case rows and one read of
 * their events per batch, only the columns the replay needs.
 */
import { sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';

export const REPLAYED_FIELDS = ['status', 'agencyId', 'acceptDueAt', 'resolveDueAt', 'outcome', 'extensionsUsed', 'publicAnswer', 'rating'] as const;
export type ReplayedField = (typeof REPLAYED_FIELDS)[number];
type Value = string | number | null;
/** a field's value after the replay; undefined: not replayable from these events */
export type ReplayState = Partial<Record<ReplayedField, Value>>;

/** The fields of an event the replay reads. */
export interface ReplayEvent {
  action: string;
  toStatus: string | null;
  /** the event's public text (resolve: the answer) */
  publicText: string | null;
  data: Record<string, unknown> | null;
}

const has = (d: Record<string, unknown> | null, k: string): d is Record<string, unknown> => d != null && Object.prototype.hasOwnProperty.call(d, k);

/** An instant in an event's data: an ISO string, null, or {from, to} (deadline_recomputed). */
function instant(v: unknown): Value | undefined {
  if (v === null) return null;
  if (typeof v === 'string') {
    const t = Date.parse(v);
    return Number.isNaN(t) ? undefined : new Date(t).toISOString();
  }
  if (v && typeof v === 'object' && 'to' in v) return instant((v as { to: unknown }).to);
  return undefined;
}

/** Actions whose data.resolveDueAt / data.acceptDueAt is the case's deadline after the event. */
const DEADLINE_ACTIONS = new Set(['receive', 'assign', 'accept', 'request_info', 'reply', 'resolve', 'extend', 'deadline_recomputed']);

/**
 * Folds one case's events, in chain order, into the replayed fields. A field whose defining
 * event lacks the data (events written before the data was recorded) stays undefined until a
 * later event sets it outright: "not replayable", not a difference.
 */
export function replayCase(events: ReplayEvent[]): ReplayState {
  const s: ReplayState = {};
  const set = (f: ReplayedField, v: Value | undefined) => {
    if (v === undefined) delete s[f];
    else s[f] = v;
  };
  for (const e of events) {
    const d = e.data;
    if (e.action === 'receive') {
      // a case starts unassigned, without outcome, answer, rating or extension
      Object.assign(s, { agencyId: null, acceptDueAt: null, outcome: null, extensionsUsed: 0, publicAnswer: null, rating: null });
      set('resolveDueAt', has(d, 'resolveDueAt') ? instant(d.resolveDueAt) : undefined);
    }
    if (e.toStatus != null) s.status = e.toStatus;
    if (DEADLINE_ACTIONS.has(e.action)) {
      if (has(d, 'resolveDueAt')) set('resolveDueAt', instant(d.resolveDueAt));
      if (has(d, 'acceptDueAt')) set('acceptDueAt', instant(d.acceptDueAt));
    }
    switch (e.action) {
      case 'assign':
        set('agencyId', has(d, 'agencyId') && (typeof d.agencyId === 'number' || d.agencyId === null) ? d.agencyId : undefined);
        if (!has(d, 'acceptDueAt')) delete s.acceptDueAt;
        break;
      case 'return':
        s.agencyId = null;
        s.acceptDueAt = null;
        break;
      case 'resolve':
        set('outcome', has(d, 'outcome') && typeof d.outcome === 'string' ? d.outcome : undefined);
        s.publicAnswer = e.publicText;
        break;
      case 'reopen':
      case 'dispute':
        s.outcome = null;
        break;
      case 'extend':
        if (has(d, 'count') && typeof d.count === 'number') s.extensionsUsed = d.count;
        else if (typeof s.extensionsUsed === 'number') s.extensionsUsed += 1;
        break;
      case 'rate':
        set('rating', has(d, 'rating') && typeof d.rating === 'number' ? d.rating : undefined);
        break;
    }
  }
  return s;
}

export interface CaseRowFields {
  id: number;
  status: string;
  agencyId: number | null;
  acceptDueAt: string | null;
  resolveDueAt: string | null;
  outcome: string | null;
  extensionsUsed: number;
  publicAnswer: string | null;
  rating: number | null;
}

export interface CaseProblem {
  kind: 'case_mismatch' | 'case_without_events' | 'events_without_case';
  caseId: number;
  field?: ReplayedField;
  detail: string;
}

const show = (v: Value | undefined) => (v === null ? 'null' : v === undefined ? '(unknown)' : typeof v === 'string' ? JSON.stringify(v.length > 80 ? `${v.slice(0, 77)}…` : v) : String(v));

/** The differences between a case row and its replayed timeline (fields not replayable are skipped). */
export function compareCase(row: CaseRowFields, replayed: ReplayState): { problems: CaseProblem[]; notReplayable: ReplayedField[] } {
  const problems: CaseProblem[] = [];
  const notReplayable: ReplayedField[] = [];
  for (const f of REPLAYED_FIELDS) {
    const want = replayed[f];
    if (want === undefined) {
      notReplayable.push(f);
      continue;
    }
    const got = row[f];
    if (got !== want) {
      problems.push({ kind: 'case_mismatch', caseId: row.id, field: f, detail: `the case row says ${show(got)}, its timeline says ${show(want)}` });
    }
  }
  return { problems, notReplayable };
}

export interface CasesCheck {
  problems: CaseProblem[];
  /** cases compared */
  checked: number;
  /** cases with at least one field that older events do not let the replay know */
  notReplayable: number;
  ms: number;
}

const iso = (v: unknown): string | null => (v == null ? null : new Date(v as string).toISOString());

/**
 * Replays every case, `batch` case ids at a time, and compares with the rows. Also reports case
 * rows without any event and events whose case row is gone. Stops collecting after `maxProblems`.
 */
export async function verifyCases(ex: Executor, opts: { batch?: number; maxProblems?: number; now?: () => number } = {}): Promise<CasesCheck> {
  const batch = opts.batch ?? 5000;
  const maxProblems = opts.maxProblems ?? 1000;
  const now = opts.now ?? (() => performance.now());
  const t0 = now();
  const problems: CaseProblem[] = [];
  let checked = 0;
  let notReplayable = 0;
  let after = 0;
  for (;;) {
    const caseRes = (await ex.execute(sql`select id, status, agency_id, accept_due_at, resolve_due_at, outcome, extensions_used, public_answer, rating
      from cases where id > ${after} order by id limit ${batch}`)) as unknown as { rows: Array<Record<string, unknown>> };
    const rows = caseRes.rows;
    const last = rows.length > 0 ? Number(rows[rows.length - 1].id) : null;
    // events of this id range (the last range: every event beyond it too)
    const evRes = (await ex.execute(sql`select case_id, action, to_status,
        case when action = 'resolve' then public_text end as public_text,
        case when action in ('receive', 'assign', 'accept', 'request_info', 'reply', 'resolve', 'extend', 'deadline_recomputed', 'rate')
          then data end as data
      from case_events where case_id > ${after} ${last == null ? sql`` : sql`and case_id <= ${last}`}
      order by case_id, id`)) as unknown as { rows: Array<Record<string, unknown>> };
    const byCase = new Map<number, ReplayEvent[]>();
    for (const e of evRes.rows) {
      const id = Number(e.case_id);
      let list = byCase.get(id);
      if (!list) byCase.set(id, (list = []));
      const data = typeof e.data === 'string' ? (JSON.parse(e.data) as Record<string, unknown>) : ((e.data as Record<string, unknown> | null) ?? null);
      list.push({ action: String(e.action), toStatus: (e.to_status as string | null) ?? null, publicText: (e.public_text as string | null) ?? null, data });
    }
    for (const r of rows) {
      const id = Number(r.id);
      const events = byCase.get(id);
      byCase.delete(id);
      checked += 1;
      if (!events) {
        problems.push({ kind: 'case_without_events', caseId: id, detail: 'the case row has no event in the timeline' });
        continue;
      }
      const row: CaseRowFields = {
        id,
        status: String(r.status),
        agencyId: r.agency_id == null ? null : Number(r.agency_id),
        acceptDueAt: iso(r.accept_due_at),
        resolveDueAt: iso(r.resolve_due_at),
        outcome: (r.outcome as string | null) ?? null,
        extensionsUsed: Number(r.extensions_used),
        publicAnswer: (r.public_answer as string | null) ?? null,
        rating: r.rating == null ? null : Number(r.rating),
      };
      const cmp = compareCase(row, replayCase(events));
      problems.push(...cmp.problems);
      if (cmp.notReplayable.length > 0) notReplayable += 1;
    }
    for (const id of [...byCase.keys()].sort((a, b) => a - b)) {
      problems.push({ kind: 'events_without_case', caseId: id, detail: `${byCase.get(id)!.length} timeline event(s) of a case whose row is gone` });
    }
    if (last == null || problems.length >= maxProblems) break;
    after = last;
  }
  problems.sort((a, b) => a.caseId - b.caseId);
  return { problems: problems.slice(0, maxProblems), checked, notReplayable, ms: Math.round(now() - t0) };
}
