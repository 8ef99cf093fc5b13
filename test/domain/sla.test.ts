import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  createWorkingCalendar,
  isOfficePeriodEnd,
  isWorkingInstant,
  localDate,
  nextOpening,
  addWorkingMs,
  workingMsBetween,
} from '../../src/domain/calendar.js';
import { generateYearTable } from '../../src/domain/holidays.js';
import { OFFICIAL_YEAR_TABLES } from '../../src/domain/calendar-data.js';
import { at, show } from '../helpers/local-time.js';
import {
  addDuration,
  canExtend,
  CASE_KINDS,
  classifyOutcome,
  computeAcceptDueAt,
  computeDeadlines,
  computeResolveDueAt,
  DEFAULT_SLA_POLICIES,
  describeDuration,
  extendDeadline,
  findPolicy,
  isDueSoon,
  isPastBy,
  openState,
  PRIORITIES,
  type CaseKind,
  type Extension,
  type Pause,
  type Priority,
  type SlaPolicy,
} from '../../src/domain/sla.js';

const cal = createWorkingCalendar({ years: OFFICIAL_YEAR_TABLES, fallback: generateYearTable });
const H = 3_600_000;
const DAY = 86_400_000;


function policy(kind: CaseKind, priority: Priority): SlaPolicy {
  const p = findPolicy(DEFAULT_SLA_POLICIES, kind, priority);
  if (!p) throw new Error(`no policy ${kind}/${priority}`);
  return p;
}

describe('DEFAULT_SLA_POLICIES', () => {
  it('covers every kind × priority exactly once, version 1, generic', () => {
    expect(DEFAULT_SLA_POLICIES).toHaveLength(12);
    for (const k of CASE_KINDS) {
      for (const p of PRIORITIES) {
        const matches = DEFAULT_SLA_POLICIES.filter((x) => x.kind === k && x.priority === p);
        expect(matches).toHaveLength(1);
        expect(matches[0].version).toBe(1);
        expect(matches[0].categoryId ?? null).toBeNull();
      }
    }
  });

  it.each([
    ['phan_anh', 'urgent', '4 giờ làm việc', '1 ngày làm việc', 0, 0],
    ['kien_nghi', 'urgent', '4 giờ làm việc', '1 ngày làm việc', 0, 0],
    ['phan_anh', 'normal', '8 giờ làm việc', '10 ngày làm việc', 1, 10],
    ['kien_nghi', 'normal', '8 giờ làm việc', '10 ngày làm việc', 1, 10],
    ['phan_anh', 'complex', '8 giờ làm việc', '20 ngày làm việc', 1, 10],
    ['kien_nghi', 'complex', '8 giờ làm việc', '20 ngày làm việc', 1, 10],
    ['khieu_nai', 'urgent', '10 ngày làm việc', '30 ngày', 0, 0],
    ['khieu_nai', 'normal', '10 ngày làm việc', '30 ngày', 0, 0],
    ['khieu_nai', 'complex', '10 ngày làm việc', '45 ngày', 0, 0],
    ['to_cao', 'urgent', '7 ngày làm việc', '30 ngày', 2, 30],
    ['to_cao', 'normal', '7 ngày làm việc', '30 ngày', 2, 30],
    ['to_cao', 'complex', '7 ngày làm việc', '30 ngày', 2, 30],
  ] as const)('%s/%s: accept %s, resolve %s, extension %i × %i', (kind, prio, accept, resolve, maxCount, maxAmount) => {
    const p = policy(kind, prio);
    expect(describeDuration(p.acceptWithin)).toBe(accept);
    expect(describeDuration(p.resolveWithin)).toBe(resolve);
    expect(p.extension.maxCount).toBe(maxCount);
    expect(p.extension.maxAmount).toBe(maxAmount);
    expect(p.awaitingBusinessLimit).toEqual({ amount: 15, unit: 'working_days' });
    if (prio === 'urgent') {
      expect(p.warnBefore).toEqual({ amount: 2, unit: 'working_hours' });
      expect(p.overdueEscalateAfter).toEqual({ amount: 1, unit: 'working_days' });
    } else {
      expect(p.warnBefore).toEqual({ amount: 1, unit: 'working_days' });
      expect(p.overdueEscalateAfter).toEqual({ amount: 5, unit: 'working_days' });
    }
  });
});

