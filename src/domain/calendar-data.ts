/**
 * Official days off for 2025 and 2026 (Government decisions on top of the
 * Labour Code), to be seeded into the database. Every date is listed
 * explicitly, including weekend days inside a holiday range.
 */
import type { YearTable } from './calendar-types.js';

export const OFFICIAL_2025: YearTable = {
  year: 2025,
  holidays: [
    { date: '2025-01-01', name: 'Tết Dương lịch' },
    { date: '2025-01-25', name: 'Nghỉ Tết Nguyên đán Ất Tỵ' },
    { date: '2025-01-26', name: 'Nghỉ Tết Nguyên đán Ất Tỵ' },
    { date: '2025-01-27', name: 'Nghỉ Tết Nguyên đán Ất Tỵ' },
    { date: '2025-01-28', name: 'Nghỉ Tết Nguyên đán Ất Tỵ' },
    { date: '2025-01-29', name: 'Nghỉ Tết Nguyên đán Ất Tỵ' },
    { date: '2025-01-30', name: 'Nghỉ Tết Nguyên đán Ất Tỵ' },
    { date: '2025-01-31', name: 'Nghỉ Tết Nguyên đán Ất Tỵ' },
    { date: '2025-02-01', name: 'Nghỉ Tết Nguyên đán Ất Tỵ' },
    { date: '2025-02-02', name: 'Nghỉ Tết Nguyên đán Ất Tỵ' },
    { date: '2025-04-07', name: 'Giỗ Tổ Hùng Vương (10/3 âm lịch)' },
    { date: '2025-04-30', name: 'Ngày Giải phóng miền Nam, thống nhất đất nước (30/4)' },
    { date: '2025-05-01', name: 'Ngày Quốc tế Lao động (1/5)' },
    { date: '2025-05-02', name: 'Nghỉ hoán đổi dịp 30/4–1/5 (làm bù thứ Bảy 26/4/2025)' },
    { date: '2025-05-03', name: 'Nghỉ lễ 30/4–1/5' },
    { date: '2025-05-04', name: 'Nghỉ lễ 30/4–1/5' },
    { date: '2025-08-30', name: 'Nghỉ lễ Quốc khánh (2/9)' },
    { date: '2025-08-31', name: 'Nghỉ lễ Quốc khánh (2/9)' },
    { date: '2025-09-01', name: 'Nghỉ lễ Quốc khánh (2/9)' },
    { date: '2025-09-02', name: 'Nghỉ lễ Quốc khánh (2/9)' },
  ],
  workingSaturdays: [{ date: '2025-04-26', name: 'Làm bù cho ngày nghỉ thứ Sáu 02/05/2025' }],
  generated: false,
};

export const OFFICIAL_2026: YearTable = {
  year: 2026,
  holidays: [
    { date: '2026-01-01', name: 'Tết Dương lịch' },
    { date: '2026-02-14', name: 'Nghỉ Tết Nguyên đán Bính Ngọ' },
    { date: '2026-02-15', name: 'Nghỉ Tết Nguyên đán Bính Ngọ' },
    { date: '2026-02-16', name: 'Nghỉ Tết Nguyên đán Bính Ngọ' },
    { date: '2026-02-17', name: 'Nghỉ Tết Nguyên đán Bính Ngọ' },
    { date: '2026-02-18', name: 'Nghỉ Tết Nguyên đán Bính Ngọ' },
    { date: '2026-02-19', name: 'Nghỉ Tết Nguyên đán Bính Ngọ' },
    { date: '2026-02-20', name: 'Nghỉ Tết Nguyên đán Bính Ngọ' },
    { date: '2026-02-21', name: 'Nghỉ Tết Nguyên đán Bính Ngọ' },
    { date: '2026-02-22', name: 'Nghỉ Tết Nguyên đán Bính Ngọ' },
    { date: '2026-04-26', name: 'Giỗ Tổ Hùng Vương (10/3 âm lịch)' },
    { date: '2026-04-27', name: 'Nghỉ bù Giỗ Tổ Hùng Vương (10/3 âm lịch trùng Chủ nhật 26/4)' },
    { date: '2026-04-30', name: 'Ngày Giải phóng miền Nam, thống nhất đất nước (30/4)' },
    { date: '2026-05-01', name: 'Ngày Quốc tế Lao động (1/5)' },
    { date: '2026-08-29', name: 'Nghỉ lễ Quốc khánh (2/9)' },
    { date: '2026-08-30', name: 'Nghỉ lễ Quốc khánh (2/9)' },
    { date: '2026-08-31', name: 'Nghỉ lễ Quốc khánh (2/9)' },
    { date: '2026-09-01', name: 'Nghỉ lễ Quốc khánh (2/9)' },
    { date: '2026-09-02', name: 'Nghỉ lễ Quốc khánh (2/9)' },
  ],
  workingSaturdays: [],
  generated: false,
};

export const OFFICIAL_YEAR_TABLES: YearTable[] = [OFFICIAL_2025, OFFICIAL_2026];
