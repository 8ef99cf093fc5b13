/**
 * E-mail texts, in Vietnamese, plain text and HTML. Each function returns the parts of an
 * outbox message; the tracking link always points at the public tracking page. Mail to staff
 * takes the disclosure decision of its case (src/domain/disclosure.ts, audience e-mail to staff):
 * it never names the reporter, and on a confidential case its title is shown without the
 * reporter's identity.
 */
import { disclose, discloseText, type Disclosure, type Identity } from '../../domain/disclosure.js';

/** A case as staff mail shows it: its title, with the decision of what staff mail may show. */
export interface StaffMailCase {
  title: string;
  disclosure: Disclosure;
  identity: Identity;
}

/** The decision for staff mail about case `c`, with the identity to keep out of it. */
export function staffMailCase(c: { title: string; kind: string; confidential: boolean; consentPublishName: boolean } & Identity): StaffMailCase {
  return {
    title: c.title,
    disclosure: disclose(c, { kind: 'email', to: 'staff' }),
    identity: { businessName: c.businessName, contactName: c.contactName, taxCode: c.taxCode, phone: c.phone, email: c.email },
  };
}

const shownTitle = (c: StaffMailCase): string => discloseText(c.disclosure, c.title, c.identity) ?? '';
export interface Rendered {
  subject: string;
  text: string;
  html: string;
}

export const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

