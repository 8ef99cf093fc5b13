/**
 * Monthly publication: compute a period's report in one snapshot, store it as an immutable
 * revision (exact JSON and CSV text, SHA-256 of the JSON, method version), tell the coordinator
 * and the provincial leadership by e-mail in the same transaction, and serve the stored text.
 */
import { and, asc, desc, eq } from 'drizzle-orm';
import type { Config } from '../../config.js';
import { alongside, type Db, type Executor } from '../../db/client.js';
import { agencies, reports } from '../../db/schema.js';
import { toLocalIso } from '../../domain/calendar.js';
import type { Clock } from '../../lib/clock.js';
import { canonicalJson, sha256Hex } from '../../lib/crypto.js';
import { Conflict, fieldError, isUniqueViolation, NotFound } from '../../lib/errors.js';
import type { Actor } from '../auth/service.js';
import type { ClockService } from '../clock/service.js';
import { enqueueMessages } from '../notifications/outbox.js';
import { reportPublishedMessage } from '../notifications/templates.js';
import { readSettings, readSiteInfo } from '../settings/repository.js';
import { parsePeriod, previousMonth, type Period } from './period.js';
import { computeReport, reportCsv, type Report } from './report.js';
import type { Checkpoint } from '../timeline/checkpoints.js';

export interface ReportServiceDeps {
  db: Db;
  clock: Clock;
  clockService: ClockService;
  config: Pick<Config, 'PAKN_REPORT_MIN_CELL' | 'PAKN_LEADERSHIP_EMAILS'>;
  baseUrl: string;
  mailDomain: string;
  /** signs the chain head that each published revision carries */
  checkpoints?: { checkpoint(opts?: { force?: boolean }): Promise<Checkpoint | null> };
}

export type ReportRow = typeof reports.$inferSelect;
export type ReportMeta = Omit<ReportRow, 'json' | 'csv'>;

const META = {
  id: reports.id,
  period: reports.period,
  revision: reports.revision,
  methodVersion: reports.methodVersion,
  contentHash: reports.contentHash,
  publishedAt: reports.publishedAt,
  publishedBy: reports.publishedBy,
};

export function periodOrThrow(text: string, field = 'period'): Period {
  const p = parsePeriod(text);
  if (!p) throw fieldError(field, `"${text}" is not a period: use YYYY-MM, YYYY-Qn, YYYY-H1, YYYY-H2 or YYYY (years 2000–2199)`);
  return p;
}

