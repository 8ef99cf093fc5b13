/**
 * Khiếu nại and tố cáo: the resolution period counts from acceptance (thụ lý), Luật Khiếu nại 2011
 * Art. 28 and Luật Tố cáo 2018 Art. 30. Dates counted by hand on the official 2025–2026 calendars.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OFFICIAL_YEAR_TABLES } from '../../src/domain/calendar-data.js';
import { createWorkingCalendar } from '../../src/domain/calendar.js';
import { generateYearTable } from '../../src/domain/holidays.js';
import {
  computeAcceptDueAt,
  computeDeadlines,
  computeResolveDueAt,
  DEFAULT_SLA_POLICIES,
  findPolicy,
  resolutionStart,
  resolutionStartVi,
  type CaseKind,
  type DurationUnit,
  type Extension,
  type Priority,
  type SlaPolicy,
} from '../../src/domain/sla.js';
import { at, show } from '../helpers/local-time.js';

const cal = createWorkingCalendar({ years: OFFICIAL_YEAR_TABLES, fallback: generateYearTable });
const policy = (kind: CaseKind, priority: Priority): SlaPolicy => findPolicy(DEFAULT_SLA_POLICIES, kind, priority)!;

describe('default policies say where the resolution clock starts', () => {
  it('khiếu nại and tố cáo from acceptance, phản ánh and kiến nghị from receipt; a policy without the field from receipt', () => {
    for (const p of DEFAULT_SLA_POLICIES) {
      expect(p.resolutionStartsAt).toBe(p.kind === 'khieu_nai' || p.kind === 'to_cao' ? 'acceptance' : 'receipt');
    }
    const old: Partial<SlaPolicy> = { ...policy('khieu_nai', 'normal') };
    delete old.resolutionStartsAt;
    expect(resolutionStart(old)).toBe('receipt');
  });

  it('names the law', () => {
    expect(resolutionStartVi(policy('khieu_nai', 'complex'))).toContain('Luật Khiếu nại năm 2011, Điều 28');
    expect(resolutionStartVi(policy('to_cao', 'normal'))).toContain('Luật Tố cáo năm 2018, Điều 30');
    expect(resolutionStartVi(policy('phan_anh', 'normal'))).toBe('Thời hạn giải quyết tính từ ngày tiếp nhận.');
  });
});

/**
 * [case, kind, priority, received, accepted (null: not yet), accept deadline, resolution deadline, provisional]
 *
 * - Khiếu nại received Mon 2/2/2026 09:00: 10 working days → 3–6/2 (4), 9–13/2 (9), Tết 14–22/2 off,
 *   Mon 23/2 (10). Not accepted: provisional 23/2 + 30 = Wed 25/3. Accepted Wed 11/2 10:00, before
 *   Tết: 11/2 + 30 days = Fri 13/3 (Tết counts: calendar days).
 * - Khiếu nại phức tạp received Mon 9/3/2026 10:00: accept by Mon 23/3; provisional 23/3 + 45 = Thu 7/5.
 *   Accepted Mon 16/3 09:00: 16/3 + 45 = Thu 30/4 (Reunification Day), Fri 1/5 (Labour Day), then a
 *   weekend → Mon 4/5/2026.
 * - Tố cáo received Thu 5/2/2026 14:00: 7 working days → 6/2, 9–13/2 (6), Tết, Mon 23/2 (7). Accepted
 *   Thu 12/2 16:00: 12/2 + 30 = Sat 14/3 → Mon 16/3.
 * - Tố cáo received Mon 6/1/2025 09:00: accept by Wed 15/1/2025; accepted 15/1 10:00 (the last day):
 *   15/1 + 30 = Fri 14/2/2025 (Tết 25/1–2/2/2025 inside, counted). Provisional: the same day.
 * - Accepted outside office hours (Fri 13/3/2026 18:30) counts from the next opening, Mon 16/3:
 *   16/3 + 30 = Wed 15/4/2026.
 */