export function fmtDateTime(d: Date): string {
  const v = new Date(d.getTime() + 7 * 3_600_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(v.getUTCHours())}:${p(v.getUTCMinutes())} ngày ${p(v.getUTCDate())}/${p(v.getUTCMonth() + 1)}/${v.getUTCFullYear()}`;
}

/**
 * A resolution deadline as a message states it; a provisional one (khiếu nại, tố cáo not yet
 * accepted: the clock starts at thụ lý) is labelled as the latest possible deadline.
 */
export function resolveDueText(d: Date, provisional?: boolean): string {
  return provisional ? `${fmtDateTime(d)} (tạm tính, muộn nhất; hạn chính thức tính từ ngày thụ lý)` : fmtDateTime(d);
}

export function trackingLink(baseUrl: string, trackingCode: string): string {
  return `${baseUrl.replace(/\/$/, '')}/tra-cuu?ma=${encodeURIComponent(trackingCode)}`;
}

/** Who the mail comes from, shown in every footer (settings: province, hotline, office address). */
export interface SiteFooter {
  provinceName: string | null;
  hotline: string | null;
  officeAddress: string | null;
}

/** The footer lines: the team (of the province), its hotline and address, and that the mail is automatic. */
export function footerLines(site?: SiteFooter | null): string[] {
  const team = `Tổ phản ứng nhanh hỗ trợ doanh nghiệp${site?.provinceName ? ` ${site.provinceName}` : ''}`;
  const contact = [site?.hotline ? `Đường dây nóng: ${site.hotline}` : null, site?.officeAddress ? `Địa chỉ: ${site.officeAddress}` : null].filter(Boolean);
  return [
    team,
    ...(contact.length ? [contact.join(' · ')] : []),
    `Thư gửi tự động, vui lòng không trả lời thư này${site?.hotline ? '; cần trao đổi, xin gọi đường dây nóng' : ''}.`,
  ];
}

/** Paragraphs → text and HTML bodies with a common footer naming the team, its hotline and address. */
export function compose(subject: string, paragraphs: string[], link?: { href: string; label: string }, site?: SiteFooter | null): Rendered {
  const footer = footerLines(site);
  const text = [...paragraphs, ...(link ? [`${link.label}: ${link.href}`] : []), '', '--', footer.join('\n')].join('\n\n');
  const html =
    `<!doctype html><html lang="vi"><body style="font-family:sans-serif;line-height:1.5">` +
    paragraphs.map((p) => `<p>${esc(p).replace(/\n/g, '<br>')}</p>`).join('') +
    (link ? `<p><a href="${esc(link.href)}">${esc(link.label)}</a></p>` : '') +
    `<hr><p style="color:#555;font-size:small">${footer.map(esc).join('<br>')}</p></body></html>`;
  return { subject, text, html };
}

/**
 * Office time as a person says it, in whole working days and hours of the working calendar:
 * "72 ngày 6 giờ làm việc", "3 giờ làm việc", "dưới 1 giờ làm việc".
 */
export function workingTimeVi(ms: number, officeDayMs: number): string {
  const t = Math.max(0, ms);
  const d = Math.floor(t / officeDayMs);
  const h = Math.floor((t - d * officeDayMs) / 3_600_000);
  if (d === 0 && h === 0) return 'dưới 1 giờ làm việc';
  return d === 0 ? `${h} giờ làm việc` : h === 0 ? `${d} ngày làm việc` : `${d} ngày ${h} giờ làm việc`;
}

export function receiptMessage(a: { trackingCode: string; accessKey: string; title: string; kind?: string; dueAt: Date; dueProvisional?: boolean; baseUrl: string; site?: SiteFooter | null }): Rendered {
  const toCao = a.kind === 'to_cao';
  return compose(
    toCao ? `[${a.trackingCode}] Đã tiếp nhận tố cáo` : `[${a.trackingCode}] Đã tiếp nhận phản ánh, kiến nghị của doanh nghiệp`,
    [
      'Kính gửi Quý doanh nghiệp,',
      ...(toCao ? ['Đã tiếp nhận tố cáo. Danh tính người tố cáo được giữ bí mật.'] : []),
      `Tổ phản ứng nhanh đã tiếp nhận nội dung "${a.title}".`,
      `Mã hồ sơ: ${a.trackingCode}\nMã truy cập: ${a.accessKey}\n(Giữ kín mã truy cập: cần cả hai mã để theo dõi hồ sơ.)`,
      `Thời hạn trả lời dự kiến: ${resolveDueText(a.dueAt, a.dueProvisional)}.`,
    ],
    { href: trackingLink(a.baseUrl, a.trackingCode), label: 'Theo dõi hồ sơ' },
    a.site,
  );
}

/** A new access key, sent at the business's request to the e-mail address on the case (the old key no longer works). */
export function accessKeyReissuedMessage(a: { trackingCode: string; accessKey: string; title: string; baseUrl: string; site?: SiteFooter | null }): Rendered {
  return compose(
    `[${a.trackingCode}] Mã truy cập mới của hồ sơ`,
    [
      'Kính gửi Quý doanh nghiệp,',
      `Theo đề nghị cấp lại mã truy cập trên trang tra cứu, Tổ phản ứng nhanh gửi Quý doanh nghiệp mã truy cập mới của hồ sơ ${a.trackingCode} "${a.title}".`,
      `Mã hồ sơ: ${a.trackingCode}\nMã truy cập mới: ${a.accessKey}\n(Giữ kín mã truy cập: cần cả hai mã để theo dõi hồ sơ.)`,
      'Mã truy cập cũ không còn dùng được. Nếu Quý doanh nghiệp không đề nghị cấp lại mã, xin liên hệ Tổ phản ứng nhanh qua đường dây nóng.',
    ],
    { href: trackingLink(a.baseUrl, a.trackingCode), label: 'Theo dõi hồ sơ' },
    a.site,
  );
}

export function assignmentMessage(a: StaffMailCase & { trackingCode: string; agencyName: string; acceptDueAt: Date | null; resolveDueAt: Date; resolveDueProvisional?: boolean; baseUrl: string; site?: SiteFooter | null }): Rendered {
  return compose(
    `[${a.trackingCode}] Hồ sơ mới được chuyển đến ${a.agencyName}`,
    [
      `Kính gửi ${a.agencyName},`,
      `Hồ sơ ${a.trackingCode} "${shownTitle(a)}" đã được chuyển đến đơn vị để xử lý.`,
      ...(a.acceptDueAt ? [`Hạn tiếp nhận: ${fmtDateTime(a.acceptDueAt)}.`] : []),
      `Hạn trả lời: ${resolveDueText(a.resolveDueAt, a.resolveDueProvisional)}.`,
      staffWhatToDo(a.trackingCode, 'tiếp nhận hồ sơ (hoặc trả lại kèm lý do nếu không thuộc thẩm quyền) trước hạn tiếp nhận'),
    ],
    undefined,
    a.site,
  );
}

export function reportPublishedMessage(a: {
  label: string;
  period: string;
  revision: number;
  received: number;
  resolved: number;
  onTimeRate: number | null;
  overdueAtEnd: number;
  contentHash: string;
  url: string;
  site?: SiteFooter | null;
}): Rendered {
  const pct = a.onTimeRate == null ? 'chưa có hồ sơ giải quyết' : `${(a.onTimeRate * 100).toFixed(1).replace('.', ',')}%`;
  return compose(
    `[Báo cáo ${a.period}] Đã công bố báo cáo ${a.label}${a.revision > 1 ? ` (phiên bản ${a.revision})` : ''}`,
    [
      'Kính gửi lãnh đạo tỉnh và Tổ phản ứng nhanh,',
      `Báo cáo ${a.label} về việc tiếp nhận, xử lý phản ánh, kiến nghị của doanh nghiệp đã được công bố${a.revision > 1 ? ` (phiên bản ${a.revision}; các phiên bản trước vẫn được lưu)` : ''}.`,
      `Tiếp nhận: ${a.received} hồ sơ. Đã giải quyết: ${a.resolved} hồ sơ. Tỷ lệ đúng hạn: ${pct}. Quá hạn cuối kỳ: ${a.overdueAtEnd} hồ sơ.`,
      `Mã băm SHA-256 của nội dung: ${a.contentHash}`,
    ],
    { href: a.url, label: 'Xem báo cáo' },
    a.site,
  );
}

// ---------------------------------------------------------------- case messages to the business

/** Link to the tracking page with the rating form opened. */
export function ratingLink(baseUrl: string, trackingCode: string): string {
  return `${trackingLink(baseUrl, trackingCode)}#danh-gia`;
}

