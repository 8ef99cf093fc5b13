/**
 * The read-only deadline views: a case's legal clock explained step by step (GET
 * /cases/{id}/sla), and the public calculator for a hypothetical case received at a given time.
 */
import type { z } from 'zod';
import type { Db } from '../../db/client.js';
import { dayInfo, localDayOrdinal, ordinalToDate, toLocalIso, type WorkingCalendar } from '../../domain/calendar.js';
import { OPEN_STATUSES } from '../../domain/lifecycle.js';
import {
  computeDeadlines,
  describeDuration,
  findPolicy,
  formatInstantVi,
  openState,
  resolutionStart,
  type DeadlineResult,
  type DurationUnit,
  type Extension,
  type SlaExplanationStep,
} from '../../domain/sla.js';
import type { Clock } from '../../lib/clock.js';
import { fieldError, NotFound, ServiceUnavailable } from '../../lib/errors.js';
import { isAgencyRole, type Actor } from '../auth/service.js';
import { explainCaseDeadline, frozenPolicy, isProvisional, type CaseRow } from '../cases/deadlines.js';
import { getCase } from '../cases/repository.js';
import { capitalize, describePolicyVi, summaryVi } from './explain-vi.js';
import * as repo from './repository.js';
import { KIND_LABEL_VI, MAX_EDIT_YEAR, MIN_EDIT_YEAR, PRIORITY_LABEL_VI, type publicDeadlineQuery } from './schemas.js';
import type { ClockService } from './service.js';

const iso = (d: Date) => toLocalIso(d);
const isoOrNull = (d: Date | null | undefined) => (d ? toLocalIso(d) : null);
const RESOLVED_STATES = ['resolved', 'closed'];

type PauseRow = Awaited<ReturnType<typeof repo.casePausesOf>>[number];
type ExtensionRow = Awaited<ReturnType<typeof repo.caseExtensionsOf>>[number];

/** The years from `from` to `to` and which of them use the generated (not yet official) table. */
function generatedYearsBetween(cal: WorkingCalendar, from: Date, to: Date): { years: Array<{ year: number; generated: boolean }>; generated: number[] } {
  const y0 = Number(ordinalToDate(localDayOrdinal(from)).slice(0, 4));
  const y1 = Number(ordinalToDate(localDayOrdinal(to)).slice(0, 4));
  const years: Array<{ year: number; generated: boolean }> = [];
  for (let y = y0; y <= Math.max(y0, y1); y++) years.push({ year: y, generated: dayInfo(cal, `${y}-01-01`).generated });
  return { years, generated: years.filter((y) => y.generated).map((y) => y.year) };
}