const TABLE: Array<[string, CaseKind, Priority, string, string | null, string, string, boolean]> = [
  ['khiếu nại, not accepted', 'khieu_nai', 'normal', '2026-02-02 09:00', null, '2026-02-23 17:00', '2026-03-25 17:00', true],
  ['khiếu nại accepted before Tết', 'khieu_nai', 'normal', '2026-02-02 09:00', '2026-02-11 10:00', '2026-02-23 17:00', '2026-03-13 17:00', false],
  ['khiếu nại phức tạp, not accepted', 'khieu_nai', 'complex', '2026-03-09 10:00', null, '2026-03-23 17:00', '2026-05-07 17:00', true],
  ['khiếu nại phức tạp, day 45 on 30/4', 'khieu_nai', 'complex', '2026-03-09 10:00', '2026-03-16 09:00', '2026-03-23 17:00', '2026-05-04 17:00', false],
  ['tố cáo, not accepted', 'to_cao', 'normal', '2026-02-05 14:00', null, '2026-02-23 17:00', '2026-03-25 17:00', true],
  ['tố cáo accepted before Tết', 'to_cao', 'normal', '2026-02-05 14:00', '2026-02-12 16:00', '2026-02-23 17:00', '2026-03-16 17:00', false],
  ['tố cáo 2025 accepted on the last day', 'to_cao', 'normal', '2025-01-06 09:00', '2025-01-15 10:00', '2025-01-15 17:00', '2025-02-14 17:00', false],
  ['tố cáo 2025, not accepted', 'to_cao', 'normal', '2025-01-06 09:00', null, '2025-01-15 17:00', '2025-02-14 17:00', true],
  ['khiếu nại accepted in the evening', 'khieu_nai', 'urgent', '2026-03-02 09:00', '2026-03-13 18:30', '2026-03-16 17:00', '2026-04-15 17:00', false],
  // phản ánh counts from receipt: the acceptance changes nothing (10 working days from 2/3/2026)
  ['phản ánh, acceptance ignored', 'phan_anh', 'normal', '2026-03-02 09:00', '2026-03-04 10:00', '2026-03-03 09:30', '2026-03-16 17:00', false],
];

describe('resolution deadline from acceptance, on real dates', () => {
  it.each(TABLE)('%s', (_name, kind, priority, received, accepted, acceptDue, resolveDue, provisional) => {
    const p = policy(kind, priority);
    const input = { policy: p, receivedAt: at(received), acceptedAt: accepted ? at(accepted) : null };
    const r = computeDeadlines(cal, input);
    expect(show(r.acceptDueAt)).toBe(acceptDue);
    expect(show(r.resolveDueAt)).toBe(resolveDue);
    expect(r.provisional).toBe(provisional);
    expect(computeResolveDueAt(cal, input).getTime()).toBe(r.resolveDueAt.getTime());
    const texts = r.explanation.map((s) => s.text).join(' ');
    if (kind === 'khieu_nai') expect(texts).toContain('Luật Khiếu nại năm 2011, Điều 28');
    if (kind === 'to_cao') expect(texts).toContain('Luật Tố cáo năm 2018, Điều 30');
    if (provisional) expect(r.explanation.at(-1)!.text).toMatch(/^Hạn giải quyết tạm tính \(muộn nhất, chưa thụ lý\)/);
    else expect(r.explanation.at(-1)!.text).toMatch(/^Hạn giải quyết: /);
  });

  it('says the 45th day falls on a holiday and moves it', () => {
    const r = computeDeadlines(cal, { policy: policy('khieu_nai', 'complex'), receivedAt: at('2026-03-09 10:00'), acceptedAt: at('2026-03-16 09:00') });
    const texts = r.explanation.map((s) => s.text);
    expect(texts).toContain('Ngày thứ 45 là thứ Năm 30/04/2026, không phải ngày làm việc; hạn chuyển sang thứ Hai 04/05/2026.');
    expect(texts.some((t) => t.includes('tính từ ngày sau ngày thụ lý (ngày thụ lý: thứ Hai 16/03/2026)'))).toBe(true);
  });

  it('a provisional deadline follows the acceptance deadline of the current assignment', () => {
    const p = policy('khieu_nai', 'normal');
    // assigned Wed 4/3/2026 10:00: accept by 18/3; provisional 18/3 + 30 = Fri 17/4
    const acceptDueAt = computeAcceptDueAt(cal, p, at('2026-03-04 10:00'));
    expect(show(acceptDueAt)).toBe('2026-03-18 17:00');
    expect(show(computeResolveDueAt(cal, { policy: p, receivedAt: at('2026-03-02 09:00'), acceptDueAt }))).toBe('2026-04-17 17:00');
  });

  it('tố cáo extended twice: each extension counts from the day of the deadline before it', () => {
    const p = policy('to_cao', 'complex');
    const exts: Extension[] = [
      { amount: 30, unit: 'calendar_days', reason: 'Vụ việc phức tạp', at: at('2025-02-10 09:00') },
      { amount: 30, unit: 'calendar_days', reason: 'Vụ việc đặc biệt phức tạp', at: at('2025-03-12 09:00') },
    ];
    const r = computeDeadlines(cal, { policy: p, receivedAt: at('2025-01-06 09:00'), acceptedAt: at('2025-01-15 10:00'), extensions: exts });
    // 14/2 + 30 = Sun 16/3 → Mon 17/3; 17/3 + 30 = Wed 16/4/2025
    expect(show(r.baseResolveDueAt)).toBe('2025-02-14 17:00');
    expect(show(r.resolveDueAt)).toBe('2025-04-16 17:00');
    expect(r.explanation.filter((s) => s.kind === 'extension').map((s) => s.text)).toEqual([
      'Gia hạn 30 ngày (lúc 09:00 thứ Hai 10/02/2025; lý do: Vụ việc phức tạp): hạn mới 17:00 thứ Hai 17/03/2025.',
      'Gia hạn 30 ngày (lúc 09:00 thứ Tư 12/03/2025; lý do: Vụ việc đặc biệt phức tạp): hạn mới 17:00 thứ Tư 16/04/2025.',
    ]);
  });

  it('an acceptance recorded before receipt (bad data) counts from receipt', () => {
    const p = policy('to_cao', 'normal');
    const a = computeResolveDueAt(cal, { policy: p, receivedAt: at('2026-03-02 09:00'), acceptedAt: at('2026-03-01 09:00') });
    const b = computeResolveDueAt(cal, { policy: p, receivedAt: at('2026-03-02 09:00'), acceptedAt: at('2026-03-02 09:00') });
    expect(a.getTime()).toBe(b.getTime());
  });
});