export function infoRequestMessage(a: { trackingCode: string; title: string; question: string; agencyName: string | null; replyWithin?: string | null; baseUrl: string; site?: SiteFooter | null }): Rendered {
  return compose(
    `[${a.trackingCode}] Đề nghị doanh nghiệp bổ sung thông tin`,
    [
      'Kính gửi Quý doanh nghiệp,',
      `Để giải quyết hồ sơ ${a.trackingCode} "${a.title}", ${a.agencyName ?? 'cơ quan xử lý'} đề nghị Quý doanh nghiệp bổ sung thông tin sau:`,
      a.question,
      `Quý doanh nghiệp trả lời trên trang theo dõi hồ sơ (cần mã hồ sơ và mã truy cập). Trong thời gian chờ bổ sung, thời hạn giải quyết tạm dừng${a.replyWithin ? `; nếu không nhận được thông tin trong ${a.replyWithin}, hồ sơ sẽ được kết thúc` : ''}.`,
    ],
    { href: trackingLink(a.baseUrl, a.trackingCode), label: 'Trả lời trên trang theo dõi hồ sơ' },
    a.site,
  );
}

export function answerPublishedMessage(a: { trackingCode: string; title: string; answer: string; agencyName: string | null; disputeUntil: Date; baseUrl: string; site?: SiteFooter | null }): Rendered {
  return compose(
    `[${a.trackingCode}] Đã có kết quả trả lời phản ánh, kiến nghị`,
    [
      'Kính gửi Quý doanh nghiệp,',
      `${a.agencyName ?? 'Cơ quan xử lý'} đã trả lời hồ sơ ${a.trackingCode} "${a.title}":`,
      a.answer,
      `Quý doanh nghiệp vui lòng đánh giá mức độ hài lòng. Nếu chưa đồng ý với kết quả, Quý doanh nghiệp có thể phản hồi để hồ sơ được xem xét lại đến ${fmtDateTime(a.disputeUntil)}.`,
    ],
    { href: ratingLink(a.baseUrl, a.trackingCode), label: 'Đánh giá kết quả trả lời' },
    a.site,
  );
}

export function autoCloseMessage(a: { trackingCode: string; title: string; why: 'dispute_window_over' | 'no_response_from_business'; baseUrl: string; site?: SiteFooter | null }): Rendered {
  const why =
    a.why === 'no_response_from_business'
      ? 'Hồ sơ đã được kết thúc do cơ quan xử lý không nhận được thông tin bổ sung của Quý doanh nghiệp trong thời hạn quy định. Nếu vẫn cần hỗ trợ, Quý doanh nghiệp có thể gửi phản ánh mới.'
      : 'Thời hạn phản hồi kết quả trả lời đã hết; hồ sơ được kết thúc. Cảm ơn Quý doanh nghiệp đã đồng hành cùng chính quyền tỉnh.';
  return compose(
    `[${a.trackingCode}] Hồ sơ đã kết thúc`,
    ['Kính gửi Quý doanh nghiệp,', `Hồ sơ ${a.trackingCode} "${a.title}":`, why],
    { href: trackingLink(a.baseUrl, a.trackingCode), label: 'Xem hồ sơ' },
    a.site,
  );
}

