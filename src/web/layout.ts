import type { SiteInfo } from '../features/settings/service.js';
import { escapeHtml, html, trusted, type SafeHtml } from './html.js';
import { SITE_CSS } from './style.js';

/**
 * Where the page names who is speaking (province, hotline, office address). These come from the
 * settings, which an admin can change at any time, so `page()` leaves a slot and every HTML
 * response has it filled as it leaves (site-identity.ts): every page carries the identity in
 * force, without each page asking for it. The slots are comments that escaped user text cannot
 * produce.
 */
export const SITE_SLOT = { org: '<!--pakn:site-org-->', contact: '<!--pakn:site-contact-->' } as const;

const TEAM = 'Tổ phản ứng nhanh hỗ trợ doanh nghiệp';

/** "0222 3 822 000" → "tel:02223822000" (digits and a leading +). */
export const telHref = (phone: string): string => `tel:${phone.replace(/[^\d+]/g, '').replace(/(?!^)\+/g, '')}`;

/** The slots' markup for a site identity (escaped; empty parts left out). */
export function siteSlots(site: SiteInfo): Record<keyof typeof SITE_SLOT, string> {
  const province = site.provinceName?.trim();
  const org = province ? `Ủy ban nhân dân ${escapeHtml(province)} — ${TEAM}` : TEAM;
  const lines = [
    `<strong>${TEAM}${province ? ` ${escapeHtml(province)}` : ''}</strong>`,
    site.hotline?.trim()
      ? `Đường dây nóng: <a class="tel" href="${escapeHtml(telHref(site.hotline))}">${escapeHtml(site.hotline.trim())}</a> (trong giờ hành chính)`
      : null,
    site.officeAddress?.trim() ? `Địa chỉ tiếp doanh nghiệp: ${escapeHtml(site.officeAddress.trim())}` : null,
  ].filter(Boolean);
  return { org, contact: `<p class="contact">${lines.join('<br>')}</p>` };
}

/** Fills the identity slots of a page (once each; a page without slots is returned as it is). */
export function fillSiteSlots(pageHtml: string, site: SiteInfo): string {
  if (!pageHtml.includes(SITE_SLOT.org) && !pageHtml.includes(SITE_SLOT.contact)) return pageHtml;
  const slots = siteSlots(site);
  return pageHtml.replace(SITE_SLOT.org, () => slots.org).replace(SITE_SLOT.contact, () => slots.contact);
}

export interface PageOptions {
  title: string;
  body: SafeHtml;
  /** the navigation entry to mark as current */
  current?: 'form' | 'track';
}

/** The frame of the public pages: Vietnamese, a skip link, landmarks, no script. */
export function page(o: PageOptions): string {
  const nav = (href: string, label: string, key: PageOptions['current']) =>
    html`<li><a href="${href}"${o.current === key ? html` aria-current="page"` : ''}>${label}</a></li>`;
  return (
    '<!doctype html>\n' +
    html`<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${o.title} — Tổ phản ứng nhanh hỗ trợ doanh nghiệp</title>
<link rel="icon" href="/favicon.ico" type="image/svg+xml">
<style>${SITE_CSS}</style>
</head>
<body>
<a class="skip" href="#noi-dung">Bỏ qua, đến nội dung chính</a>
<header class="site">
  <div class="org">${trusted(SITE_SLOT.org)}</div>
  <div class="brand"><a href="/">Tiếp nhận phản ánh, kiến nghị của doanh nghiệp</a></div>
  <nav aria-label="Chính">
    <ul>
      ${nav('/', 'Gửi phản ánh, kiến nghị', 'form')}
      ${nav('/tra-cuu', 'Tra cứu hồ sơ', 'track')}
      <li><a href="/bao-cao">Kết quả xử lý hằng tháng</a></li>
    </ul>
  </nav>
</header>
<main id="noi-dung" tabindex="-1">
${o.body}
</main>
<footer class="site">
  ${trusted(SITE_SLOT.contact)}
  <p>Trường hợp khẩn cấp: cháy, nổ gọi <strong>114</strong>; an ninh, trật tự gọi <strong>113</strong>; cấp cứu gọi <strong>115</strong>.</p>
  <p>Thông tin của doanh nghiệp chỉ dùng để xử lý hồ sơ; tên doanh nghiệp chỉ được công khai khi doanh nghiệp đồng ý.</p>
</footer>
</body>
</html>`.value
  );
}
