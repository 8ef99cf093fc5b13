import { describe, expect, it } from 'vitest';
import { fromLocal, HOUR_MS } from '../../src/domain/calendar.js';
import {
  acceptReminderMessage,
  answerPublishedMessage,
  assignmentMessage,
  autoCloseMessage,
  dueSoonMessage,
  footerLines,
  infoRequestMessage,
  mergedAnswerMessage,
  overdueMessage,
  receiptMessage,
  reportPublishedMessage,
  seriousOverdueMessage,
  staffMailCase,
  triageReminderMessage,
  workingTimeVi,
  type Rendered,
} from '../../src/features/notifications/templates.js';

const base = 'https://pakn.bacninh.gov.vn/';
const code = 'PAKN.20260302.0007';
const link = `https://pakn.bacninh.gov.vn/tra-cuu?ma=${encodeURIComponent(code)}`;
const title = 'Chậm cấp phép <script>alert(1)</script> & "xưởng"';
const due = fromLocal('2026-03-16', '17:00');
const site = { provinceName: 'tỉnh Bắc Ninh', hotline: '0222 3 822 000', officeAddress: 'Trung tâm Phục vụ hành chính công tỉnh, phường Kinh Bắc, tỉnh Bắc Ninh' };
const DAY = 7.5 * HOUR_MS; // 07:30-11:30, 13:30-17:00
const mailCase = staffMailCase({ title, kind: 'phan_anh', confidential: false, consentPublishName: false, businessName: null, contactName: null, taxCode: null, phone: null, email: null });
const staff = { ...mailCase, caseId: 42, trackingCode: code, agencyName: 'Sở Xây dựng', resolveDueAt: due, baseUrl: base, site };
const overdue72 = { overdueMs: 72 * DAY + 6 * HOUR_MS + 40 * 60_000, officeDayMs: DAY };

const business: Array<[string, Rendered]> = [
  ['receipt', receiptMessage({ trackingCode: code, accessKey: 'K7QM-4XRP-9TWD', title, dueAt: due, baseUrl: base, site })],
  ['info request', infoRequestMessage({ trackingCode: code, title, question: 'Đề nghị gửi bản vẽ mặt bằng tổng thể.', agencyName: 'Sở Xây dựng', replyWithin: '15 ngày làm việc', baseUrl: base, site })],
  ['answer', answerPublishedMessage({ trackingCode: code, title, answer: 'Sở đã cấp giấy phép xây dựng số 12/GPXD ngày 10/03/2026.', agencyName: 'Sở Xây dựng', disputeUntil: due, baseUrl: base, site })],
  ['auto close', autoCloseMessage({ trackingCode: code, title, why: 'no_response_from_business', baseUrl: base, site })],
  ['merged answer', mergedAnswerMessage({ trackingCode: code, title, keptTrackingCode: 'PAKN.20260301.0003', answer: 'Đã cấp phép.', agencyName: 'Sở Xây dựng', baseUrl: base, site })],
];
const staffMails: Array<[string, Rendered]> = [
  ['assignment', assignmentMessage({ ...mailCase, trackingCode: code, agencyName: 'Sở Xây dựng', acceptDueAt: fromLocal('2026-03-03', '09:30'), resolveDueAt: due, baseUrl: base, site })],
  ['due soon', dueSoonMessage({ ...staff, statusLabel: 'Cơ quan đang xử lý' })],
  ['accept reminder', acceptReminderMessage({ ...staff, acceptDueAt: fromLocal('2026-03-03', '09:30') })],
  ['overdue', overdueMessage({ ...staff, ...overdue72 })],
  ['overdue, unassigned', overdueMessage({ ...staff, agencyName: null, ...overdue72 })],
  ['serious', seriousOverdueMessage({ ...staff, ...overdue72, thresholdLabel: '5 ngày làm việc' })],
  ['serious, unassigned', seriousOverdueMessage({ ...staff, agencyName: null, ...overdue72, thresholdLabel: '5 ngày làm việc' })],
  ['triage', triageReminderMessage({ ...staff, agencyName: null, waitingSince: fromLocal('2026-03-02', '09:00'), hours: 4 })],
];
const report = reportPublishedMessage({
  label: 'tháng 10/2026',
  period: '2026-10',
  revision: 2,
  received: 120,
  resolved: 100,
  onTimeRate: 0.875,
  overdueAtEnd: 3,
  contentHash: 'ab'.repeat(32),
  url: `${base}bao-cao/2026-10`,
  site,
});
const all: Array<[string, Rendered]> = [...business, ...staffMails, ['report published', report]];

const links = (m: Rendered) => [...m.html.matchAll(/href="([^"]*)"/g)].map((x) => x[1].replace(/&amp;/g, '&'));
const urls = (m: Rendered) => m.text.match(/https?:\/\/\S+/g) ?? [];