// ---------------------------------------------------------------- warnings and escalations to staff

/**
 * What staff do with a notice. Staff work their cases in their agency's software through the
 * staff API, which a browser cannot open without a token, so staff mail carries no link: it
 * gives the tracking code to look the case up and says what to do.
 */
export function staffWhatToDo(trackingCode: string, action: string): string {
  return `Cách xử lý: tìm hồ sơ theo mã ${trackingCode} trong danh sách hồ sơ của đơn vị trên phần mềm nghiệp vụ (kết nối hệ thống tiếp nhận phản ánh, kiến nghị), rồi ${action}. Cần hỗ trợ, xin liên hệ Tổ phản ứng nhanh.`;
}

/** What every staff warning says about the case (never the reporter's identity). */
export interface StaffCaseInfo extends StaffMailCase {
  caseId: number;
  trackingCode: string;
  /** null: the case is not assigned to an agency yet (still with the coordinator) */
  agencyName: string | null;
  resolveDueAt: Date;
  /** the resolution deadline is provisional (not accepted yet; the clock starts at thụ lý) */
  resolveDueProvisional?: boolean;
  baseUrl: string;
  site?: SiteFooter | null;
}

/** How long a case is overdue, in office time, and the length of an office day (ms). */
export interface OverdueBy {
  overdueMs: number;
  officeDayMs: number;
}

const hoursVi = (n: number) => String(n).replace('.', ',');

export function dueSoonMessage(c: StaffCaseInfo & { statusLabel: string }): Rendered {
  return compose(
    `[${c.trackingCode}] Sắp đến hạn trả lời (${fmtDateTime(c.resolveDueAt)})`,
    [
      `Kính gửi ${c.agencyName ?? 'đơn vị xử lý'},`,
      `Hồ sơ ${c.trackingCode} "${shownTitle(c)}" sắp đến hạn trả lời doanh nghiệp: ${fmtDateTime(c.resolveDueAt)}. Trạng thái hiện tại: ${c.statusLabel}.`,
      'Đề nghị đơn vị khẩn trương xử lý và trả lời đúng hạn; nếu cần thêm thời gian, đề nghị gia hạn (kèm lý do) trước khi hết hạn.',
      staffWhatToDo(c.trackingCode, 'trả lời doanh nghiệp hoặc đề nghị gia hạn'),
    ],
    undefined,
    c.site,
  );
}

export function acceptReminderMessage(c: StaffCaseInfo & { acceptDueAt: Date }): Rendered {
  return compose(
    `[${c.trackingCode}] Nhắc tiếp nhận: đã quá hạn tiếp nhận hồ sơ`,
    [
      `Kính gửi ${c.agencyName ?? 'đơn vị xử lý'},`,
      `Hồ sơ ${c.trackingCode} "${shownTitle(c)}" được chuyển đến đơn vị nhưng chưa được tiếp nhận; hạn tiếp nhận là ${fmtDateTime(c.acceptDueAt)}.`,
      `Đề nghị tiếp nhận ngay, hoặc trả lại kèm lý do nếu không thuộc thẩm quyền. Hạn trả lời doanh nghiệp: ${resolveDueText(c.resolveDueAt, c.resolveDueProvisional)}.`,
      staffWhatToDo(c.trackingCode, 'tiếp nhận hoặc trả lại hồ sơ'),
    ],
    undefined,
    c.site,
  );
}

