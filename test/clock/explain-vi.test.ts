/**
 * The Vietnamese explanations of the legal clock, without a database: a policy in one sentence,
 * the deadline paragraph (start, rule, days skipped, the move off a day off, the provisional
 * deadline before acceptance), and the timeline note of a deadline moved by a calendar edit.
 * Dates counted by hand on the official 2026 calendar.
 */
import { describe, expect, it } from 'vitest';
import { OFFICIAL_YEAR_TABLES } from '../../src/domain/calendar-data.js';
import { createWorkingCalendar, fromLocal } from '../../src/domain/calendar.js';
import { generateYearTable } from '../../src/domain/holidays.js';
import { computeDeadlines, DEFAULT_SLA_POLICIES, findPolicy, type CaseKind, type SlaPolicy } from '../../src/domain/sla.js';
import { capitalize, deadlinesMovedVi, describePolicyVi, summaryVi } from '../../src/features/clock/explain-vi.js';

const cal = createWorkingCalendar({ years: OFFICIAL_YEAR_TABLES, fallback: generateYearTable });
const policyOf = (kind: CaseKind): SlaPolicy => findPolicy(DEFAULT_SLA_POLICIES, kind, 'normal', null)!;

describe('describePolicyVi', () => {
  it('names every period of the policy in one sentence', () => {
    expect(describePolicyVi(policyOf('phan_anh'))).toBe(
      'Tiếp nhận trong 8 giờ làm việc; giải quyết trong 10 ngày làm việc; được gia hạn tối đa 1 lần, mỗi lần không quá 10 ngày làm việc; ' +
        'cảnh báo trước hạn 1 ngày làm việc; báo cáo lãnh đạo tỉnh khi quá hạn 5 ngày làm việc; ' +
        'đóng vụ việc khi doanh nghiệp không bổ sung thông tin sau 15 ngày làm việc; ' +
        'khi tạm dừng chờ doanh nghiệp, hạn lùi thêm số ngày làm việc đã kết thúc trong thời gian tạm dừng.',
    );
  });

  it('says when the period counts from acceptance, when no extension is allowed, and how a pause counts', () => {
    const khieuNai = describePolicyVi(policyOf('khieu_nai'));
    expect(khieuNai).toContain('giải quyết trong 30 ngày kể từ ngày thụ lý');
    expect(khieuNai).toContain('; không được gia hạn;');
    expect(khieuNai).toContain('hạn lùi thêm số ngày đã kết thúc trong thời gian tạm dừng.');
    const workingTime = describePolicyVi({ ...policyOf('phan_anh'), pauseRule: 'working_time' });
    expect(workingTime).toMatch(/; thời gian tạm dừng chờ doanh nghiệp được cộng vào hạn theo giờ làm việc\.$/);
  });
});