function caseSlaView(c: CaseRow, result: DeadlineResult, pauses: PauseRow[], extensions: ExtensionRow[], calendar: WorkingCalendar, now: Date) {
  const policy = frozenPolicy(c);
  const openPause = pauses.find((p) => p.endedAt == null) ?? null;
  const isOpen = (OPEN_STATUSES as readonly string[]).includes(c.status);
  const steps: Array<SlaExplanationStep | { kind: 'note'; text: string; at?: string; data?: Record<string, unknown> }> = [...result.explanation];
  const projected = result.resolveDueAt;
  if (!openPause && projected.getTime() !== c.resolveDueAt.getTime()) {
    steps.push({
      kind: 'note',
      text: RESOLVED_STATES.includes(c.status)
        ? `Hạn đã dùng để đánh giá kết quả là ${formatInstantVi(c.resolveDueAt)}, tính theo lịch làm việc tại thời điểm giải quyết; lịch làm việc đã thay đổi sau đó.`
        : `Hạn đang áp dụng cho vụ việc là ${formatInstantVi(c.resolveDueAt)}.`,
      at: iso(c.resolveDueAt),
    });
  }
  const provisional = isProvisional(c);
  if (c.status === 'assigned' && c.acceptDueAt) {
    steps.push({
      kind: 'note',
      text: `Lần phân công hiện tại${c.assignedAt ? ` (lúc ${formatInstantVi(c.assignedAt)})` : ''}: cơ quan được giao phải tiếp nhận trước ${formatInstantVi(c.acceptDueAt)}.`,
      at: iso(c.acceptDueAt),
    });
  }
  let state: 'within_deadline' | 'overdue' | 'early' | 'on_time' | 'late' | 'not_applicable';
  if (isOpen) state = openState(now, openPause ? projected : c.resolveDueAt);
  else if (c.outcome === 'early' || c.outcome === 'on_time' || c.outcome === 'late') state = c.outcome;
  else state = 'not_applicable';
  const STATE_VI: Record<typeof state, string> = {
    within_deadline: 'còn trong hạn',
    overdue: 'đã quá hạn',
    early: 'đã giải quyết trước hạn',
    on_time: 'đã giải quyết đúng hạn',
    late: 'đã giải quyết trễ hạn',
    not_applicable: 'đã kết thúc, không đánh giá thời hạn',
  };
  const due = openPause ? projected : c.resolveDueAt;
  const { generated } = generatedYearsBetween(calendar, c.receivedAt, due);
  const exts: Extension[] = extensions.map((e) => ({ amount: e.amount, unit: e.unit as DurationUnit, reason: e.reason, at: e.at }));
  const text = summaryVi({
    subject: `Vụ việc ${c.trackingCode} (${KIND_LABEL_VI[policy.kind] ?? policy.kind}, mức độ ${PRIORITY_LABEL_VI[policy.priority] ?? policy.priority})`,
    policy,
    calendar,
    result,
    pauses: true,
    extensions: exts,
    resultText:
      (openPause
        ? `Vụ việc đang tạm dừng chờ doanh nghiệp bổ sung thông tin từ ${formatInstantVi(openPause.startedAt)}; nếu tiếp tục ngay bây giờ, hạn giải quyết là ${formatInstantVi(projected)}.`
        : provisional
          ? `Hạn giải quyết tạm tính (muộn nhất, chưa thụ lý): ${formatInstantVi(c.resolveDueAt)}.`
          : `Hạn giải quyết: ${formatInstantVi(c.resolveDueAt)}.`) + ` Tình trạng: ${STATE_VI[state]}.`,
    acceptText: c.acceptDueAt && c.status === 'assigned' ? `Cơ quan được giao phải tiếp nhận trước ${formatInstantVi(c.acceptDueAt)}.` : '',
    generatedYears: isOpen ? generated : [],
  }).replace(/\s+/g, ' ').trim();
  return {
    caseId: c.id,
    trackingCode: c.trackingCode,
    status: c.status,
    policy: { ...policy, categoryId: policy.categoryId ?? null, resolutionStartsAt: resolutionStart(policy) },
    receivedAt: iso(c.receivedAt),
    effectiveStart: iso(result.effectiveStart),
    assignedAt: isoOrNull(c.assignedAt),
    acceptDueAt: isoOrNull(c.acceptDueAt),
    acceptedAt: isoOrNull(c.acceptedAt),
    firstAcceptedAt: isoOrNull(c.firstAcceptedAt),
    resolutionStartsAt: resolutionStart(policy),
    resolveDueProvisional: provisional,
    baseResolveDueAt: iso(result.baseResolveDueAt),
    resolveDueAt: iso(c.resolveDueAt),
    projectedResolveDueAt: iso(projected),
    pausedWorkingMs: result.pausedWorkingMs,
    pausedSince: isoOrNull(openPause?.startedAt),
    pauses: pauses.map((p) => ({ start: iso(p.startedAt), end: isoOrNull(p.endedAt) })),
    extensions: extensions.map((e) => ({
      amount: e.amount,
      unit: e.unit as DurationUnit,
      reason: e.reason,
      at: iso(e.at),
      previousDueAt: iso(e.previousDueAt),
      newDueAt: iso(e.newDueAt),
    })),
    extensionsUsed: c.extensionsUsed,
    extensionsAllowed: policy.extension?.maxCount ?? 0,
    resolvedAt: isoOrNull(c.resolvedAt),
    outcome: c.outcome,
    resolvedWithExtension: c.resolvedWithExtension,
    state,
    explanation: steps,
    text,
  };
}