describe('e-mail templates', () => {
  it.each(all)('%s: Vietnamese, escaped HTML, footer with the province, hotline and address', (_name, m) => {
    expect(m.html).toMatch(/^<!doctype html><html lang="vi">/);
    expect(m.html).not.toContain('<script>');
    for (const s of [m.subject, m.text, m.html]) expect(s).not.toMatch(/undefined|null|NaN|\[object/);
    expect(m.text).toContain('Tổ phản ứng nhanh hỗ trợ doanh nghiệp tỉnh Bắc Ninh');
    expect(m.text).toContain('Đường dây nóng: 0222 3 822 000');
    expect(m.text).toContain('Địa chỉ: Trung tâm Phục vụ hành chính công tỉnh, phường Kinh Bắc, tỉnh Bắc Ninh');
    expect(m.html).toContain('Đường dây nóng: 0222 3 822 000');
  });

  it.each([...business, ...staffMails])('%s: the subject carries the tracking code, the body what the title says (escaped in HTML)', (_name, m) => {
    expect(m.subject).toContain(code);
    expect(m.text).toContain(title);
    expect(m.html).toContain('&lt;script&gt;');
  });

  it.each(business)('%s: the business gets the public tracking page, a link a browser opens', (_name, m) => {
    expect(m.text).toContain(link);
    expect(m.html).toContain(link.replace(/&/g, '&amp;'));
    for (const u of [...links(m), ...urls(m)]) expect(u).toMatch(/^https:\/\/pakn\.bacninh\.gov\.vn\/tra-cuu\?ma=/);
  });

  it.each(staffMails)('%s: staff mail links to nothing a browser cannot open; it gives the code and what to do', (_name, m) => {
    expect(links(m)).toEqual([]);
    expect(m.text).not.toContain('/api/');
    expect(m.text).not.toContain('API cán bộ');
    expect(m.text).toMatch(new RegExp(`mã ${code.replace(/\./g, '\\.')}`));
  });

  it.each(all)('%s: no "(chưa phân công)" where an agency name belongs', (_name, m) => {
    expect(m.subject + m.text).not.toMatch(/\(chưa phân công\)|— chưa phân công|lãnh đạo đơn vị và/);
  });

  it('overdue time reads in whole working days and hours', () => {
    const m = staffMails.find(([n]) => n === 'overdue')![1];
    expect(m.subject).toBe(`[${code}] Quá hạn trả lời — Sở Xây dựng`);
    expect(m.text).toContain('Kính gửi lãnh đạo Sở Xây dựng và Tổ phản ứng nhanh,');
    expect(m.text).toContain('đã quá hạn trả lời doanh nghiệp 72 ngày 6 giờ làm việc (hạn: 17:00 ngày 16/03/2026)');
    expect(m.text).not.toMatch(/\d,\d+ ngày/);
    const s = staffMails.find(([n]) => n === 'serious')![1];
    expect(s.subject).toBe(`[${code}] Quá hạn nghiêm trọng (72 ngày 6 giờ làm việc) — Sở Xây dựng`);
    expect(s.text).toContain('do Sở Xây dựng xử lý đã quá hạn trả lời doanh nghiệp 72 ngày 6 giờ làm việc, vượt ngưỡng 5 ngày làm việc');
  });

  it('an unassigned case is worded as such, to the coordinators', () => {
    const m = staffMails.find(([n]) => n === 'overdue, unassigned')![1];
    expect(m.subject).toBe(`[${code}] Quá hạn trả lời — hồ sơ chưa được phân công`);
    expect(m.text).toContain('Kính gửi Tổ phản ứng nhanh,');
    expect(m.text).toContain('chưa được phân công cho cơ quan xử lý và đã quá hạn trả lời doanh nghiệp 72 ngày 6 giờ làm việc');
    const s = staffMails.find(([n]) => n === 'serious, unassigned')![1];
    expect(s.subject).toBe(`[${code}] Quá hạn nghiêm trọng (72 ngày 6 giờ làm việc) — hồ sơ chưa được phân công`);
    expect(s.text).toContain(`Hồ sơ ${code} "${title}" chưa được phân công cho cơ quan xử lý đã quá hạn`);
  });

  it('workingTimeVi: whole days and hours of the office day, never a fraction', () => {
    expect(workingTimeVi(0, DAY)).toBe('dưới 1 giờ làm việc');
    expect(workingTimeVi(59 * 60_000, DAY)).toBe('dưới 1 giờ làm việc');
    expect(workingTimeVi(3 * HOUR_MS, DAY)).toBe('3 giờ làm việc');
    expect(workingTimeVi(DAY, DAY)).toBe('1 ngày làm việc');
    expect(workingTimeVi(DAY + 7 * HOUR_MS + 29 * 60_000, DAY)).toBe('1 ngày 7 giờ làm việc');
    expect(workingTimeVi(19.3 * DAY, DAY)).toBe('19 ngày 2 giờ làm việc');
    expect(workingTimeVi(-5, DAY)).toBe('dưới 1 giờ làm việc');
  });

  it('deadlines are in Hà Nội time; answers carry a rating link; the receipt the access key', () => {
    expect(staffMails[1][1].subject).toContain('17:00 ngày 16/03/2026');
    expect(business[2][1].text).toContain(`${link}#danh-gia`);
    expect(business[0][1].text).toContain('Mã truy cập: K7QM-4XRP-9TWD');
    expect(staffMails[0][1].text).toContain('Hạn tiếp nhận: 09:30 ngày 03/03/2026.');
  });

  it('the monthly report notice links the published report', () => {
    expect(report.subject).toContain('2026-10');
    expect(report.text).toContain('87,5%');
    expect(report.html).toContain('bao-cao/2026-10');
  });

  it('the footer without settings names the team and says the mail is automatic', () => {
    expect(footerLines(null)).toEqual(['Tổ phản ứng nhanh hỗ trợ doanh nghiệp', 'Thư gửi tự động, vui lòng không trả lời thư này.']);
    expect(footerLines({ provinceName: null, hotline: '1022', officeAddress: null })).toEqual([
      'Tổ phản ứng nhanh hỗ trợ doanh nghiệp',
      'Đường dây nóng: 1022',
      'Thư gửi tự động, vui lòng không trả lời thư này; cần trao đổi, xin gọi đường dây nóng.',
    ]);
    const m = receiptMessage({ trackingCode: code, accessKey: 'K', title: 't', dueAt: due, baseUrl: base, site: { ...site, officeAddress: 'Số 1 <b>đường</b> & ngõ' } });
    expect(m.html).toContain('Số 1 &lt;b&gt;đường&lt;/b&gt; &amp; ngõ');
  });
});