describe('summaryVi', () => {
  it('walks a working-day deadline across Tết: the rule, the weekend and holiday days skipped, the years not yet official', () => {
    const policy = policyOf('phan_anh');
    // received Thursday 12/02/2026 16:30: day 1 is Friday 13/02, Tết 14–22/02, days 2–6 are 23–27/02, the weekend 28/02–1/03, day 10 is Thursday 05/03
    const result = computeDeadlines(cal, { policy, receivedAt: fromLocal('2026-02-12', '16:30') });
    expect(result.resolveDueAt).toEqual(fromLocal('2026-03-05', '17:00'));
    const text = summaryVi({ subject: 'Phản ánh', policy, calendar: cal, result, acceptText: 'Tiếp nhận.', resultText: 'Kết quả.', generatedYears: [2027], tail: 'Cuối.' });
    expect(text).toBe(
      'Phản ánh tiếp nhận lúc 16:30 thứ Năm 12/02/2026. ' +
        'Thời hạn giải quyết là 10 ngày làm việc (chính sách phiên bản 1), tính từ ngày làm việc sau ngày tiếp nhận, kết thúc lúc hết giờ làm việc (17:00) của ngày làm việc thứ 10. ' +
        'Không tính 2 ngày nghỉ hằng tuần (thứ Bảy, Chủ nhật) và 9 ngày nghỉ lễ, Tết: 14/02/2026–22/02/2026 (Nghỉ Tết Nguyên đán Bính Ngọ). ' +
        'Kết quả. Tiếp nhận. Được gia hạn tối đa 1 lần, mỗi lần không quá 10 ngày làm việc. ' +
        'Lịch nghỉ năm 2027 chưa được cập nhật theo thông báo chính thức của Chính phủ; hạn đang tính theo các ngày nghỉ lễ của Bộ luật Lao động và có thể thay đổi khi lịch chính thức được nhập. ' +
        'Cuối.',
    );
  });

  it('moves a calendar-day deadline off a holiday, and starts an out-of-hours receipt at the next opening', () => {
    const policy = policyOf('khieu_nai');
    // accepted Tuesday 31/03/2026: day 30 is Thursday 30/04 (holiday), then 1/05 (holiday) and the weekend, so Monday 04/05
    const result = computeDeadlines(cal, { policy, receivedAt: fromLocal('2026-03-28', '10:00'), acceptedAt: fromLocal('2026-03-31', '09:00') });
    expect(result.resolveDueAt).toEqual(fromLocal('2026-05-04', '17:00'));
    const text = summaryVi({ subject: 'Khiếu nại', policy, calendar: cal, result, acceptText: '', resultText: 'Kết quả.', generatedYears: [] });
    expect(text).toContain('Khiếu nại tiếp nhận lúc 10:00 thứ Bảy 28/03/2026, ngoài giờ làm việc nên được tính là tiếp nhận lúc 07:30 thứ Hai 30/03/2026.');
    expect(text).toContain('tính từ ngày sau ngày thụ lý, kết thúc lúc hết giờ làm việc (17:00) của ngày thứ 30; nếu ngày đó là ngày nghỉ thì chuyển sang ngày làm việc tiếp theo.');
    expect(text).toContain('Ngày thụ lý: thứ Ba 31/03/2026.');
    expect(text).toContain(
      'Ngày thứ 30 là thứ Năm 30/04/2026, ngày nghỉ lễ (Ngày Giải phóng miền Nam, thống nhất đất nước (30/4)), nên hạn chuyển sang ngày làm việc tiếp theo.',
    );
    expect(text).not.toContain('Không tính');
    expect(text).not.toContain('Lịch nghỉ năm');
    expect(text.endsWith('Kết quả.  Không được gia hạn.')).toBe(true);
  });

  it('before acceptance, explains the provisional latest deadline from the end of the acceptance period', () => {
    const policy = policyOf('khieu_nai');
    const result = computeDeadlines(cal, { policy, receivedAt: fromLocal('2026-03-28', '10:00') });
    const text = summaryVi({ subject: 'Khiếu nại', policy, calendar: cal, result, acceptText: '', resultText: '', generatedYears: [] });
    expect(text).toContain(
      'Chưa thụ lý: hạn tiếp nhận là 17:00 thứ Hai 13/04/2026, nên hạn giải quyết tạm tính muộn nhất (nếu thụ lý vào ngày cuối của hạn tiếp nhận) được tính từ ngày sau thứ Hai 13/04/2026; hạn chính thức được tính khi thụ lý.',
    );
  });
});

describe('deadlinesMovedVi', () => {
  const from = fromLocal('2026-02-12', '17:00');
  const to = fromLocal('2026-02-13', '17:00');

  it('names the year edited, and the return to the Labour Code defaults on a reset', () => {
    expect(deadlinesMovedVi({ year: 2026, reset: false, resolve: { from, to } })).toBe(
      'Hạn giải quyết được điều chỉnh từ 17:00 thứ Năm 12/02/2026 thành 17:00 thứ Sáu 13/02/2026 do lịch làm việc năm 2026 thay đổi.',
    );
    expect(deadlinesMovedVi({ year: 2026, reset: true, accept: { from, to } })).toBe(
      'Hạn tiếp nhận của cơ quan xử lý được điều chỉnh từ 17:00 thứ Năm 12/02/2026 thành 17:00 thứ Sáu 13/02/2026 ' +
        'do lịch làm việc năm 2026 thay đổi (trở về lịch nghỉ mặc định theo Bộ luật Lao động).',
    );
  });

  it('puts the resolution deadline before the acceptance deadline when both moved', () => {
    const text = deadlinesMovedVi({ year: 2026, reset: false, resolve: { from, to }, accept: { from, to } });
    expect(text.indexOf('Hạn giải quyết')).toBe(0);
    expect(text).toContain('. Hạn tiếp nhận của cơ quan xử lý');
  });
});

describe('capitalize', () => {
  it('upper-cases the first letter only', () => {
    expect(capitalize('khiếu nại')).toBe('Khiếu nại');
    expect(capitalize('')).toBe('');
  });
});
