import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createWorkingCalendar, localDate, localDayOrdinal } from '../../src/domain/calendar.js';
import { generateYearTable } from '../../src/domain/holidays.js';
import { OFFICIAL_YEAR_TABLES } from '../../src/domain/calendar-data.js';
import { computeDeadlines, computeResolveDueAt, DEFAULT_SLA_POLICIES, findPolicy, type SlaPolicy } from '../../src/domain/sla.js';
import { at, show } from '../helpers/local-time.js';

const cal = createWorkingCalendar({ years: OFFICIAL_YEAR_TABLES, fallback: generateYearTable });
const policy = (kind: SlaPolicy['kind'], priority: SlaPolicy['priority']): SlaPolicy => findPolicy(DEFAULT_SLA_POLICIES, kind, priority)!;

function due(p: SlaPolicy, receivedAt: string, pauses: Array<[string, string]>): string {
  const input = { policy: p, receivedAt: at(receivedAt), pauses: pauses.map(([s, e]) => ({ start: at(s), end: at(e) })) };
  const full = computeDeadlines(cal, input);
  expect(computeResolveDueAt(cal, input).getTime()).toBe(full.resolveDueAt.getTime());
  return show(full.resolveDueAt);
}

describe('pause rule by_unit — default policies carry it', () => {
  it('every default policy counts pauses in its own unit', () => {
    for (const p of DEFAULT_SLA_POLICIES) expect(p.pauseRule).toBe('by_unit');
  });
});

describe('working-day deadlines: + the working days that ended while paused', () => {
  // phan_anh/normal: 10 working days; received Thu 12/02/2026 10:00 → 17:00 Thu 05/03/2026 (Tết 14–22/02)
  const p = policy('phan_anh', 'normal');
  const rec = '2026-02-12 10:00';
  it.each<[string, Array<[string, string]>, string]>([
    ['no pause', [], '2026-03-05 17:00'],
    ['an information request answered 2 seconds later', [['2026-03-02 10:00', '2026-03-02 10:00']], '2026-03-05 17:00'],
    ['paused and resumed the same day, 07:30–17:00', [['2026-03-02 07:30', '2026-03-02 17:00']], '2026-03-05 17:00'],
    ['paused Mon 10:00, resumed Wed 09:00: +2', [['2026-03-02 10:00', '2026-03-04 09:00']], '2026-03-09 17:00'],
    ['paused Mon 10:00, resumed Tue 07:00: +1', [['2026-03-02 10:00', '2026-03-03 07:00']], '2026-03-06 17:00'],
    ['paused Mon after the close (17:30), resumed Tue 07:30: +0', [['2026-03-02 17:30', '2026-03-03 07:30']], '2026-03-05 17:00'],
    ['paused Fri 16:00, resumed Mon 08:00: Friday only (+1)', [['2026-02-27 16:00', '2026-03-02 08:00']], '2026-03-06 17:00'],
    ['paused across Tết: Fri 13/02 10:00 → Mon 23/02 09:00, only 13/02 was a working day (+1)', [['2026-02-13 10:00', '2026-02-23 09:00']], '2026-03-06 17:00'],
    [
      'two pauses add up (+1 +2), a Tết-free week',
      [
        ['2026-02-24 09:00', '2026-02-25 10:00'],
        ['2026-03-02 10:00', '2026-03-04 09:00'],
      ],
      '2026-03-10 17:00',
    ],
  ])('%s', (_name, pauses, expected) => {
    expect(due(p, rec, pauses)).toBe(expected);
  });

  it('answers on the original deadline day stay on time: the deadline keeps its 17:00', () => {
    const d = computeDeadlines(cal, { policy: p, receivedAt: at(rec), pauses: [{ start: at('2026-03-05 09:00'), end: at('2026-03-05 09:00') }] });
    expect(show(d.resolveDueAt)).toBe('2026-03-05 17:00');
    expect(d.explanation.find((s) => s.kind === 'pause')?.text).toContain('hạn không đổi');
  });

  it('a policy frozen before the rule (no pauseRule) keeps adding office time', () => {
    const { pauseRule: _omit, ...old } = p;
    expect(due(old, rec, [['2026-03-02 10:00', '2026-03-02 10:00']])).toBe('2026-03-05 17:00');
    // 2 minutes of office time paused used to move 17:00 to 07:32 the next working day
    expect(due(old, rec, [['2026-03-02 10:00', '2026-03-02 10:02']])).toBe('2026-03-06 07:32');
    expect(due(p, rec, [['2026-03-02 10:00', '2026-03-02 10:02']])).toBe('2026-03-05 17:00');
  });
});