export function overdueMessage(c: StaffCaseInfo & OverdueBy): Rendered {
  const by = workingTimeVi(c.overdueMs, c.officeDayMs);
  const due = fmtDateTime(c.resolveDueAt);
  return c.agencyName
    ? compose(
        `[${c.trackingCode}] Quá hạn trả lời — ${c.agencyName}`,
        [
          `Kính gửi lãnh đạo ${c.agencyName} và Tổ phản ứng nhanh,`,
          `Hồ sơ ${c.trackingCode} "${shownTitle(c)}" đã quá hạn trả lời doanh nghiệp ${by} (hạn: ${due}).`,
          'Hồ sơ được đánh dấu quá hạn. Đề nghị chỉ đạo trả lời doanh nghiệp ngay và báo cáo lý do chậm trễ.',
          staffWhatToDo(c.trackingCode, 'trả lời doanh nghiệp'),
        ],
        undefined,
        c.site,
      )
    : compose(
        `[${c.trackingCode}] Quá hạn trả lời — hồ sơ chưa được phân công`,
        [
          'Kính gửi Tổ phản ứng nhanh,',
          `Hồ sơ ${c.trackingCode} "${shownTitle(c)}" chưa được phân công cho cơ quan xử lý và đã quá hạn trả lời doanh nghiệp ${by} (hạn: ${due}).`,
          'Đề nghị phân công ngay cơ quan xử lý (hoặc từ chối kèm lý do) và báo cáo lý do chậm trễ.',
          staffWhatToDo(c.trackingCode, 'phân công cơ quan xử lý'),
        ],
        undefined,
        c.site,
      );
}

export function seriousOverdueMessage(c: StaffCaseInfo & OverdueBy & { thresholdLabel: string }): Rendered {
  const by = workingTimeVi(c.overdueMs, c.officeDayMs);
  const who = c.agencyName ? `do ${c.agencyName} xử lý` : 'chưa được phân công cho cơ quan xử lý';
  return compose(
    `[${c.trackingCode}] Quá hạn nghiêm trọng (${by}) — ${c.agencyName ?? 'hồ sơ chưa được phân công'}`,
    [
      'Kính gửi lãnh đạo UBND tỉnh và Thanh tra tỉnh,',
      `Hồ sơ ${c.trackingCode} "${shownTitle(c)}" ${who} đã quá hạn trả lời doanh nghiệp ${by}, vượt ngưỡng ${c.thresholdLabel} (hạn: ${fmtDateTime(c.resolveDueAt)}).`,
      'Theo quy chế, hồ sơ quá hạn nghiêm trọng được báo cáo lãnh đạo tỉnh và cơ quan thanh tra để chỉ đạo, kiểm tra.',
      `Để xem diễn biến hồ sơ, đề nghị Tổ phản ứng nhanh hoặc Thanh tra tỉnh tra cứu theo mã ${c.trackingCode} trên phần mềm nghiệp vụ.`,
    ],
    undefined,
    c.site,
  );
}

export function triageReminderMessage(c: StaffCaseInfo & { waitingSince: Date; hours: number }): Rendered {
  return compose(
    `[${c.trackingCode}] Hồ sơ chờ phân công quá ${hoursVi(c.hours)} giờ làm việc`,
    [
      'Kính gửi Tổ phản ứng nhanh,',
      `Hồ sơ ${c.trackingCode} "${shownTitle(c)}" đang chờ phân công từ ${fmtDateTime(c.waitingSince)}, quá ${hoursVi(c.hours)} giờ làm việc.`,
      `Đề nghị phân công cơ quan xử lý hoặc từ chối kèm lý do. Hạn trả lời doanh nghiệp: ${resolveDueText(c.resolveDueAt, c.resolveDueProvisional)}.`,
      staffWhatToDo(c.trackingCode, 'phân công cơ quan xử lý'),
    ],
    undefined,
    c.site,
  );
}

// ---------------------------------------------------------------- merged duplicates

/** To the business of a case merged into another: the answer given in the case kept. */
export function mergedAnswerMessage(a: { trackingCode: string; title: string; keptTrackingCode: string; answer: string; agencyName: string | null; baseUrl: string; site?: SiteFooter | null }): Rendered {
  return compose(
    `[${a.trackingCode}] Kết quả giải quyết nội dung Quý doanh nghiệp đã phản ánh`,
    [
      'Kính gửi Quý doanh nghiệp,',
      `Hồ sơ ${a.trackingCode} "${a.title}" có cùng nội dung với hồ sơ ${a.keptTrackingCode} nên được gộp để xử lý chung. ${a.agencyName ?? 'Cơ quan xử lý'} đã trả lời:`,
      a.answer,
    ],
    { href: trackingLink(a.baseUrl, a.trackingCode), label: 'Xem hồ sơ' },
    a.site,
  );
}