describe('findPolicy', () => {
  const generic = policy('phan_anh', 'normal');
  const v2: SlaPolicy = { ...generic, version: 2, resolveWithin: { amount: 12, unit: 'working_days' } };
  const cat7: SlaPolicy = { ...generic, categoryId: 7, version: 1, resolveWithin: { amount: 5, unit: 'working_days' } };
  const cat7v3: SlaPolicy = { ...cat7, version: 3, resolveWithin: { amount: 6, unit: 'working_days' } };
  const all = [generic, cat7v3, v2, cat7];

  it('prefers the category-specific policy, highest version', () => {
    expect(findPolicy(all, 'phan_anh', 'normal', 7)).toBe(cat7v3);
  });
  it('falls back to the generic policy, highest version', () => {
    expect(findPolicy(all, 'phan_anh', 'normal', 8)).toBe(v2);
    expect(findPolicy(all, 'phan_anh', 'normal')).toBe(v2);
    expect(findPolicy(all, 'phan_anh', 'normal', null)).toBe(v2);
  });
  it('returns undefined when nothing matches', () => {
    expect(findPolicy(all, 'to_cao', 'normal')).toBeUndefined();
    expect(findPolicy([cat7], 'phan_anh', 'normal')).toBeUndefined();
  });
});

describe('describeDuration', () => {
  it.each([
    [{ amount: 10, unit: 'working_days' }, '10 ngày làm việc'],
    [{ amount: 30, unit: 'calendar_days' }, '30 ngày'],
    [{ amount: 4, unit: 'working_hours' }, '4 giờ làm việc'],
    [{ amount: 1.5, unit: 'working_hours' }, '1,5 giờ làm việc'],
  ] as const)('%j → %s', (d, text) => {
    expect(describeDuration(d)).toBe(text);
  });
});

describe('addDuration and computeAcceptDueAt', () => {
  it.each([
    ['2026-02-12 10:00', { amount: 10, unit: 'working_days' }, '2026-03-05 17:00'],
    ['2026-01-17 12:00', { amount: 30, unit: 'calendar_days' }, '2026-02-23 17:00'],
    ['2026-03-02 10:00', { amount: 4, unit: 'working_hours' }, '2026-03-02 16:00'],
    ['2026-03-06 16:00', { amount: 8, unit: 'working_hours' }, '2026-03-09 16:30'],
  ] as const)('%s + %j', (start, d, expected) => {
    expect(show(addDuration(cal, at(start), d))).toBe(expected);
  });

  it('rejects fractional day counts and unknown units', () => {
    expect(() => addDuration(cal, at('2026-03-02 10:00'), { amount: 1.5, unit: 'working_days' })).toThrow(RangeError);
    expect(() => addDuration(cal, at('2026-03-02 10:00'), { amount: 1, unit: 'weeks' as never })).toThrow(RangeError);
  });

  it.each([
    ['phan_anh', 'urgent', '2026-02-12 10:00', '2026-02-12 16:00'],
    ['phan_anh', 'normal', '2026-02-12 10:00', '2026-02-13 10:30'],
    ['kien_nghi', 'complex', '2026-02-13 16:00', '2026-02-23 16:30'],
    ['khieu_nai', 'normal', '2026-01-17 12:00', '2026-02-02 17:00'],
    ['to_cao', 'normal', '2026-02-12 10:00', '2026-03-02 17:00'],
  ] as const)('accept deadline %s/%s assigned %s', (kind, prio, assigned, expected) => {
    expect(show(computeAcceptDueAt(cal, policy(kind, prio), at(assigned)))).toBe(expected);
  });
});

