import { and, eq, sql, type SQL } from 'drizzle-orm';
import type { Config } from '../../config.js';
import type { Db, Tx } from '../../db/client.js';
import { cases } from '../../db/schema.js';
import {
  addWorkingHours,
  addWorkingMs,
  DAY_MS,
  HOUR_MS,
  nextOpening,
  toLocalIso,
  workingMsBetween,
  type WorkingCalendar,
} from '../../domain/calendar.js';
import { disputeDeadline, DISPUTE_WINDOW_DAYS, STATUS_LABEL_VI, type CaseStatus } from '../../domain/lifecycle.js';
import { DEFAULT_SLA_POLICIES, describeDuration, isDueSoon, isPastBy, type Duration } from '../../domain/sla.js';
import type { CaseRow } from '../cases/deadlines.js';
import { frozenPolicy, isProvisional } from '../cases/deadlines.js';
import type { WorkflowService } from '../cases/workflow.js';
import type { ClockService } from '../clock/service.js';
import { nextInWindow, type SettingsService } from '../settings/service.js';
import { enqueueMessages, outboxRows } from '../notifications/outbox.js';
import type { Logger } from '../notifications/service.js';
import {
  acceptReminderMessage,
  autoCloseMessage,
  dueSoonMessage,
  overdueMessage,
  seriousOverdueMessage,
  staffMailCase,
  triageReminderMessage,
  type Rendered,
  type SiteFooter,
  type StaffCaseInfo,
} from '../notifications/templates.js';
import {
  candidates,
  claim,
  cond,
  fireChunk,
  lastReturnedAt,
  loadAgencies,
  lockCases,
  policyLimits,
  type AgencyContact,
  type Candidate,
  type Claim,
  type FiringRow,
  type Level,
} from './repository.js';

export interface EscalationDeps {
  db: Db;
  config: Config;
  clockService: ClockService;
  chain: { sealPending(): Promise<unknown> };
  baseUrl: string;
  mailDomain: string;
  /** recipients, the staff mail window and the footer identity: read from the database at each run */
  settings: SettingsService;
  /** the workflow's in-transaction action, as the job uses it (auto-close) */
  workflow: Pick<WorkflowService, 'actInTx'>;
}

export interface EscalationResult {
  at: string;
  dueSoon: number;
  acceptOverdue: number;
  overdue: number;
  serious: number;
  triageStale: number;
  closedAfterDisputeWindow: number;
  closedNoResponse: number;
  /** staff e-mails held for the next office opening */
  heldForOfficeHours: number;
  failed: number;
  errors: Array<{ caseIds: number[]; sweep: string; error: string }>;
  ms: number;
  /** the run stopped early (the service is stopping): the rest is left to the next run */
  interrupted: boolean;
}

/** escalationLevel set by each level (never lowered by the job) */
export const LEVEL_VALUE: Record<Exclude<Level, 'auto_close'>, number> = {
  due_soon: 1,
  accept_overdue: 1,
  triage_stale: 1,
  overdue: 2,
  serious: 3,
};

const LEVEL_LABEL_VI: Record<Exclude<Level, 'auto_close'>, string> = {
  due_soon: 'Cảnh báo sắp đến hạn trả lời',
  accept_overdue: 'Nhắc tiếp nhận: quá hạn tiếp nhận hồ sơ',
  overdue: 'Quá hạn trả lời: báo lãnh đạo đơn vị và Tổ phản ứng nhanh',
  serious: 'Quá hạn nghiêm trọng: báo lãnh đạo tỉnh và Thanh tra tỉnh',
  triage_stale: 'Nhắc phân công: hồ sơ chờ phân công quá lâu',
};

const SYSTEM_LABEL = 'Đôn đốc tự động';
/** cases locked and processed per transaction */
const CHUNK = 250;
/** chunk transactions of one sweep in flight at once (each on its own connection on PostgreSQL) */
const PARALLEL_CHUNKS = 3;

const asDuration = (v: unknown): Duration | null => {
  const d = v as Duration | null;
  return d && typeof d.amount === 'number' && typeof d.unit === 'string' ? d : null;
};

