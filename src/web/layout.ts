import { html, type SafeHtml } from './html.js';
import { SITE_CSS } from './style.js';

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
<style>${SITE_CSS}</style>
</head>
<body>
<a class="skip" href="#noi-dung">Bỏ qua, đến nội dung chính</a>
<header class="site">
  <div class="org">Ủy ban nhân dân tỉnh — Tổ phản ứng nhanh hỗ trợ doanh nghiệp</div>
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
  <p>Đường dây nóng của Tổ phản ứng nhanh hoạt động trong giờ hành chính. Trường hợp khẩn cấp: cháy, nổ gọi <strong>114</strong>; an ninh, trật tự gọi <strong>113</strong>; cấp cứu gọi <strong>115</strong>.</p>
  <p>Thông tin của doanh nghiệp chỉ dùng để xử lý hồ sơ; tên doanh nghiệp chỉ được công khai khi doanh nghiệp đồng ý.</p>
</footer>
</body>
</html>`.value
  );
}
