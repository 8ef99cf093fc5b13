import { describe, expect, it } from 'vitest';
import { fromLocal } from '../../src/domain/calendar.js';
import {
  acceptReminderMessage,
  answerPublishedMessage,
  assignmentMessage,
  autoCloseMessage,
  dueSoonMessage,
  infoRequestMessage,
  overdueMessage,
  receiptMessage,
  reportPublishedMessage,
  seriousOverdueMessage,
  staffMailCase,
  triageReminderMessage,
  type Rendered,
} from '../../src/features/notifications/templates.js';

const base = 'https://pakn.bacninh.gov.vn/';
const code = 'PAKN.20260302.0007';
const link = `https://pakn.bacninh.gov.vn/tra-cuu?ma=${encodeURIComponent(code)}`;
const title = 'Chậm cấp phép <script>alert(1)</script> & "xưởng"';
const due = fromLocal('2026-03-16', '17:00');
const mailCase = staffMailCase({ title, kind: 'phan_anh', confidential: false, consentPublishName: false, businessName: null, contactName: null, taxCode: null, phone: null, email: null });
const staff = { ...mailCase, caseId: 42, trackingCode: code, agencyName: 'Sở Xây dựng', resolveDueAt: due, baseUrl: base };

const all: Array<[string, Rendered]> = [
  ['receipt', receiptMessage({ trackingCode: code, accessKey: 'k3y', title, dueAt: due, baseUrl: base })],
  ['assignment', assignmentMessage({ ...mailCase, trackingCode: code, agencyName: 'Sở Xây dựng', acceptDueAt: due, resolveDueAt: due, baseUrl: base })],
  ['info request', infoRequestMessage({ trackingCode: code, title, question: 'Đề nghị gửi bản vẽ.', agencyName: 'Sở Xây dựng', replyWithin: '15 ngày làm việc', baseUrl: base })],
  ['answer', answerPublishedMessage({ trackingCode: code, title, answer: 'Đã cấp phép.', agencyName: 'Sở Xây dựng', disputeUntil: due, baseUrl: base })],
  ['auto close', autoCloseMessage({ trackingCode: code, title, why: 'no_response_from_business', baseUrl: base })],
  ['due soon', dueSoonMessage({ ...staff, statusLabel: 'Cơ quan đang xử lý' })],
  ['accept reminder', acceptReminderMessage({ ...staff, acceptDueAt: due })],
  ['overdue', overdueMessage({ ...staff, overdueWorkingDays: 2.5 })],
  ['serious', seriousOverdueMessage({ ...staff, overdueWorkingDays: 6, thresholdLabel: '5 ngày làm việc' })],
  ['triage', triageReminderMessage({ ...staff, agencyName: null, waitingSince: due, hours: 4 })],
];

describe('e-mail templates', () => {
  it.each(all)('%s: Vietnamese subject with the tracking code, plain text and escaped HTML, the tracking link', (_name, m) => {
    expect(m.subject).toContain(code);
    expect(m.text).toContain(link);
    expect(m.html).toMatch(/^<!doctype html><html lang="vi">/);
    expect(m.html).toContain(link.replace(/&/g, '&amp;'));
    expect(m.html).not.toContain('<script>');
    expect(m.html).toContain('&lt;script&gt;');
    expect(m.text).toContain('Tổ phản ứng nhanh');
  });

  it('answers carry a rating link; deadlines are in Hà Nội time; staff messages link the case in the staff API', () => {
    expect(all[3][1].text).toContain(`${link}#danh-gia`);
    expect(all[5][1].subject).toContain('17:00 ngày 16/03/2026');
    expect(all[7][1].text).toContain('đã quá 2,5 ngày làm việc');
    expect(all[6][1].text).toContain('https://pakn.bacninh.gov.vn/api/v1/cases/42');
  });

  it('the monthly report notice links the published report', () => {
    const m = reportPublishedMessage({ label: 'tháng 10/2026', period: '2026-10', revision: 2, received: 120, resolved: 100, onTimeRate: 0.875, overdueAtEnd: 3, contentHash: 'ab'.repeat(32), url: `${base}bao-cao/2026-10` });
    expect(m.subject).toContain('2026-10');
    expect(m.text).toContain('87,5%');
    expect(m.html).toContain('bao-cao/2026-10');
  });
});