interface Firing extends Claim {
  message: (c: CaseRow) => { msg: Rendered; to: string[]; cc: string[]; notified: string[] } | null;
  text: string;
}

/**
 * The escalation job (SPEC §5): one sweep per level, each over an index-backed candidate set,
 * processed in chunks. Each firing is claimed in the escalations table (INSERT … ON CONFLICT DO
 * NOTHING RETURNING); only the transaction that wins the claim writes the timeline event, the
 * outgoing mail and the case's escalation level, so any number of instances, overlapping runs
 * or restarts fire each (case, level, deadline) once.
 */
export function createEscalationService(deps: EscalationDeps) {
  const { db, config, clockService, baseUrl, mailDomain } = deps;
  let log: Logger = { info() {}, warn() {}, error() {} };

  /**
   * One run at `now`. When `signal` aborts (the service is stopping), the transactions in flight
   * finish and no new one starts; whatever is left fires at the next run, on any instance.
   */
  async function runEscalation(now: Date, opts: { signal?: AbortSignal } = {}): Promise<EscalationResult> {
    const { signal } = opts;
    const started = Date.now();
    const cal = await clockService.calendar();
    const agencyMap = await loadAgencies(db);
    const coordinatorAgency = [...agencyMap.values()].find((a) => a.kind === 'coordinator');
    // one truth for every instance: the settings row, read once per run
    const settings = await deps.settings.get();
    const coordinators = settings.coordinatorEmails.length ? settings.coordinatorEmails : (coordinatorAgency?.contactEmails ?? []);
    const leadership = settings.leadershipEmails;
    const inspectorate = settings.inspectorateEmails;
    const site: SiteFooter = { provinceName: settings.provinceName, hotline: settings.hotline, officeAddress: settings.officeAddress };
    let opening: Date;
    try {
      opening = nextInWindow(cal, deps.settings.staffWindow(settings), now);
    } catch {
      opening = nextOpening(cal, now); // a window that no longer parses: office hours
    }
    const staffNotBefore = opening > now ? opening : undefined;

    const result: EscalationResult = {
      at: toLocalIso(now),
      dueSoon: 0,
      acceptOverdue: 0,
      overdue: 0,
      serious: 0,
      triageStale: 0,
      closedAfterDisputeWindow: 0,
      closedNoResponse: 0,
      heldForOfficeHours: 0,
      failed: 0,
      errors: [],
      ms: 0,
      interrupted: false,
    };
    const countKey: Record<Exclude<Level, 'auto_close'>, keyof EscalationResult> = {
      due_soon: 'dueSoon',
      accept_overdue: 'acceptOverdue',
      overdue: 'overdue',
      serious: 'serious',
      triage_stale: 'triageStale',
    };
    const fail = (sweep: string, caseIds: number[], err: unknown) => {
      result.failed += caseIds.length;
      const error = (err as Error)?.message?.slice(0, 300) ?? String(err);
      if (result.errors.length < 20) result.errors.push({ sweep, caseIds: caseIds.slice(0, 20), error });
      log.error({ sweep, caseIds: caseIds.slice(0, 20), err }, 'escalation sweep failed for some cases');
    };

    // ---- bounds of the candidate sets, from every policy version that cases may carry frozen
    const limits = await policyLimits(db);
    const all = [...limits, ...DEFAULT_SLA_POLICIES.map((p) => ({ w: p.warnBefore, o: p.overdueEscalateAfter, a: p.awaitingBusinessLimit }))];
    const warnHorizon = maxInstant(all.map((l) => asDuration(l.w)).filter(isDuration).map((d) => horizonAfter(cal, now, d)), now);
    const seriousFrom = new Date(now.getTime() - minCalendarMs(cal, all.map((l) => asDuration(l.o))));
    const pausedBefore = new Date(now.getTime() - minCalendarMs(cal, all.map((l) => asDuration(l.a))));

    const agencyOf = (c: CaseRow): AgencyContact | undefined => (c.agencyId != null ? agencyMap.get(c.agencyId) : undefined);
    const info = (c: CaseRow): StaffCaseInfo => ({
      ...staffMailCase(c),
      caseId: c.id,
      trackingCode: c.trackingCode,
      agencyName: agencyOf(c)?.name ?? null,
      resolveDueAt: c.resolveDueAt,
      resolveDueProvisional: isProvisional(c),
      baseUrl,
      site,
    });
    const contactsOf = (a: AgencyContact | undefined) => (a ? (a.contactEmails.length ? a.contactEmails : a.leadEmail ? [a.leadEmail] : []) : []);
    const leadOf = (a: AgencyContact | undefined) => (a ? (a.leadEmail ? [a.leadEmail] : a.contactEmails) : []);

    /** Claims the firings of locked cases and writes, for those won, the mail, the level and the event. */
    async function fire(tx: Tx, locked: CaseRow[], firings: Firing[]) {
      const byId = new Map(locked.map((c) => [c.id, c]));
      const rows: FiringRow[] = [];
      const held: boolean[] = [];
      for (const f of firings) {
        const c = byId.get(f.caseId)!;
        const lvl = LEVEL_VALUE[f.level as Exclude<Level, 'auto_close'>];
        const m = f.message(c);
        const mailed = !!(m && m.to.length);
        // the outbox row exactly as enqueueMessages writes it (recipients deduplicated, empty ones left out)
        const [mail] = m
          ? outboxRows(mailDomain, [{ template: f.level, caseId: f.caseId, to: m.to, cc: m.cc, subject: m.msg.subject, text: m.msg.text, html: m.msg.html ?? null, notBefore: staffNotBefore }], now)
          : [];
        held.push(mailed && !!staffNotBefore);
        rows.push({
          caseId: f.caseId,
          level: f.level,
          deadlineAt: f.deadlineAt,
          lvl,
          base: c.escalationLevel,
          actorLabel: SYSTEM_LABEL,
          internalText: f.text + (mailed ? ` Đã gửi thư: ${m!.notified.join(', ')}.` : ' Không có địa chỉ nhận thư.'),
          data: {
            level: f.level,
            deadlineAt: toLocalIso(f.deadlineAt),
            notified: mailed ? m!.notified : [],
            recipients: m ? m.to.length + m.cc.length : 0,
            ...(staffNotBefore && mailed ? { mailNotBefore: toLocalIso(staffNotBefore) } : {}),
          },
          mail: mailed && mail ? mail : null,
        });
      }
      const won = await fireChunk(tx, rows, now);
      for (const i of won) {
        if (held[i]) result.heldForOfficeHours++;
        (result[countKey[rows[i].level as Exclude<Level, 'auto_close'>]] as number)++;
      }
    }

    /**
     * One sweep: candidates found by index (those already fired left out), kept when `keep` says
     * so, then processed in chunks: locked with SKIP LOCKED (rows another run holds are left to
     * it), decided, claimed. Chunks run a few at a time.
     */
    async function sweep(
      name: string,
      found: Candidate[],
      recheck: SQL,
      keep: (x: Candidate) => boolean,
      decide: (c: CaseRow, x: Candidate, returned: Map<number, Date>) => Firing[],
      needsReturns = false,
    ) {
      if (signal?.aborted) return;
      const list = found.filter(keep);
      const byId = new Map(list.map((x) => [x.id, x]));
      const chunks: number[][] = [];
      for (let i = 0; i < list.length; i += CHUNK) chunks.push(list.slice(i, i + CHUNK).map((x) => x.id));
      let next = 0;
      const worker = async () => {
        for (;;) {
          if (signal?.aborted) return;
          const chunk = chunks[next++];
          if (!chunk) return;
          try {
            await db.transaction(async (tx) => {
              const locked = await lockCases(tx, chunk, recheck);
              if (locked.length === 0) return;
              const returned = needsReturns ? await lastReturnedAt(tx, locked.map((c) => c.id)) : new Map<number, Date>();
              const firings = locked.flatMap((c) => decide(c, byId.get(c.id)!, returned));
              if (firings.length) await fire(tx, locked, firings);
            });
          } catch (err) {
            fail(name, chunk, err);
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(PARALLEL_CHUNKS, chunks.length) }, worker));
    }

    // ---- 1. due soon → the agency's contacts
    {
      const q = cond.dueSoon(now, warnHorizon);
      const found = await candidates(db, { where: q.find, at: cases.resolveDueAt, limit: sql`${cases.slaPolicy}->'warnBefore'` });
      const dueSoon = (due: Date, warn: unknown) => {
        const d = asDuration(warn);
        return d !== null && isDueSoon(cal, now, due, d);
      };
      await sweep(
        'due_soon',
        found,
        q.recheck,
        (x) => dueSoon(x.at, x.limit),
        (c) =>
          dueSoon(c.resolveDueAt, frozenPolicy(c).warnBefore)
            ? [
                {
                  caseId: c.id,
                  level: 'due_soon',
                  deadlineAt: c.resolveDueAt,
                  text: `${LEVEL_LABEL_VI.due_soon} (hạn ${toLocalIso(c.resolveDueAt)}).`,
                  message: (c) => ({
                    msg: dueSoonMessage({ ...info(c), statusLabel: STATUS_LABEL_VI[c.status as CaseStatus] ?? c.status }),
                    to: contactsOf(agencyOf(c)),
                    cc: [],
                    notified: ['agency_contacts'],
                  }),
                },
              ]
            : [],
      );
    }

    // ---- 2. assignment not accepted by its accept deadline → the agency (and its lead)
    {
      const q = cond.acceptOverdue(now);
      const found = await candidates(db, { where: q.find, at: cases.acceptDueAt });
      await sweep(
        'accept_overdue',
        found,
        q.recheck,
        () => true,
        (c) =>
          c.acceptDueAt
            ? [
                {
                  caseId: c.id,
                  level: 'accept_overdue',
                  deadlineAt: c.acceptDueAt,
                  text: `${LEVEL_LABEL_VI.accept_overdue} (hạn tiếp nhận ${toLocalIso(c.acceptDueAt)}).`,
                  message: (c) => ({
                    msg: acceptReminderMessage({ ...info(c), acceptDueAt: c.acceptDueAt! }),
                    to: contactsOf(agencyOf(c)),
                    cc: agencyOf(c)?.leadEmail ? [agencyOf(c)!.leadEmail!] : [],
                    notified: ['agency_contacts', 'agency_lead'],
                  }),
                },
              ]
            : [],
      );
    }

    // ---- 3 & 4. overdue → agency lead + coordinator; seriously overdue → leadership + inspectorate
    {
      const q = cond.overdue(now, seriousFrom);
      const found = await candidates(db, {
        where: q.find,
        at: cases.resolveDueAt,
        limit: sql`${cases.slaPolicy}->'overdueEscalateAfter'`,
        levels: [
          { level: 'overdue', deadline: cases.resolveDueAt },
          { level: 'serious', deadline: cases.resolveDueAt },
        ],
      });
      const serious = (due: Date, after: unknown) => {
        const d = asDuration(after);
        return d !== null && isPastBy(cal, now, due, d);
      };
      await sweep(
        'overdue',
        found,
        q.recheck,
        (x) => !x.fired.has('overdue') || (!x.fired.has('serious') && serious(x.at, x.limit)),
        (c, x) => {
          const overdueBy = { overdueMs: workingMsBetween(cal, c.resolveDueAt, now), officeDayMs: cal.officeDayMs };
          const policy = frozenPolicy(c);
          const sameDeadline = x.at.getTime() === c.resolveDueAt.getTime();
          const out: Firing[] = [];
          if (!(sameDeadline && x.fired.has('overdue'))) {
            out.push({
              caseId: c.id,
              level: 'overdue',
              deadlineAt: c.resolveDueAt,
              text: `${LEVEL_LABEL_VI.overdue} (hạn ${toLocalIso(c.resolveDueAt)}).`,
              message: (c) => {
                const a = agencyOf(c);
                return a
                  ? { msg: overdueMessage({ ...info(c), ...overdueBy }), to: leadOf(a), cc: coordinators, notified: ['agency_lead', 'coordinator'] }
                  : { msg: overdueMessage({ ...info(c), ...overdueBy }), to: coordinators, cc: [], notified: ['coordinator'] };
              },
            });
          }
          if (!(sameDeadline && x.fired.has('serious')) && serious(c.resolveDueAt, policy.overdueEscalateAfter)) {
            const threshold = describeDuration(policy.overdueEscalateAfter);
            out.push({
              caseId: c.id,
              level: 'serious',
              deadlineAt: c.resolveDueAt,
              text: `${LEVEL_LABEL_VI.serious} (hạn ${toLocalIso(c.resolveDueAt)}, quá hạn hơn ${threshold}).`,
              message: (c) => {
                const msg = seriousOverdueMessage({ ...info(c), ...overdueBy, thresholdLabel: threshold });
                if (leadership.length || inspectorate.length) {
                  return leadership.length
                    ? { msg, to: leadership, cc: inspectorate, notified: ['leadership', ...(inspectorate.length ? ['inspectorate'] : [])] }
                    : { msg, to: inspectorate, cc: [], notified: ['inspectorate'] };
                }
                // no configured addresses: the coordinator is told rather than nobody
                return { msg, to: coordinators, cc: [], notified: ['coordinator'] };
              },
            });
          }
          return out;
        },
      );
    }

    // ---- 5. triage queue older than N working hours → the coordinator
    {
      const hours = config.PAKN_TRIAGE_REMIND_HOURS;
      const q = cond.triage(new Date(now.getTime() - hours * HOUR_MS));
      const found = await candidates(db, { where: q.find, at: cases.receivedAt });
      await sweep(
        'triage_stale',
        found,
        q.recheck,
        () => true,
        (c, _x, returned) => {
          const back = returned.get(c.id);
          const waitingSince = back && back > c.receivedAt ? back : c.receivedAt;
          const staleAt = addWorkingHours(cal, waitingSince, hours);
          if (now < staleAt) return [];
          return [
            {
              caseId: c.id,
              level: 'triage_stale',
              deadlineAt: staleAt,
              text: `${LEVEL_LABEL_VI.triage_stale} (chờ từ ${toLocalIso(waitingSince)}, quá ${hours} giờ làm việc).`,
              message: (c) => ({ msg: triageReminderMessage({ ...info(c), waitingSince, hours }), to: coordinators, cc: [], notified: ['coordinator'] }),
            },
          ];
        },
        true,
      );
    }

    // ---- 6. auto-close: resolved past the dispute window; awaiting_business past its limit
    await autoClose('resolved', cond.resolvedPastWindow(new Date(now.getTime() - DISPUTE_WINDOW_DAYS * DAY_MS)), now, cal, result, fail, site, signal);
    await autoClose('awaiting_business', cond.awaitingPastLimit(pausedBefore), now, cal, result, fail, site, signal);
    result.interrupted = !!signal?.aborted;

    try {
      await deps.chain.sealPending();
    } catch (err) {
      log.warn({ err }, 'sealing the timeline after escalation failed; the periodic sealer will retry');
    }
    result.ms = Date.now() - started;
    return result;
  }

  /** Auto-close goes through the workflow, one case per transaction, after the claim. */
  async function autoClose(
    from: 'resolved' | 'awaiting_business',
    q: { find: SQL; recheck: SQL },
    now: Date,
    cal: WorkingCalendar,
    result: EscalationResult,
    fail: (sweep: string, ids: number[], err: unknown) => void,
    site: SiteFooter,
    signal?: AbortSignal,
  ) {
    if (signal?.aborted) return;
    const found = await candidates(db, {
      where: q.find,
      at: from === 'resolved' ? cases.resolvedAt : cases.pausedAt,
      limit: from === 'resolved' ? undefined : sql`${cases.slaPolicy}->'awaitingBusinessLimit'`,
    });
    const ids = found
      .filter((x) => {
        if (from === 'resolved') return true;
        const d = asDuration(x.limit);
        return d !== null && isPastBy(cal, now, x.at, d);
      })
      .map((x) => x.id);
    if (ids.length === 0) return;
    const workflow = deps.workflow;
    const where = q.recheck;
    for (const id of ids) {
      if (signal?.aborted) return;
      try {
        const closed = await db.transaction(async (tx): Promise<boolean> => {
          const [c] = await lockCases(tx, [id], and(where, eq(cases.id, id))!);
          if (!c) return false;
          let deadlineAt: Date;
          if (from === 'resolved') {
            deadlineAt = disputeDeadline(c.resolvedAt!);
            if (now <= deadlineAt) return false;
          } else {
            const limit = frozenPolicy(c).awaitingBusinessLimit;
            if (!c.pausedAt || !isPastBy(cal, now, c.pausedAt, limit)) return false;
            deadlineAt = limitInstant(cal, c.pausedAt, limit);
          }
          const won = await claim(tx, [{ caseId: c.id, level: 'auto_close', deadlineAt }], now);
          if (won.length === 0) return false;
          if (c.email) {
            const why = from === 'resolved' ? 'dispute_window_over' : 'no_response_from_business';
            await enqueueMessages(
              tx,
              mailDomain,
              [{ template: `auto_close_${why}`, caseId: c.id, to: [c.email], ...autoCloseMessage({ trackingCode: c.trackingCode, title: c.title, why, baseUrl, site }) }],
              now,
            );
          }
          const label =
            from === 'resolved'
              ? `Tự động kết thúc: hết ${DISPUTE_WINDOW_DAYS} ngày để doanh nghiệp phản hồi kết quả`
              : `Tự động kết thúc: doanh nghiệp không bổ sung thông tin trong ${describeDuration(frozenPolicy(c).awaitingBusinessLimit)}`;
          await workflow.actInTx(tx, c.id, 'close', { kind: 'system', label }, from === 'awaiting_business' ? { reason: 'no_response_from_business' } : {});
          return true;
        });
        if (closed) {
          if (from === 'resolved') result.closedAfterDisputeWindow++;
          else result.closedNoResponse++;
        }
      } catch (err) {
        fail(`auto_close_${from}`, [id], err);
      }
    }
  }

  return {
    runEscalation,
    useLogger(l: Logger) {
      log = l;
    },
  };
}