// ---------------------------------------------------------------------------
// Property: an acceptance-started resolution deadline never precedes the acceptance
// ---------------------------------------------------------------------------

const FROM = Date.parse('2024-09-01T00:00:00+07:00');
const TO = Date.parse('2027-03-31T00:00:00+07:00');
const DAY = 86_400_000;

describe('acceptance-started deadlines: properties', () => {
  it('never precede the acceptance; accepted in time, never pass the provisional latest deadline', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...DEFAULT_SLA_POLICIES.filter((p) => p.resolutionStartsAt === 'acceptance')),
        fc.constantFrom<DurationUnit>('calendar_days', 'working_days', 'working_hours'),
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: FROM, max: TO }),
        fc.integer({ min: 0, max: 40 * DAY }),
        (base, unit, amount, receivedMs, wait) => {
          const policy: SlaPolicy = { ...base, resolveWithin: { amount: unit === 'working_hours' ? amount * 4 : amount, unit } };
          const receivedAt = new Date(receivedMs);
          const acceptedAt = new Date(receivedMs + wait);
          const r = computeDeadlines(cal, { policy, receivedAt, acceptedAt });
          expect(r.provisional).toBe(false);
          expect(r.resolveDueAt.getTime()).toBeGreaterThanOrEqual(acceptedAt.getTime());
          expect(r.baseResolveDueAt.getTime()).toBeGreaterThanOrEqual(acceptedAt.getTime());
          expect(computeResolveDueAt(cal, { policy, receivedAt, acceptedAt }).getTime()).toBe(r.resolveDueAt.getTime());
          // accepted by the acceptance deadline: never later than the provisional latest deadline
          const provisional = computeResolveDueAt(cal, { policy, receivedAt });
          if (acceptedAt <= r.acceptDueAt) expect(r.resolveDueAt.getTime()).toBeLessThanOrEqual(provisional.getTime());
        },
      ),
      { numRuns: 400 },
    );
  });
});