describe('computeDeadlines: base deadlines on real dates', () => {
  it.each([
    ['phan_anh', 'normal', '2026-02-12 10:00', '2026-03-05 17:00'],
    ['phan_anh', 'normal', '2025-04-25 16:00', '2025-05-13 17:00'],
    ['phan_anh', 'urgent', '2026-02-12 10:00', '2026-02-13 17:00'],
    ['phan_anh', 'urgent', '2026-02-13 17:01', '2026-02-24 17:00'],
    ['kien_nghi', 'complex', '2026-02-12 10:00', '2026-03-19 17:00'],
    ['khieu_nai', 'normal', '2026-01-17 12:00', '2026-02-23 17:00'],
    ['khieu_nai', 'complex', '2026-01-17 12:00', '2026-03-05 17:00'],
    ['to_cao', 'urgent', '2025-03-31 10:00', '2025-05-05 17:00'],
    ['phan_anh', 'normal', '2025-12-31 17:30', '2026-01-16 17:00'],
  ] as const)('%s/%s received %s (policy counted from receipt, as frozen before the acceptance rule)', (kind, prio, received, expected) => {
    const input = { policy: { ...policy(kind, prio), resolutionStartsAt: 'receipt' as const }, receivedAt: at(received) };
    const r = computeDeadlines(cal, input);
    expect(show(r.baseResolveDueAt)).toBe(expected);
    expect(show(r.resolveDueAt)).toBe(expected);
    expect(computeResolveDueAt(cal, input).getTime()).toBe(r.resolveDueAt.getTime());
    expect(r.pausedWorkingMs).toBe(0);
  });

  it('moves the effective start to the next opening', () => {
    expect(show(computeDeadlines(cal, { policy: policy('phan_anh', 'normal'), receivedAt: at('2026-03-05 17:01') }).effectiveStart)).toBe(
      '2026-03-06 07:30',
    );
    expect(show(computeDeadlines(cal, { policy: policy('phan_anh', 'normal'), receivedAt: at('2026-03-05 12:00') }).effectiveStart)).toBe(
      '2026-03-05 13:30',
    );
    expect(show(computeDeadlines(cal, { policy: policy('phan_anh', 'normal'), receivedAt: at('2026-03-05 16:59') }).effectiveStart)).toBe(
      '2026-03-05 16:59',
    );
  });
});

/** A policy frozen before pause rules existed: a pause adds its office time. */
const legacy = (p: SlaPolicy): SlaPolicy => {
  const { pauseRule: _omit, ...rest } = p;
  return rest;
};