function isDuration(d: Duration | null): d is Duration {
  return d !== null;
}

function maxInstant(ds: Date[], fallback: Date): Date {
  return ds.reduce((m, d) => (d > m ? d : m), fallback);
}

/** An instant after which no deadline can be "due soon" under `warn` (a bound, checked exactly per case). */
function horizonAfter(cal: WorkingCalendar, now: Date, warn: Duration): Date {
  if (warn.unit === 'calendar_days') return new Date(now.getTime() + (warn.amount + 1) * DAY_MS);
  const ms = warn.unit === 'working_days' ? warn.amount * cal.officeDayMs : warn.amount * HOUR_MS;
  return addWorkingMs(cal, now, ms + 60_000);
}

/** The least calendar time that any of these thresholds can take (working time never exceeds calendar time). */
function minCalendarMs(cal: WorkingCalendar, ds: Array<Duration | null>): number {
  const ms = ds.filter(isDuration).map((d) =>
    d.unit === 'calendar_days' ? Math.max(0, d.amount - 1) * DAY_MS : d.unit === 'working_days' ? d.amount * cal.officeDayMs : d.amount * HOUR_MS,
  );
  return ms.length ? Math.max(0, Math.min(...ms)) : 0;
}

/** The instant `limit` is reached counting from `since` (the deadline the awaiting case crossed). */
function limitInstant(cal: WorkingCalendar, since: Date, limit: Duration): Date {
  if (limit.unit === 'calendar_days') return new Date(since.getTime() + limit.amount * DAY_MS);
  const ms = limit.unit === 'working_days' ? limit.amount * cal.officeDayMs : limit.amount * HOUR_MS;
  return addWorkingMs(cal, since, ms);
}

export type EscalationService = ReturnType<typeof createEscalationService>;