export function createDeadlineService({ db, clock, clockService }: { db: Db; clock: Clock; clockService: Pick<ClockService, 'officeHours' | 'calendar' | 'policies'> }) {
  const officeHours = clockService.officeHours;

  return {
    /** A case's deadline explained; agency roles see only their own agency's cases (else 404). */
    async caseSla(id: number, actor: Actor) {
      const c = await getCase(db, id);
      if (!c || (isAgencyRole(actor.role) && c.agencyId !== actor.agencyId)) throw new NotFound(`Case ${id} does not exist`);
      const now = clock.now();
      const calendar = await clockService.calendar();
      const [result, pauses, extensions] = await Promise.all([
        explainCaseDeadline(db, c, calendar, now),
        repo.casePausesOf(db, id),
        repo.caseExtensionsOf(db, id),
      ]);
      return caseSlaView(c, result, pauses, extensions, calendar, now);
    },

    /** Deadlines of a hypothetical case received at `receivedAt`, under today's policies and calendar. */
    async publicDeadline(q: z.infer<typeof publicDeadlineQuery>) {
      const now = clock.now();
      let receivedAt = now;
      if (q.receivedAt) {
        const withOffset = /(Z|[+-]\d{2}:?\d{2})$/i.test(q.receivedAt) ? q.receivedAt : `${q.receivedAt}+07:00`;
        receivedAt = new Date(withOffset);
        if (Number.isNaN(receivedAt.getTime())) throw fieldError('receivedAt', 'is not a date and time');
      }
      const y = Number(ordinalToDate(localDayOrdinal(receivedAt)).slice(0, 4));
      if (y < MIN_EDIT_YEAR || y > MAX_EDIT_YEAR - 1) throw fieldError('receivedAt', `must be between ${MIN_EDIT_YEAR} and ${MAX_EDIT_YEAR - 1}`);
      const categoryId = q.categoryId ?? null;
      await repo.checkCategory(db, categoryId);
      const [calendar, policies] = await Promise.all([clockService.calendar(), clockService.policies()]);
      const policy = findPolicy(policies, q.kind, q.priority, categoryId);
      if (!policy) throw new ServiceUnavailable(`No SLA policy is in force for ${q.kind} × ${q.priority}`);
      let acceptedAt: Date | null = null;
      if (q.acceptedAt) {
        acceptedAt = new Date(q.acceptedAt);
        if (Number.isNaN(acceptedAt.getTime())) throw fieldError('acceptedAt', 'is not a date and time');
        if (acceptedAt < receivedAt) throw fieldError('acceptedAt', `must not be before receivedAt (${iso(receivedAt)})`);
        const ay = Number(ordinalToDate(localDayOrdinal(acceptedAt)).slice(0, 4));
        if (ay > MAX_EDIT_YEAR - 1) throw fieldError('acceptedAt', `must be before ${MAX_EDIT_YEAR}`);
      }
      // acceptedAt matters only where the resolution clock starts at acceptance
      const fromAcceptance = resolutionStart(policy) === 'acceptance';
      const result = computeDeadlines(calendar, { policy, receivedAt, acceptedAt: fromAcceptance ? acceptedAt : null });
      const { years, generated } = generatedYearsBetween(calendar, receivedAt, result.resolveDueAt);
      const subject = `${capitalize(KIND_LABEL_VI[q.kind])} (mức độ ${PRIORITY_LABEL_VI[q.priority]})`;
      const text = summaryVi({
        subject,
        policy,
        calendar,
        result,
        resultText: result.provisional
          ? `Hạn giải quyết tạm tính (muộn nhất, chưa thụ lý): ${formatInstantVi(result.resolveDueAt)}.`
          : `Hạn giải quyết: ${formatInstantVi(result.resolveDueAt)}.`,
        acceptText: fromAcceptance
          ? `Cơ quan có thẩm quyền phải thụ lý trong ${describeDuration(policy.acceptWithin)} kể từ ngày nhận, tức trước ${formatInstantVi(result.acceptDueAt)}${acceptedAt && acceptedAt > result.acceptDueAt ? '; thời điểm thụ lý đã cho muộn hơn hạn này' : ''}.`
          : `Nếu được chuyển ngay đến cơ quan xử lý, cơ quan đó phải tiếp nhận trong ${describeDuration(policy.acceptWithin)}, tức trước ${formatInstantVi(result.acceptDueAt)}.`,
        generatedYears: generated,
        tail: 'Thời gian chờ doanh nghiệp bổ sung thông tin không tính vào thời hạn; gia hạn (nếu có) được thông báo cho doanh nghiệp kèm lý do.',
      });
      return {
        receivedAt: iso(receivedAt),
        kind: q.kind,
        priority: q.priority,
        categoryId,
        policy: {
          version: policy.version,
          categorySpecific: policy.categoryId != null,
          acceptWithin: policy.acceptWithin,
          resolveWithin: policy.resolveWithin,
          extension: policy.extension,
          resolutionStartsAt: resolutionStart(policy),
          description: describePolicyVi(policy),
        },
        effectiveStart: iso(result.effectiveStart),
        acceptDueAt: iso(result.acceptDueAt),
        acceptedAt: acceptedAt ? iso(acceptedAt) : null,
        resolveDueAt: iso(result.resolveDueAt),
        resolveDueProvisional: result.provisional,
        calendar: { officeHours, years },
        explanation: result.explanation,
        text,
      };
    },
  };
}

export type DeadlineService = ReturnType<typeof createDeadlineService>;