describe('pauses and extensions (policies frozen before the pause rule: office time)', () => {
  const p = legacy(policy('phan_anh', 'normal'));
  const receivedAt = at('2026-02-12 10:00'); // base: 2026-03-05 17:00

  it('a closed pause shifts the deadline by its office time', () => {
    const r = computeDeadlines(cal, { policy: p, receivedAt, pauses: [{ start: at('2026-02-24 09:00'), end: at('2026-02-25 10:00') }] });
    expect(r.pausedWorkingMs).toBe(8.5 * H);
    expect(show(r.resolveDueAt)).toBe('2026-03-09 08:30');
  });

  it('an open pause counts until now; without now it counts nothing', () => {
    const pauses: Pause[] = [{ start: at('2026-03-02 07:30'), end: null }];
    const r = computeDeadlines(cal, { policy: p, receivedAt, pauses, now: at('2026-03-03 17:00') });
    expect(r.pausedWorkingMs).toBe(15 * H);
    expect(show(r.resolveDueAt)).toBe('2026-03-09 17:00');
    expect(computeResolveDueAt(cal, { policy: p, receivedAt, pauses, now: at('2026-03-03 17:00') }).getTime()).toBe(
      r.resolveDueAt.getTime(),
    );
    const r0 = computeDeadlines(cal, { policy: p, receivedAt, pauses });
    expect(r0.pausedWorkingMs).toBe(0);
    expect(show(r0.resolveDueAt)).toBe('2026-03-05 17:00');
    expect(r0.explanation.find((s) => s.kind === 'pause')?.text).toMatch(/Đang tạm dừng/);
  });

  it('overlapping pauses are not counted twice', () => {
    const pauses: Pause[] = [
      { start: at('2026-03-02 07:30'), end: at('2026-03-02 17:00') },
      { start: at('2026-03-02 13:30'), end: at('2026-03-03 11:30') },
    ];
    const r = computeDeadlines(cal, { policy: p, receivedAt, pauses });
    expect(r.pausedWorkingMs).toBe(11.5 * H);
    expect(computeResolveDueAt(cal, { policy: p, receivedAt, pauses }).getTime()).toBe(r.resolveDueAt.getTime());
  });

  it('a pause outside office hours changes nothing', () => {
    const r = computeDeadlines(cal, { policy: p, receivedAt, pauses: [{ start: at('2026-02-27 17:00'), end: at('2026-03-02 07:30') }] });
    expect(r.pausedWorkingMs).toBe(0);
    expect(show(r.resolveDueAt)).toBe('2026-03-05 17:00');
  });

  it('extensions add working days from the deadline day', () => {
    const ext: Extension = { amount: 10, unit: 'working_days', reason: 'Cần xác minh thêm', at: at('2026-03-01 09:00') };
    const r = computeDeadlines(cal, { policy: p, receivedAt, extensions: [ext] });
    expect(show(r.resolveDueAt)).toBe('2026-03-19 17:00');
    expect(show(extendDeadline(cal, at('2026-03-05 17:00'), ext))).toBe('2026-03-19 17:00');
  });

  it('pauses apply before extensions', () => {
    const r = computeDeadlines(cal, {
      policy: p,
      receivedAt,
      pauses: [{ start: at('2026-02-24 09:00'), end: at('2026-02-25 10:00') }],
      extensions: [{ amount: 10, unit: 'working_days', reason: 'Cần xác minh thêm', at: at('2026-03-01 09:00') }],
    });
    expect(show(r.baseResolveDueAt)).toBe('2026-03-05 17:00');
    expect(show(r.resolveDueAt)).toBe('2026-03-23 17:00');
  });

  it('calendar-day extensions move to a working day', () => {
    const tc = policy('to_cao', 'normal');
    const received = at('2026-01-17 12:00'); // base 2026-02-23 17:00 (day 30 falls in Tết)
    const exts: Extension[] = [
      { amount: 30, unit: 'calendar_days', reason: 'Lần 2', at: at('2026-03-20 09:00') },
      { amount: 30, unit: 'calendar_days', reason: 'Lần 1', at: at('2026-02-20 09:00') },
    ];
    // accepted (thụ lý) at once: the 30 days count from the day after 17/1
    const r = computeDeadlines(cal, { policy: tc, receivedAt: received, acceptedAt: received, extensions: exts });
    // 23/2 + 30 = 25/3 (Wed); 25/3 + 30 = 24/4 (Fri)
    expect(show(r.resolveDueAt)).toBe('2026-04-24 17:00');
    expect(r.explanation.filter((s) => s.kind === 'extension').map((s) => s.data?.reason)).toEqual(['Lần 1', 'Lần 2']);
    // 24/4 + 3 days = 27/4 (compensatory day off) → 28/4
    expect(show(extendDeadline(cal, at('2026-04-24 17:00'), { amount: 3, unit: 'calendar_days' }))).toBe('2026-04-28 17:00');
  });
});