export function createReportService(deps: ReportServiceDeps) {
  const { db, clock, clockService, config } = deps;

  async function compute(ex: Executor, period: Period, now: Date, revision: number): Promise<Report> {
    const calendar = await clockService.loadCalendar(ex);
    return computeReport(ex, { alongside: (fn) => alongside(db, ex, fn), calendar, officeHours: clockService.officeHours, minCell: config.PAKN_REPORT_MIN_CELL }, period, now, revision);
  }

  /** Addresses told of a publication: the coordinators and the leadership (settings; the coordinator agency's contacts when no coordinator is set). */
  async function recipients(ex: Executor): Promise<string[]> {
    const s = await readSettings(ex);
    const coord = s.coordinatorEmails?.length
      ? s.coordinatorEmails
      : (await ex.select({ emails: agencies.contactEmails }).from(agencies).where(eq(agencies.kind, 'coordinator'))).flatMap((c) => c.emails);
    return [...new Set([...coord, ...(s.leadershipEmails ?? [])])];
  }

  /**
   * Publishes a period as its next revision. With onlyIfMissing, does nothing when a revision
   * exists (the scheduled run; safe with several instances: the unique (period, revision) index
   * decides, the loser retries and finds it published).
   */
  async function publish(
    periodText: string,
    opts: { actor?: Actor | null; onlyIfMissing?: boolean; note?: string | null } = {},
  ): Promise<{ published: boolean; report: ReportMeta }> {
    const period = periodOrThrow(periodText);
    const now = clock.now();
    if (now < period.end) {
      throw new Conflict(`The period ${period.period} is not over: it ends on ${period.to} and can be published from ${toLocalIso(period.end)}`, {
        period: period.period,
      });
    }
    // the chain head at publication, signed: the immutable revision pins the history up to it
    const cp = await deps.checkpoints?.checkpoint({ force: true });
    const chainHead = cp ? { n: cp.n, seq: cp.seq, hash: cp.hash, at: cp.at.toISOString(), signature: cp.signature } : null;
    for (let attempt = 1; ; attempt++) {
      try {
        return await db.transaction(
          async (tx) => {
            const [last] = await tx.select(META).from(reports).where(eq(reports.period, period.period)).orderBy(desc(reports.revision)).limit(1);
            if (last && opts.onlyIfMissing) return { published: false, report: last };
            const revision = (last?.revision ?? 0) + 1;
            const note = opts.note?.trim() ? opts.note.trim() : null;
            const report: Report = { ...(await compute(tx, period, now, revision)), ...(note ? { revisionNote: note } : {}), chainHead };
            const json = canonicalJson(report);
            const csv = reportCsv(report);
            const [row] = await tx
              .insert(reports)
              .values({
                period: period.period,
                revision,
                methodVersion: report.methodVersion,
                contentHash: sha256Hex(json),
                json,
                csv,
                publishedAt: now,
                publishedBy: opts.actor?.userId ?? null,
              })
              .returning(META);
            const to = await recipients(tx);
            await enqueueMessages(
              tx,
              deps.mailDomain,
              [
                {
                  template: 'report_published',
                  to,
                  ...reportPublishedMessage({
                    label: report.label,
                    period: report.period,
                    revision,
                    received: report.totals.received.total,
                    resolved: report.totals.resolved.total,
                    onTimeRate: report.totals.onTimeRate.value,
                    overdueAtEnd: report.totals.openAtPeriodEnd.overdue,
                    contentHash: row.contentHash,
                    url: `${deps.baseUrl}/bao-cao/${period.period}${revision > 1 ? `?revision=${revision}` : ''}`,
                    site: await readSiteInfo(tx),
                  }),
                },
              ],
              now,
            );
            return { published: true, report: row };
          },
          { isolationLevel: 'repeatable read' },
        );
      } catch (e) {
        if (isUniqueViolation(e) && attempt < 5) continue;
        throw e;
      }
    }
  }

  return {
    /** The figures of a period as of now, not stored (for staff). */
    async preview(periodText: string): Promise<Report> {
      const period = periodOrThrow(periodText);
      return db.transaction((tx) => compute(tx, period, clock.now(), 0), { isolationLevel: 'repeatable read' });
    },

    publish,

    /** The scheduled run on the 1st: the previous month, unless it is published already. */
    async publishPreviousMonthIfMissing(): Promise<{ period: string; published: boolean; revision: number }> {
      const period = previousMonth(clock.now());
      const r = await publish(period, { onlyIfMissing: true });
      return { period, published: r.published, revision: r.report.revision };
    },

    /**
     * Published periods, each with all its revisions: the latest end first, and for the same end
     * the shorter period first (March, then the first quarter, then the first half, then the year).
     */
    async list(): Promise<Array<{ period: string; latest: ReportMeta; revisions: ReportMeta[] }>> {
      const all = await db.select(META).from(reports).orderBy(asc(reports.period), asc(reports.revision));
      const out = new Map<string, ReportMeta[]>();
      for (const r of all) out.set(r.period, [...(out.get(r.period) ?? []), r]);
      const span = (p: Period) => p.end.getTime() - p.start.getTime();
      return [...out.entries()]
        .map(([period, revisions]) => ({ period, p: parsePeriod(period)!, latest: revisions[revisions.length - 1], revisions }))
        .sort((a, b) => b.p.end.getTime() - a.p.end.getTime() || span(a.p) - span(b.p))
        .map(({ period, latest, revisions }) => ({ period, latest, revisions }));
    },

    /** A stored revision (the latest when none is asked for). */
    async get(periodText: string, revision?: number): Promise<ReportRow> {
      const period = periodOrThrow(periodText);
      const where = revision == null ? eq(reports.period, period.period) : and(eq(reports.period, period.period), eq(reports.revision, revision));
      const [row] = await db.select().from(reports).where(where).orderBy(desc(reports.revision)).limit(1);
      if (!row) {
        throw new NotFound(
          revision == null ? `No report has been published for ${period.period}` : `Report ${period.period} has no revision ${revision}`,
        );
      }
      return row;
    },
  };
}

export type ReportService = ReturnType<typeof createReportService>;