describe('an acceptance-started deadline: the pause credit counts from the acceptance too', () => {
  // khieu_nai/normal counts 30 days from thụ lý: accepted Wed 04/03/2026 10:00 → day 30 = Fri 03/04, 17:00
  const p = policy('khieu_nai', 'normal');
  const input = (pauses: Array<[string, string]>) => ({
    policy: p,
    receivedAt: at('2026-03-02 09:00'),
    acceptedAt: at('2026-03-04 10:00'),
    pauses: pauses.map(([s, e]) => ({ start: at(s), end: at(e) })),
  });
  it.each<[string, Array<[string, string]>, string]>([
    ['no pause', [], '2026-04-03 17:00'],
    // 05/03 and 06/03 ended while paused: day 32 = Sun 05/04 → Mon 06/04
    ['Thu 10:00 → Sat 09:00: +2', [['2026-03-05 10:00', '2026-03-07 09:00']], '2026-04-06 17:00'],
  ])('%s', (_name, pauses, expected) => {
    const full = computeDeadlines(cal, input(pauses));
    expect(computeResolveDueAt(cal, input(pauses)).getTime()).toBe(full.resolveDueAt.getTime());
    expect(show(full.resolveDueAt)).toBe(expected);
  });
});

describe('calendar-day deadlines: + the calendar days that ended while paused', () => {
  // 30 calendar days counted from receipt (khieu_nai/normal's period, as a receipt-started policy);
  // received Mon 02/03/2026 09:00 → day 30 = Wed 01/04/2026, 17:00
  const p: SlaPolicy = { ...policy('khieu_nai', 'normal'), resolutionStartsAt: 'receipt' };
  const rec = '2026-03-02 09:00';
  it.each<[string, Array<[string, string]>, string]>([
    ['no pause', [], '2026-04-01 17:00'],
    ['same day', [['2026-03-10 08:00', '2026-03-10 16:00']], '2026-04-01 17:00'],
    ['Tue 10:00 → Thu 09:00: +2', [['2026-03-10 10:00', '2026-03-12 09:00']], '2026-04-03 17:00'],
    ['Fri 10:00 → Mon 09:00: +3 (weekend days count), lands on Sat → Mon', [['2026-03-13 10:00', '2026-03-16 09:00']], '2026-04-06 17:00'],
    ['begun after the close, Tue 18:00 → Wed 08:00: +0', [['2026-03-10 18:00', '2026-03-11 08:00']], '2026-04-01 17:00'],
  ])('%s', (_name, pauses, expected) => {
    expect(due(p, rec, pauses)).toBe(expected);
  });
});