describe('explanation', () => {
  const p = policy('phan_anh', 'normal');

  it('tells the story in Vietnamese', () => {
    const r = computeDeadlines(cal, {
      policy: p,
      receivedAt: at('2026-02-12 16:30'),
      pauses: [{ start: at('2026-02-24 09:00'), end: at('2026-02-25 10:00') }],
      extensions: [{ amount: 10, unit: 'working_days', reason: 'Cần phối hợp liên ngành', at: at('2026-03-02 09:00') }],
    });
    const texts = r.explanation.map((s) => s.text);
    expect(r.explanation[0].kind).toBe('start');
    expect(texts[0]).toContain('Tiếp nhận lúc 16:30 thứ Năm 12/02/2026');
    expect(texts.some((t) => t.includes('10 ngày làm việc, tính từ ngày sau ngày tiếp nhận'))).toBe(true);
    const skips = r.explanation.filter((s) => s.kind === 'skip');
    expect(skips.map((s) => s.at)).toEqual(
      expect.arrayContaining(['2026-02-14', '2026-02-17', '2026-02-22', '2026-02-28', '2026-03-01']),
    );
    expect(skips.find((s) => s.at === '2026-02-17')?.text).toMatch(/Tết Nguyên đán/);
    expect(skips.find((s) => s.at === '2026-02-28')?.text).toMatch(/nghỉ hằng tuần/);
    const pause = r.explanation.find((s) => s.kind === 'pause');
    // Tuesday 24/02 ended while paused: one working day more (5/3 → 6/3), then 10 working days
    expect(pause?.text).toContain('1 ngày làm việc đã kết thúc trong thời gian tạm dừng');
    expect(pause?.text).toContain('17:00 thứ Sáu 06/03/2026');
    expect(pause?.data?.workingMs).toBe(8.5 * H);
    expect(r.explanation.find((s) => s.kind === 'extension')?.text).toContain('Cần phối hợp liên ngành');
    const last = r.explanation[r.explanation.length - 1];
    expect(last.kind).toBe('result');
    expect(last.text).toBe('Hạn giải quyết: 17:00 thứ Sáu 20/03/2026.');
    expect(last.at).toBe('2026-03-20T17:00:00+07:00');
  });

  it.each([
    ['2026-03-05 17:01', /sau giờ làm việc.*07:30 thứ Sáu 06\/03\/2026/],
    ['2026-03-05 12:00', /nghỉ giữa ca.*13:30 thứ Năm 05\/03\/2026/],
    ['2026-03-05 06:45', /trước giờ làm việc/],
    ['2026-03-08 10:00', /ngày nghỉ hằng tuần \(Chủ nhật\).*07:30 thứ Hai 09\/03\/2026/],
    ['2026-04-27 10:00', /ngày nghỉ lễ \(.*Hùng Vương.*\).*07:30 thứ Ba 28\/04\/2026/],
  ])('explains why receipt at %s was moved', (received, re) => {
    const r = computeDeadlines(cal, { policy: p, receivedAt: at(received) });
    expect(r.explanation[0].text).toMatch(re);
  });

  it('mentions the worked Saturday and the calendar-day move', () => {
    const r = computeDeadlines(cal, { policy: p, receivedAt: at('2025-04-25 16:00') });
    expect(r.explanation.some((s) => s.kind === 'rule' && s.at === '2025-04-26' && /làm việc/.test(s.text))).toBe(true);
    const k = computeDeadlines(cal, { policy: policy('khieu_nai', 'normal'), receivedAt: at('2026-01-17 12:00'), acceptedAt: at('2026-01-17 12:00') });
    expect(k.explanation.some((s) => /Ngày thứ 30 là thứ Tư 18\/02\/2026/.test(s.text))).toBe(true);
  });
});

