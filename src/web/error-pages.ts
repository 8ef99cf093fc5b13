/**
 * The pages a browser gets instead of problem+json (404, 405, 413, 429, 500…), the page that
 * explains every problem type (GET /docs/problems, generated from PROBLEM_TYPES so that it lists
 * exactly what the code can emit) and the favicon.
 */
import { PROBLEM_TYPES, type ProblemType } from '../lib/problem-types.js';
import type { ProblemPageInput } from '../plugins/problem-details.js';
import { escapeHtml, html, trusted } from './html.js';
import { page } from './layout.js';

interface ErrorText {
  heading: string;
  /** what happened and what to do, addressed to the business */
  text: string;
}

/** What a person reads for each status; anything else is "the request is not valid". */
function errorText(p: ProblemPageInput): ErrorText {
  switch (p.status) {
    case 404:
      return {
        heading: 'Không tìm thấy trang',
        text: 'Trang này không có hoặc không còn. Có thể đường dẫn đã cũ hoặc bị gõ nhầm. Quý doanh nghiệp vui lòng bắt đầu lại từ trang chủ.',
      };
    case 405:
      return {
        heading: 'Không thực hiện được yêu cầu',
        text: 'Trang này không nhận yêu cầu gửi theo cách này. Quý doanh nghiệp vui lòng mở lại trang từ trang chủ rồi thao tác lại.',
      };
    case 413:
      return {
        heading: 'Nội dung gửi lên quá lớn',
        text: 'Nội dung hoặc tệp đính kèm vượt quá giới hạn cho phép (mỗi tệp tối đa 5 MB, tối đa 5 tệp). Quý doanh nghiệp vui lòng gửi lại với tệp nhỏ hơn hoặc ít tệp hơn.',
      };
    case 429:
      return {
        heading: 'Quá nhiều yêu cầu',
        text: 'Có quá nhiều yêu cầu được gửi từ cùng một địa chỉ trong thời gian ngắn. Quý doanh nghiệp vui lòng chờ ít phút rồi thử lại.',
      };
    default:
      if (p.status >= 500) {
        return {
          heading: 'Hệ thống đang gặp sự cố',
          text: 'Yêu cầu chưa được thực hiện và chưa có gì được ghi nhận. Quý doanh nghiệp vui lòng thử lại sau ít phút; nếu cần gấp, xin gọi đường dây nóng ghi ở cuối trang.',
        };
      }
      return {
        heading: 'Yêu cầu không hợp lệ',
        text: 'Yêu cầu không đọc được hoặc không đúng quy định. Quý doanh nghiệp vui lòng quay lại trang trước và thử lại.',
      };
  }
}

/** The HTML page of an error, for a browser: what happened, a link home, the problem type's explanation. */
export function problemPage(p: ProblemPageInput): string {
  const t = errorText(p);
  return page({
    title: t.heading,
    body: html`<h1>${t.heading}</h1>
<p class="lead">${t.text}</p>
<ul class="links">
  <li><a href="/">Về trang chủ: gửi phản ánh, kiến nghị</a></li>
  <li><a href="/tra-cuu">Tra cứu hồ sơ đã gửi</a></li>
  <li><a href="/bao-cao">Kết quả xử lý hằng tháng</a></li>
</ul>
<p class="meta">Mã lỗi ${p.status} (<a href="/docs/problems#${p.type}">${p.type}</a>).</p>`,
  });
}

/** `code` spans of the catalogue's explanations (`errors[]`) as <code>, everything else escaped. */
const withCode = (text: string): string =>
  text
    .split('`')
    .map((part, i) => (i % 2 === 1 ? `<code>${escapeHtml(part)}</code>` : escapeHtml(part)))
    .join('');

/** GET /docs/problems: every problem type with its anchor (the `type` URIs of the problems point here). */
export function problemsPage(): string {
  const types = Object.entries(PROBLEM_TYPES) as Array<[ProblemType, (typeof PROBLEM_TYPES)[ProblemType]]>;
  const sections = types.map(
    ([type, info]) => html`<section id="${type}" aria-labelledby="${type}-h" class="problem">
<h2 id="${type}-h"><code>${type}</code></h2>
<dl class="summary">
  <dt>Mã HTTP</dt><dd>${info.status}</dd>
  <dt>Tiêu đề (<code>title</code>)</dt><dd>${info.title}</dd>
  <dt>Ý nghĩa</dt><dd>${trusted(withCode(info.meaning))}</dd>
</dl>
</section>`,
  );
  return page({
    title: 'Các loại lỗi của API',
    body: html`<h1>Các loại lỗi của API (problem types)</h1>
<p class="lead">Khi một yêu cầu không thực hiện được, API trả lời theo chuẩn RFC 9457 (<code>application/problem+json</code>): trường <code>type</code> là một địa chỉ dạng <code>/docs/problems#…</code> trỏ tới mục tương ứng trên trang này; <code>status</code> là mã HTTP; <code>title</code> là tên loại lỗi; <code>detail</code> mô tả trường hợp cụ thể; <code>instance</code> là đường dẫn đã gọi. Lỗi dữ liệu có thêm <code>errors[]</code> nêu từng trường.</p>
<p>Trình duyệt mở các trang công khai nhận một trang thông báo bằng tiếng Việt thay cho JSON, cùng mã HTTP. Tài liệu đầy đủ của API: <a href="/docs">/docs</a>.</p>
<nav aria-label="Các loại lỗi"><ul class="toc">${types.map(([type, info]) => html`<li><a href="#${type}"><code>${type}</code></a> (${info.status})</li>`)}</ul></nav>
${sections}`,
  });
}

/** The site's icon: the header's red with a yellow star (SVG, served at /favicon.ico). */
export const FAVICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#8b1a1a"/>' +
  '<path fill="#ffcd00" d="M16 5.5l2.6 7.9h8.3l-6.7 4.9 2.6 7.9-6.8-4.9-6.8 4.9 2.6-7.9-6.7-4.9h8.3z"/></svg>';