describe('working-hour deadlines: + the paused office time, whole minutes', () => {
  // a policy resolving within 16 working hours; received Mon 02/03/2026 08:00 → Wed 04/03 09:00 (7 h + 7 h 30 + 1 h 30)
  const p: SlaPolicy = { ...policy('phan_anh', 'urgent'), resolveWithin: { amount: 16, unit: 'working_hours' } };
  const rec = '2026-03-02 08:00';
  it.each<[string, Array<[string, string]>, string]>([
    ['no pause', [], '2026-03-04 09:00'],
    ['no time', [['2026-03-02 09:00', '2026-03-02 09:00']], '2026-03-04 09:00'],
    ['30 minutes', [['2026-03-02 09:00', '2026-03-02 09:30']], '2026-03-04 09:30'],
    ['over lunch and the night: 11:00 → next day 08:00 = 4 h 30 min of office time', [['2026-03-02 11:00', '2026-03-03 08:00']], '2026-03-04 15:30'],
  ])('%s', (_name, pauses, expected) => {
    expect(due(p, rec, pauses)).toBe(expected);
  });

  it('rounds the paused office time down to whole minutes', () => {
    const start = at('2026-03-02 09:00');
    const end = new Date(start.getTime() + 90_500); // 1 min 30.5 s
    const d = computeDeadlines(cal, { policy: p, receivedAt: at(rec), pauses: [{ start, end }] });
    expect(show(d.resolveDueAt)).toBe('2026-03-04 09:01');
    const short = computeDeadlines(cal, { policy: p, receivedAt: at(rec), pauses: [{ start, end: new Date(start.getTime() + 59_000) }] });
    expect(show(short.resolveDueAt)).toBe('2026-03-04 09:00');
    expect(d.pauseCredit).toEqual({ amount: 1 / 60, unit: 'working_hours' });
  });
});

const instantArb = fc.integer({ min: Date.parse('2025-01-01T00:00:00Z'), max: Date.parse('2026-12-01T00:00:00Z') }).map((ms) => new Date(ms));
const dayPolicyArb = fc.constantFrom(...DEFAULT_SLA_POLICIES.filter((p) => p.resolveWithin.unit !== 'working_hours'));

describe('pause rule properties', () => {
  it('a pause that begins and ends on the same day never changes a working-day or calendar-day deadline', () => {
    fc.assert(
      fc.property(dayPolicyArb, instantArb, instantArb, fc.integer({ min: 0, max: 86_399_999 }), (policy, receivedAt, startRaw, len) => {
        const start = startRaw;
        const end = new Date(start.getTime() + len);
        fc.pre(localDate(end) === localDate(start));
        const plain = computeResolveDueAt(cal, { policy, receivedAt });
        expect(computeResolveDueAt(cal, { policy, receivedAt, pauses: [{ start, end }] }).getTime()).toBe(plain.getTime());
        expect(computeDeadlines(cal, { policy, receivedAt, pauses: [{ start, end }] }).resolveDueAt.getTime()).toBe(plain.getTime());
      }),
      { numRuns: 400 },
    );
  });

  it('a pause shorter than a day adds at most one working day, and only when it spans a close of office and a midnight', () => {
    const wdPolicy = policy('phan_anh', 'normal');
    fc.assert(
      fc.property(instantArb, instantArb, fc.integer({ min: 0, max: 86_399_999 }), (receivedAt, start, len) => {
        const end = new Date(start.getTime() + len);
        const plain = computeDeadlines(cal, { policy: wdPolicy, receivedAt });
        const paused = computeDeadlines(cal, { policy: wdPolicy, receivedAt, pauses: [{ start, end }] });
        expect(paused.pauseCredit.amount).toBeLessThanOrEqual(1);
        if (localDayOrdinal(end) === localDayOrdinal(start)) expect(paused.pauseCredit.amount).toBe(0);
        const moved = localDayOrdinal(paused.resolveDueAt) - localDayOrdinal(plain.resolveDueAt);
        expect(moved >= 0).toBe(true);
        expect(show(paused.resolveDueAt).slice(11)).toBe('17:00');
      }),
      { numRuns: 400 },
    );
  });

  it('a working-day deadline always stays at the close of office, whatever the pauses', () => {
    fc.assert(
      fc.property(instantArb, fc.array(fc.tuple(instantArb, fc.integer({ min: 0, max: 20 * 86_400_000 })), { maxLength: 3 }), (receivedAt, ps) => {
        const pauses = ps.map(([s, len]) => ({ start: s, end: new Date(s.getTime() + len) }));
        const d = computeResolveDueAt(cal, { policy: policy('kien_nghi', 'complex'), receivedAt, pauses });
        expect(show(d).slice(11)).toBe('17:00');
      }),
      { numRuns: 300 },
    );
  });
});