describe('classifyOutcome and openState', () => {
  const due = at('2026-03-05 17:00');
  it.each([
    ['2026-03-04 16:00', 'early'],
    ['2026-03-05 00:00', 'on_time'],
    ['2026-03-05 08:00', 'on_time'],
    ['2026-03-05 17:00', 'on_time'],
    ['2026-03-06 08:00', 'late'],
  ] as const)('resolved %s → %s', (resolved, outcome) => {
    expect(classifyOutcome(at(resolved), due)).toBe(outcome);
  });

  it('one millisecond after the deadline is late', () => {
    expect(classifyOutcome(new Date(due.getTime() + 1), due)).toBe('late');
  });

  it('openState', () => {
    expect(openState(at('2026-03-05 16:59'), due)).toBe('within_deadline');
    expect(openState(due, due)).toBe('within_deadline');
    expect(openState(new Date(due.getTime() + 1), due)).toBe('overdue');
  });

  it('isDueSoon / isPastBy', () => {
    const warn = { amount: 1, unit: 'working_days' } as const;
    expect(isDueSoon(cal, at('2026-03-04 17:00'), due, warn)).toBe(true);
    expect(isDueSoon(cal, at('2026-03-04 16:59'), due, warn)).toBe(false);
    expect(isDueSoon(cal, at('2026-03-05 15:00'), due, { amount: 2, unit: 'working_hours' })).toBe(true);
    expect(isDueSoon(cal, at('2026-03-06 08:00'), due, warn)).toBe(false);
    const esc = { amount: 5, unit: 'working_days' } as const;
    expect(isPastBy(cal, at('2026-03-12 17:00'), due, esc)).toBe(true);
    expect(isPastBy(cal, at('2026-03-12 16:59'), due, esc)).toBe(false);
    expect(isPastBy(cal, at('2026-03-05 16:00'), due, esc)).toBe(false);
  });
});

describe('canExtend', () => {
  const used: Extension = { amount: 10, unit: 'working_days', reason: 'x', at: at('2026-03-01 09:00') };
  it.each([
    ['phan_anh', 'normal', [], { amount: 10, unit: 'working_days' }, true, ''],
    ['phan_anh', 'normal', [], { amount: 11, unit: 'working_days' }, false, /không quá 10 ngày làm việc/],
    ['phan_anh', 'normal', [used], { amount: 5, unit: 'working_days' }, false, /tối đa 1 lần/],
    ['phan_anh', 'normal', [], { amount: 5, unit: 'calendar_days' }, false, /ngày làm việc/],
    ['phan_anh', 'normal', [], { amount: 0, unit: 'working_days' }, false, /lớn hơn 0/],
    ['phan_anh', 'normal', [], { amount: 1.5, unit: 'working_days' }, false, /số nguyên/],
    ['phan_anh', 'urgent', [], { amount: 1, unit: 'working_days' }, false, /không được gia hạn/],
    ['khieu_nai', 'complex', [], { amount: 1, unit: 'calendar_days' }, false, /không được gia hạn/],
    ['to_cao', 'normal', [], { amount: 30, unit: 'calendar_days' }, true, ''],
    ['to_cao', 'normal', [{ ...used, unit: 'calendar_days', amount: 30 }], { amount: 30, unit: 'calendar_days' }, true, ''],
    [
      'to_cao',
      'normal',
      [
        { ...used, unit: 'calendar_days', amount: 30 },
        { ...used, unit: 'calendar_days', amount: 20 },
      ],
      { amount: 10, unit: 'calendar_days' },
      false,
      /tối đa 2 lần/,
    ],
  ] as const)('%s/%s with %j used, asking %j', (kind, prio, u, req, ok, reason) => {
    const r = canExtend(policy(kind, prio), [...u] as Extension[], req);
    expect(r.ok).toBe(ok);
    if (!r.ok) expect(r.reason).toMatch(reason as RegExp);
  });
});

// ---------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------

const FROM = Date.parse('2024-09-01T00:00:00+07:00');
const TO = Date.parse('2027-03-31T00:00:00+07:00');
const instantArb = fc.integer({ min: FROM, max: TO }).map((ms) => new Date(ms));
const policyArb = fc.tuple(fc.constantFrom(...DEFAULT_SLA_POLICIES), fc.boolean()).map(([p, old]) => (old ? legacy(p) : p));
const workingPolicyArb = fc.constantFrom(...DEFAULT_SLA_POLICIES.filter((p) => p.resolveWithin.unit !== 'calendar_days').map(legacy));

