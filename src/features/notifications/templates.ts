/**
 * E-mail texts, in Vietnamese, plain text and HTML. Each function returns the parts of an
 * outbox message; the tracking link always points at the public tracking page.
 */
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

export function trackingLink(baseUrl: string, trackingCode: string): string {
  return `${baseUrl.replace(/\/$/, '')}/tra-cuu?ma=${encodeURIComponent(trackingCode)}`;
}

/** Paragraphs → text and HTML bodies with a common footer. */
export function compose(subject: string, paragraphs: string[], link?: { href: string; label: string }): Rendered {
  const footer = 'Tổ phản ứng nhanh hỗ trợ doanh nghiệp — thư tự động, vui lòng không trả lời thư này.';
  const text = [...paragraphs, ...(link ? [`${link.label}: ${link.href}`] : []), '', '--', footer].join('\n\n');
  const html =
    `<!doctype html><html lang="vi"><body style="font-family:sans-serif;line-height:1.5">` +
    paragraphs.map((p) => `<p>${esc(p).replace(/\n/g, '<br>')}</p>`).join('') +
    (link ? `<p><a href="${esc(link.href)}">${esc(link.label)}</a></p>` : '') +
    `<hr><p style="color:#555;font-size:small">${esc(footer)}</p></body></html>`;
  return { subject, text, html };
}

export function receiptMessage(a: { trackingCode: string; accessKey: string; title: string; dueAt: Date; baseUrl: string }): Rendered {
  return compose(
    `[${a.trackingCode}] Đã tiếp nhận phản ánh, kiến nghị của doanh nghiệp`,
    [
      'Kính gửi Quý doanh nghiệp,',
      `Tổ phản ứng nhanh đã tiếp nhận nội dung "${a.title}".`,
      `Mã hồ sơ: ${a.trackingCode}\nMã truy cập: ${a.accessKey}\n(Giữ kín mã truy cập: cần cả hai mã để theo dõi hồ sơ.)`,
      `Thời hạn trả lời dự kiến: ${fmtDateTime(a.dueAt)}.`,
    ],
    { href: trackingLink(a.baseUrl, a.trackingCode), label: 'Theo dõi hồ sơ' },
  );
}

export function assignmentMessage(a: { trackingCode: string; title: string; agencyName: string; acceptDueAt: Date | null; resolveDueAt: Date; baseUrl: string }): Rendered {
  return compose(
    `[${a.trackingCode}] Hồ sơ mới được chuyển đến ${a.agencyName}`,
    [
      `Kính gửi ${a.agencyName},`,
      `Hồ sơ ${a.trackingCode} "${a.title}" đã được chuyển đến đơn vị để xử lý.`,
      ...(a.acceptDueAt ? [`Hạn tiếp nhận: ${fmtDateTime(a.acceptDueAt)}.`] : []),
      `Hạn trả lời: ${fmtDateTime(a.resolveDueAt)}.`,
      'Vui lòng tiếp nhận và xử lý qua hệ thống (API của đơn vị).',
    ],
  );
}