const extensionArb: fc.Arbitrary<Extension> = fc.record({
  amount: fc.integer({ min: 0, max: 30 }),
  unit: fc.constantFrom('working_days' as const, 'calendar_days' as const, 'working_hours' as const),
  reason: fc.constant('lý do'),
  at: instantArb,
});

const pauseArb: fc.Arbitrary<Pause> = fc
  .tuple(instantArb, fc.integer({ min: 0, max: 20 * DAY }), fc.boolean())
  .map(([s, len, open]) => ({ start: s, end: open ? null : new Date(s.getTime() + len) }));

describe('SLA properties', () => {
  it('a pause of P working hours moves the deadline by exactly P working hours', () => {
    fc.assert(
      fc.property(
        workingPolicyArb,
        instantArb,
        instantArb,
        fc.integer({ min: 1, max: 100 * 60 }),
        (policy, receivedAt, pauseStartRaw, minutes) => {
          const P = minutes * 60_000;
          const start = nextOpening(cal, pauseStartRaw);
          const end = addWorkingMs(cal, start, P);
          const r = computeDeadlines(cal, { policy, receivedAt, pauses: [{ start, end }] });
          expect(r.pausedWorkingMs).toBe(P);
          expect(workingMsBetween(cal, r.baseResolveDueAt, r.resolveDueAt)).toBe(P);
          expect(computeResolveDueAt(cal, { policy, receivedAt, pauses: [{ start, end }] }).getTime()).toBe(
            r.resolveDueAt.getTime(),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('deadlines are always working instants or office-period ends; fast path equals full path', () => {
    fc.assert(
      fc.property(
        policyArb,
        instantArb,
        fc.array(pauseArb, { maxLength: 3 }),
        fc.array(extensionArb, { maxLength: 2 }),
        instantArb,
        (policy, receivedAt, pauses, extensions, now) => {
          const input = { policy, receivedAt, pauses, extensions, now };
          const r = computeDeadlines(cal, input);
          for (const t of [r.acceptDueAt, r.baseResolveDueAt, r.resolveDueAt]) {
            expect(isWorkingInstant(cal, t) || isOfficePeriodEnd(cal, t)).toBe(true);
          }
          expect(r.resolveDueAt.getTime()).toBeGreaterThanOrEqual(r.baseResolveDueAt.getTime());
          expect(r.effectiveStart.getTime()).toBeGreaterThanOrEqual(receivedAt.getTime());
          expect(computeResolveDueAt(cal, input).getTime()).toBe(r.resolveDueAt.getTime());
          expect(r.explanation[r.explanation.length - 1].kind).toBe('result');
        },
      ),
      { numRuns: 300 },
    );
  });

  it('more working days never give an earlier deadline', () => {
    fc.assert(
      fc.property(
        workingPolicyArb,
        instantArb,
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 0, max: 20 }),
        fc.constantFrom('working_days' as const, 'calendar_days' as const),
        (base, receivedAt, n, k, unit) => {
          const a = { ...base, resolveWithin: { amount: n, unit } };
          const b = { ...base, resolveWithin: { amount: n + k, unit } };
          expect(computeResolveDueAt(cal, { policy: b, receivedAt }).getTime()).toBeGreaterThanOrEqual(
            computeResolveDueAt(cal, { policy: a, receivedAt }).getTime(),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('classifyOutcome agrees with openState and with local days', () => {
    fc.assert(
      fc.property(instantArb, instantArb, (resolved, due) => {
        const o = classifyOutcome(resolved, due);
        expect(o === 'late').toBe(openState(resolved, due) === 'overdue');
        if (o === 'early') expect(localDate(resolved) < localDate(due)).toBe(true);
        if (o === 'on_time') expect(localDate(resolved)).toBe(localDate(due));
      }),
      { numRuns: 300 },
    );
  });
});
