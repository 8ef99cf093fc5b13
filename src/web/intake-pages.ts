/**
 * The business's pages: the submission form (/), its confirmation, and the tracking page
 * (/tra-cuu) with the reply, rating, dispute and withdrawal forms. Server-rendered, usable
 * without JavaScript and with the keyboard; every input has a label, errors stand next to their
 * field (aria-describedby) and are summarised, with links, at the top.
 */
import type { CaseKind } from '../domain/sla.js';
import { KIND_HELP_VI, KIND_LABEL_VI, KIND_ORDER, LIMITS, type PublicCaseView, type SubmissionAnswer } from '../features/intake/schemas.js';
import { ATTACHMENT_LIMITS } from '../features/intake/attachments.js';
import { dateTimeVi, html, paragraphs, type SafeHtml } from './html.js';
import { page } from './layout.js';

export type FieldErrors = Map<string, string>;
export type FormValues = Record<string, string>;

interface Option {
  id: number;
  name: string;
}

/** Field order of the form: the error summary follows it. */
const FORM_FIELDS: Array<[string, string]> = [
  ['kind', 'Loại nội dung'],
  ['categoryId', 'Lĩnh vực'],
  ['localityId', 'Xã, phường'],
  ['title', 'Tiêu đề'],
  ['content', 'Nội dung'],
  ['attachments', 'Tệp đính kèm'],
  ['businessName', 'Tên doanh nghiệp'],
  ['taxCode', 'Mã số thuế'],
  ['contactName', 'Người liên hệ'],
  ['phone', 'Số điện thoại'],
  ['email', 'Thư điện tử'],
  ['consentPublishName', 'Đồng ý công khai tên'],
];

const fid = (name: string) => `f-${name}`;

/** Errors keyed by field; an attachment error (attachments.2) belongs to the attachments field. */
export function errorsByField(errors: Array<{ path: string; message: string }>): FieldErrors {
  const out: FieldErrors = new Map();
  for (const e of errors) {
    const key = e.path.split('.')[0] || '(body)';
    if (!out.has(key)) out.set(key, e.message);
    else if (key === 'attachments') out.set(key, `${out.get(key)} ${e.message}`);
  }
  return out;
}

function errorSummary(errors: FieldErrors, order: Array<[string, string]>): SafeHtml {
  if (errors.size === 0) return html``;
  const known = new Set(order.map(([k]) => k));
  const items = [
    ...order.filter(([k]) => errors.has(k)).map(([k]) => html`<li><a href="#${fid(k)}">${errors.get(k)}</a></li>`),
    ...[...errors.entries()].filter(([k]) => !known.has(k)).map(([, m]) => html`<li>${m}</li>`),
  ];
  return html`<div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabindex="-1" id="loi">
  <h2 id="error-summary-title">Có ${errors.size} nội dung cần sửa</h2>
  <ul>${items}</ul>
</div>`;
}

function describedBy(name: string, hint: boolean, error: boolean): SafeHtml {
  const ids = [hint ? `${fid(name)}-hint` : null, error ? `${fid(name)}-error` : null].filter(Boolean).join(' ');
  return ids ? html` aria-describedby="${ids}"` : html``;
}

function fieldError(name: string, errors: FieldErrors): SafeHtml {
  const e = errors.get(name);
  return e ? html`<p class="field-error" id="${fid(name)}-error"><span class="visually-hidden">Lỗi: </span>${e}</p>` : html``;
}

interface InputOpts {
  label: string;
  hint?: string;
  /** true: required (marked and announced); 'mark': marked only, the hint says when it may be left out */
  required?: boolean | 'mark';
  type?: 'text' | 'email' | 'tel';
  autocomplete?: string;
  inputmode?: string;
  maxlength?: number;
  narrow?: boolean;
  spellcheck?: boolean;
  /** codes and keys: upper case on phone keyboards, no autocorrection */
  code?: boolean;
}

function input(name: string, o: InputOpts, values: FormValues, errors: FieldErrors): SafeHtml {
  const err = errors.has(name);
  return html`<div class="field${err ? ' has-error' : ''}">
  <label for="${fid(name)}">${o.label}${o.required ? html` <span class="req" aria-hidden="true">*</span>` : ''}</label>
  ${o.hint ? html`<span class="hint" id="${fid(name)}-hint">${o.hint}</span>` : ''}
  ${fieldError(name, errors)}
  <input id="${fid(name)}" name="${name}" type="${o.type ?? 'text'}" value="${values[name] ?? ''}"${o.narrow ? html` class="w-m"` : ''}${
    o.required === true ? html` required aria-required="true"` : ''
  }${o.autocomplete ? html` autocomplete="${o.autocomplete}"` : ''}${o.inputmode ? html` inputmode="${o.inputmode}"` : ''}${
    o.maxlength ? html` maxlength="${o.maxlength}"` : ''
  }${o.spellcheck === false ? html` spellcheck="false"` : ''}${o.code ? html` autocapitalize="characters" autocorrect="off"` : ''}${
    err ? html` aria-invalid="true"` : ''
  }${describedBy(name, Boolean(o.hint), err)}>
</div>`;
}

function textarea(name: string, o: InputOpts & { rows?: number }, values: FormValues, errors: FieldErrors): SafeHtml {
  const err = errors.has(name);
  return html`<div class="field${err ? ' has-error' : ''}">
  <label for="${fid(name)}">${o.label}${o.required ? html` <span class="req" aria-hidden="true">*</span>` : ''}</label>
  ${o.hint ? html`<span class="hint" id="${fid(name)}-hint">${o.hint}</span>` : ''}
  ${fieldError(name, errors)}
  <textarea id="${fid(name)}" name="${name}" rows="${o.rows ?? 8}"${o.required ? html` required aria-required="true"` : ''}${
    o.maxlength ? html` maxlength="${o.maxlength}"` : ''
  }${err ? html` aria-invalid="true"` : ''}${describedBy(name, Boolean(o.hint), err)}>${values[name] ?? ''}</textarea>
</div>`;
}

function select(name: string, o: InputOpts & { options: Option[]; empty: string }, values: FormValues, errors: FieldErrors): SafeHtml {
  const err = errors.has(name);
  const current = values[name] ?? '';
  return html`<div class="field${err ? ' has-error' : ''}">
  <label for="${fid(name)}">${o.label}${o.required ? html` <span class="req" aria-hidden="true">*</span>` : ''}</label>
  ${o.hint ? html`<span class="hint" id="${fid(name)}-hint">${o.hint}</span>` : ''}
  ${fieldError(name, errors)}
  <select id="${fid(name)}" name="${name}"${o.required ? html` required aria-required="true"` : ''}${err ? html` aria-invalid="true"` : ''}${describedBy(
    name,
    Boolean(o.hint),
    err,
  )}>
    <option value=""${current === '' ? html` selected` : ''}>${o.empty}</option>
    ${o.options.map((op) => html`<option value="${op.id}"${String(op.id) === current ? html` selected` : ''}>${op.name}</option>`)}
  </select>
</div>`;
}

/** The attachments input of the submission form and of a reply: the same limits, checked again on the server. */
function fileField(errors: FieldErrors, filesDropped: boolean): SafeHtml {
  return html`<div class="field${errors.has('attachments') ? ' has-error' : ''}">
    <label for="${fid('attachments')}">Tệp đính kèm (không bắt buộc)</label>
    <span class="hint" id="${fid('attachments')}-hint">Ảnh (JPEG, PNG, WebP) hoặc PDF; tối đa ${ATTACHMENT_LIMITS.maxFiles} tệp, mỗi tệp không quá ${ATTACHMENT_LIMITS.maxFileBytes / 1024 / 1024} MB.${
      filesDropped ? ' Vui lòng chọn lại tệp đã đính kèm.' : ''
    }</span>
    ${fieldError('attachments', errors)}
    <input id="${fid('attachments')}" name="attachments" type="file" multiple accept="image/jpeg,image/png,image/webp,application/pdf"${
      errors.has('attachments') ? html` aria-invalid="true"` : ''
    }${describedBy('attachments', true, errors.has('attachments'))}>
  </div>`;
}

/** A file size as people read it: "820 KB", "1,4 MB". */
function sizeVi(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1).replace('.', ',')} MB`;
}

// ------------------------------------------------------------------ the submission form

export interface FormPageData {
  categories: Option[];
  localities: Option[];
  values: FormValues;
  errors: FieldErrors;
  /** a token that makes a double submission of this form file one case */
  formId: string;
  /** files were chosen but the form came back with errors: they must be chosen again */
  filesDropped?: boolean;
}

/**
 * Consent to publish the business name. Not offered for a tố cáo (the reporter stays secret; the
 * server ignores it too): the form leaves it out when tố cáo was chosen, and without script a
 * style rule hides it as soon as the tố cáo choice is checked.
 */
function consentField(values: FormValues, errors: FieldErrors): SafeHtml {
  return html`<div class="field consent${errors.has('consentPublishName') ? ' has-error' : ''}">
    ${fieldError('consentPublishName', errors)}
    <div class="choice">
      <input type="checkbox" id="${fid('consentPublishName')}" name="consentPublishName" value="true"${values.consentPublishName === 'true' ? html` checked` : ''} aria-describedby="${fid('consentPublishName')}-hint">
      <div><label for="${fid('consentPublishName')}">Đồng ý công khai tên doanh nghiệp</label>
      <span class="hint" id="${fid('consentPublishName')}-hint">Khi kết quả xử lý được công bố hằng tháng. Nếu không chọn, tên doanh nghiệp không được công khai. Không áp dụng với tố cáo: danh tính người tố cáo luôn được giữ bí mật.</span></div>
    </div>
  </div>`;
}

export function formPage(d: FormPageData): string {
  const { values, errors } = d;
  const kindErr = errors.has('kind');
  const kinds = KIND_ORDER.map(
    (k: CaseKind, i) => html`<div class="choice">
      <input type="radio" name="kind" value="${k}" id="${i === 0 ? fid('kind') : `${fid('kind')}-${k}`}"${values.kind === k ? html` checked` : ''}${
        kindErr ? html` aria-invalid="true"` : ''
      } aria-describedby="${fid('kind')}-${k}-hint${kindErr ? ` ${fid('kind')}-error` : ''}">
      <div><label for="${i === 0 ? fid('kind') : `${fid('kind')}-${k}`}">${KIND_LABEL_VI[k]}</label>
      <span class="hint" id="${fid('kind')}-${k}-hint">${KIND_HELP_VI[k]}</span></div>
    </div>`,
  );
  const body = html`
<h1>Gửi phản ánh, kiến nghị của doanh nghiệp</h1>
<p class="lead">Doanh nghiệp, hộ kinh doanh, nhà đầu tư gửi khó khăn, vướng mắc, kiến nghị hoặc tố cáo cán bộ sách nhiễu. Không cần tài khoản: sau khi gửi, doanh nghiệp nhận <strong>mã hồ sơ</strong> và <strong>mã truy cập</strong> để theo dõi kết quả.</p>
<div class="notice" role="note"><strong>Không dùng cho trường hợp khẩn cấp.</strong> Cháy, nổ, cứu nạn: gọi 114. An ninh, trật tự: gọi 113. Cấp cứu y tế: gọi 115.</div>
${errorSummary(errors, FORM_FIELDS)}
<form method="post" action="/" enctype="multipart/form-data" novalidate>
  <input type="hidden" name="formId" value="${d.formId}">
  <p>Các mục có dấu <span class="req">*</span> là bắt buộc.</p>

  <h2>Nội dung</h2>
  <fieldset class="field${kindErr ? ' has-error' : ''}">
    <legend>Loại nội dung <span class="req" aria-hidden="true">*</span></legend>
    ${fieldError('kind', errors)}
    ${kinds}
  </fieldset>
  ${select('categoryId', { label: 'Lĩnh vực', required: true, options: d.categories, empty: '— Chọn lĩnh vực —' }, values, errors)}
  ${select('localityId', { label: 'Xã, phường nơi phát sinh vụ việc', hint: 'Bỏ trống nếu vụ việc liên quan cả tỉnh.', options: d.localities, empty: '— Không xác định / toàn tỉnh —' }, values, errors)}
  ${input('title', { label: 'Tiêu đề', hint: `Tóm tắt trong một câu (${LIMITS.titleMin}–${LIMITS.titleMax} ký tự).`, required: true, maxlength: LIMITS.titleMax + 50 }, values, errors)}
  ${textarea(
    'content',
    { label: 'Nội dung', hint: 'Nêu rõ sự việc, thời gian, cơ quan hoặc thủ tục liên quan và đề nghị của doanh nghiệp (ít nhất 20 ký tự).', required: true, rows: 10 },
    values,
    errors,
  )}
  ${fileField(errors, d.filesDropped === true)}

  <h2>Thông tin doanh nghiệp</h2>
  ${input('businessName', { label: 'Tên doanh nghiệp, hộ kinh doanh hoặc nhà đầu tư', required: true, autocomplete: 'organization', maxlength: LIMITS.businessNameMax + 50 }, values, errors)}
  ${input(
    'taxCode',
    {
      label: 'Mã số thuế',
      hint: 'Bắt buộc, trừ khi gửi kiến nghị. Gồm 10 chữ số, hoặc 10 chữ số, dấu gạch ngang và 3 chữ số với chi nhánh (ví dụ 0100109106-001); có thể gõ cách nhóm chữ số.',
      required: 'mark',
      inputmode: 'numeric',
      narrow: true,
      maxlength: 20,
      spellcheck: false,
    },
    values,
    errors,
  )}
  ${input('contactName', { label: 'Họ tên người liên hệ', required: true, autocomplete: 'name', maxlength: LIMITS.contactNameMax + 20 }, values, errors)}
  ${input('phone', { label: 'Số điện thoại', hint: 'Cần số điện thoại hoặc thư điện tử để cơ quan liên hệ.', type: 'tel', autocomplete: 'tel', narrow: true, maxlength: 30 }, values, errors)}
  ${input('email', { label: 'Thư điện tử', hint: 'Mã hồ sơ và kết quả trả lời được gửi về địa chỉ này.', type: 'email', autocomplete: 'email', maxlength: LIMITS.emailMax, spellcheck: false }, values, errors)}
  ${values.kind === 'to_cao' ? '' : consentField(values, errors)}
  <div class="hp" aria-hidden="true">
    <label for="website">Trang web (để trống ô này)</label>
    <input id="website" name="website" type="text" tabindex="-1" autocomplete="off" value="">
  </div>
  <button type="submit">Gửi phản ánh, kiến nghị</button>
</form>`;
  return page({ title: errors.size > 0 ? 'Lỗi: Gửi phản ánh, kiến nghị' : 'Gửi phản ánh, kiến nghị', body, current: 'form' });
}

// ------------------------------------------------------------------ confirmation

/** What a tố cáo's confirmation says, word for word. */
export const TO_CAO_CONFIRMATION = 'Đã tiếp nhận tố cáo. Danh tính người tố cáo được giữ bí mật.';

const RECEIVED_TITLE: Record<CaseKind, string> = {
  phan_anh: 'Đã tiếp nhận phản ánh',
  kien_nghi: 'Đã tiếp nhận kiến nghị',
  khieu_nai: 'Đã tiếp nhận khiếu nại',
  to_cao: 'Đã tiếp nhận tố cáo',
};

export function confirmationPage(a: SubmissionAnswer & { kind?: string }): string {
  const kind = a.kind && a.kind in RECEIVED_TITLE ? (a.kind as CaseKind) : null;
  const body = html`
<div class="panel" role="status">
  <h1>${kind ? RECEIVED_TITLE[kind] : 'Đã tiếp nhận phản ánh, kiến nghị'}</h1>
  ${kind === 'to_cao' ? html`<p class="lead" id="bao-mat"><strong>${TO_CAO_CONFIRMATION}</strong></p>` : ''}
  <p>Mã hồ sơ</p>
  <p class="code" id="ma-ho-so">${a.trackingCode}</p>
  <p>Mã truy cập</p>
  <p class="code" id="ma-truy-cap">${a.accessKey}</p>
</div>
<p><strong>Hãy ghi lại hoặc in trang này.</strong> Cần cả mã hồ sơ và mã truy cập để theo dõi hồ sơ; mã truy cập chỉ hiển thị một lần và không ai khác được biết. Nếu doanh nghiệp đã nhập thư điện tử, thư xác nhận có hai mã này cũng đã được gửi.</p>
<dl class="summary">
  <dt>Tình trạng</dt><dd>${a.statusLabel}</dd>
  <dt>Cơ quan xử lý</dt><dd>${a.agency ? a.agency.name : 'Tổ phản ứng nhanh đang phân công cơ quan xử lý'}</dd>
  <dt>Thời điểm tiếp nhận</dt><dd>${dateTimeVi(a.receivedAt)}</dd>
  <dt>Hạn trả lời${a.resolveDueProvisional ? ' (tạm tính)' : ''}</dt><dd>${dateTimeVi(a.resolveDueAt)}${
    a.resolveDueProvisional ? html` — muộn nhất; thời hạn giải quyết tính từ ngày cơ quan có thẩm quyền thụ lý` : ''
  }</dd>
  ${a.attachments > 0 ? html`<dt>Tệp đính kèm</dt><dd>${a.attachments} tệp</dd>` : ''}
</dl>
<p><a class="button" href="/tra-cuu/ho-so?ma=${encodeURIComponent(a.trackingCode)}">Xem tình trạng hồ sơ</a></p>
<p><a href="/">Gửi một phản ánh, kiến nghị khác</a></p>`;
  return page({ title: 'Đã tiếp nhận', body, current: 'form' });
}

/** What a filled honeypot gets: a thank-you without a code (nothing was recorded). */
export function honeypotPage(): string {
  return page({
    title: 'Đã gửi',
    body: html`<div class="panel" role="status"><h1>Cảm ơn doanh nghiệp</h1><p>Nội dung đã được gửi.</p></div><p><a href="/">Về trang đầu</a></p>`,
  });
}

// ------------------------------------------------------------------ tracking

const TRACK_FIELDS: Array<[string, string]> = [
  ['ma', 'Mã hồ sơ'],
  ['khoa', 'Mã truy cập'],
];

export function lookupPage(d: { values: FormValues; errors: FieldErrors; notFound?: boolean; expired?: boolean }): string {
  const errors = d.errors;
  const body = html`
<h1>Tra cứu hồ sơ</h1>
<p class="lead">Nhập mã hồ sơ (dạng PAKN.20260302.0001) và mã truy cập (dạng K7QM-4XRP-9TWD) nhận được khi gửi.</p>
${d.expired && !d.notFound ? html`<div class="notice" role="status"><strong>Vui lòng nhập lại mã truy cập</strong> Để bảo mật, hồ sơ chỉ được mở trong một thời gian ngắn trên trình duyệt này.</div>` : ''}
${d.notFound ? html`<div class="error-summary" role="alert" id="loi" tabindex="-1"><h2>Không tìm thấy hồ sơ</h2><p>Không có hồ sơ nào với mã hồ sơ và mã truy cập này. Vui lòng kiểm tra lại hai mã.</p></div>` : errorSummary(errors, TRACK_FIELDS)}
<form method="post" action="/tra-cuu" novalidate>
  ${input('ma', { label: 'Mã hồ sơ', required: true, narrow: true, spellcheck: false, code: true, maxlength: 40, autocomplete: 'off' }, d.values, errors)}
  ${input('khoa', { label: 'Mã truy cập', hint: 'Không phân biệt chữ hoa, chữ thường; có thể gõ hoặc bỏ dấu gạch ngang.', required: true, narrow: true, spellcheck: false, code: true, maxlength: 100, autocomplete: 'off' }, d.values, errors)}
  <button type="submit">Tra cứu</button>
</form>
<p><a href="/tra-cuu/quen-ma${d.values.ma ? `?ma=${encodeURIComponent(d.values.ma)}` : ''}">Quên mã truy cập?</a></p>`;
  return page({ title: d.notFound || errors.size > 0 ? 'Lỗi: Tra cứu hồ sơ' : 'Tra cứu hồ sơ', body, current: 'track' });
}

const RECOVER_FIELDS: Array<[string, string]> = [
  ['ma', 'Mã hồ sơ'],
  ['email', 'Thư điện tử'],
];

/**
 * "Quên mã truy cập?": the tracking code and the e-mail address given with the case. After the
 * post (`sent`) the page says the same whether or not they matched.
 */
export function recoverKeyPage(d: { values: FormValues; errors: FieldErrors; sent?: boolean }): string {
  const errors = d.errors;
  const code = d.values.ma ?? '';
  const body = d.sent
    ? html`
<h1>Cấp lại mã truy cập</h1>
<div class="flash" role="status"><p>Nếu mã hồ sơ và địa chỉ thư điện tử khớp với hồ sơ, mã truy cập mới đã được gửi đến địa chỉ thư điện tử đó; mã truy cập cũ không còn dùng được.</p></div>
<p>Thư thường đến trong vài phút. Nếu không nhận được, Quý doanh nghiệp vui lòng kiểm tra thư mục thư rác, kiểm tra lại mã hồ sơ và địa chỉ thư điện tử đã khai khi gửi, hoặc gọi đường dây nóng của Tổ phản ứng nhanh.</p>
<p><a class="button" href="/tra-cuu${code ? `?ma=${encodeURIComponent(code)}` : ''}">Tra cứu hồ sơ bằng mã mới</a></p>`
    : html`
<h1>Quên mã truy cập</h1>
<p class="lead">Nhập mã hồ sơ và địa chỉ thư điện tử doanh nghiệp đã khai khi gửi. Nếu hai thông tin khớp với hồ sơ, mã truy cập mới được gửi đến địa chỉ thư điện tử đó và mã cũ không còn dùng được.</p>
<p>Hồ sơ không có thư điện tử (gửi qua đường dây nóng, thư bưu điện…): vui lòng gọi đường dây nóng của Tổ phản ứng nhanh.</p>
${errorSummary(errors, RECOVER_FIELDS)}
<form method="post" action="/tra-cuu/quen-ma" novalidate>
  ${input('ma', { label: 'Mã hồ sơ', hint: 'Dạng PAKN.20260302.0001.', required: true, narrow: true, spellcheck: false, code: true, maxlength: 40, autocomplete: 'off' }, d.values, errors)}
  ${input('email', { label: 'Thư điện tử đã khai khi gửi', required: true, type: 'email', autocomplete: 'email', maxlength: LIMITS.emailMax, spellcheck: false }, d.values, errors)}
  <button type="submit">Gửi mã truy cập mới</button>
</form>
<p><a href="/tra-cuu">Quay lại tra cứu hồ sơ</a></p>`;
  return page({ title: `${errors.size > 0 ? 'Lỗi: ' : ''}${d.sent ? 'Cấp lại mã truy cập' : 'Quên mã truy cập'}`, body, current: 'track' });
}

const STATE_TEXT: Record<PublicCaseView['deadline']['state'], string> = {
  within_deadline: 'Trong hạn',
  overdue: 'Đã quá hạn',
  paused: 'Tạm dừng tính thời hạn trong khi chờ doanh nghiệp bổ sung thông tin',
  done: '',
};

export interface CasePageData {
  view: PublicCaseView;
  accessKey: string;
  flash?: string;
  /** which action form the errors belong to */
  errorsFor?: 'reply' | 'rate' | 'dispute' | 'withdraw';
  errors?: FieldErrors;
  values?: FormValues;
  /** files were chosen but the form came back with errors: they must be chosen again */
  filesDropped?: boolean;
}

function hiddenAccess(d: CasePageData): SafeHtml {
  return html`<input type="hidden" name="ma" value="${d.view.trackingCode}"><input type="hidden" name="khoa" value="${d.accessKey}">`;
}

function actionForms(d: CasePageData): SafeHtml {
  const v = d.view;
  const errs = (a: CasePageData['errorsFor']) => (d.errorsFor === a && d.errors ? d.errors : new Map<string, string>());
  const vals = (a: CasePageData['errorsFor']) => (d.errorsFor === a && d.values ? d.values : {});
  const sections: SafeHtml[] = [];
  if (v.allowedActions.includes('reply')) {
    const e = errs('reply');
    sections.push(html`<section aria-labelledby="h-bo-sung"><h3 id="h-bo-sung">Bổ sung thông tin theo yêu cầu</h3>
      <form method="post" action="/tra-cuu/bo-sung" enctype="multipart/form-data" novalidate>${hiddenAccess(d)}
      ${textarea('text', { label: 'Thông tin bổ sung', hint: 'Thời hạn giải quyết được tính tiếp khi doanh nghiệp gửi thông tin bổ sung.', required: true, rows: 6 }, vals('reply'), e)}
      ${fileField(e, d.errorsFor === 'reply' && d.filesDropped === true)}
      <button type="submit">Gửi thông tin bổ sung</button></form></section>`);
  }
  if (v.allowedActions.includes('rate')) {
    const e = errs('rate');
    const current = vals('rate').rating ?? '';
    const labels = ['Rất không hài lòng', 'Không hài lòng', 'Bình thường', 'Hài lòng', 'Rất hài lòng'];
    sections.push(html`<section aria-labelledby="h-danh-gia"><h3 id="h-danh-gia">Đánh giá kết quả trả lời</h3>
      <form method="post" action="/tra-cuu/danh-gia" novalidate>${hiddenAccess(d)}
      <fieldset class="field${e.has('rating') ? ' has-error' : ''}"${e.has('rating') ? html` aria-describedby="${fid('rating')}-error"` : ''}>
        <legend>Mức độ hài lòng <span class="req" aria-hidden="true">*</span></legend>
        ${fieldError('rating', e)}
        <div class="rating">${[1, 2, 3, 4, 5].map(
          (n) => html`<div class="choice"><input type="radio" name="rating" value="${n}" id="${n === 1 ? fid('rating') : `${fid('rating')}-${n}`}"${
            String(n) === current ? html` checked` : ''
          }><label for="${n === 1 ? fid('rating') : `${fid('rating')}-${n}`}">${n} — ${labels[n - 1]}</label></div>`,
        )}</div>
      </fieldset>
      ${textarea('comment', { label: 'Nhận xét (không bắt buộc)', rows: 4 }, vals('rate'), e)}
      <button type="submit">Gửi đánh giá</button></form></section>`);
  }
  if (v.allowedActions.includes('dispute')) {
    sections.push(html`<section aria-labelledby="h-khong-dong-y"><h3 id="h-khong-dong-y">Chưa đồng ý với kết quả</h3>
      <p>Doanh nghiệp có thể đề nghị xem xét lại${v.disputeUntil ? html` đến <strong>${dateTimeVi(v.disputeUntil)}</strong>` : ''}; hồ sơ sẽ được mở lại.</p>
      <form method="post" action="/tra-cuu/khong-dong-y" novalidate>${hiddenAccess(d)}
      ${textarea('reason', { label: 'Lý do chưa đồng ý', required: true, rows: 5 }, vals('dispute'), errs('dispute'))}
      <button type="submit">Đề nghị xem xét lại</button></form></section>`);
  }
  if (v.allowedActions.includes('withdraw')) {
    sections.push(html`<section aria-labelledby="h-rut"><h3 id="h-rut">Rút phản ánh, kiến nghị</h3>
      <p>Khi rút, hồ sơ kết thúc và cơ quan ngừng xử lý. Việc rút không thể hoàn tác.</p>
      <p><a class="button warning" href="/tra-cuu/rut?ma=${encodeURIComponent(v.trackingCode)}">Rút hồ sơ…</a></p></section>`);
  }
  if (sections.length === 0) return html``;
  return html`<div class="actions"><h2>Doanh nghiệp có thể</h2>${sections}</div>`;
}

export function casePage(d: CasePageData): string {
  const v = d.view;
  const dl = v.deadline;
  const stateClass = dl.state === 'overdue' ? 'state-overdue' : dl.state === 'paused' ? 'state-paused' : '';
  const errorCount = d.errors?.size ?? 0;
  const body = html`
<h1>Hồ sơ ${v.trackingCode}</h1>
${d.flash ? html`<div class="flash" role="status">${d.flash}</div>` : ''}
${errorCount > 0 && d.errors ? errorSummary(d.errors, [['text', 'Thông tin bổ sung'], ['attachments', 'Tệp đính kèm'], ['rating', 'Mức độ hài lòng'], ['comment', 'Nhận xét'], ['reason', 'Lý do']]) : ''}
<p class="lead">${v.title}</p>
<dl class="summary">
  <dt>Tình trạng</dt><dd><span class="status">${v.statusLabel}</span></dd>
  <dt>Loại</dt><dd>${v.kindLabel}</dd>
  ${v.categoryName ? html`<dt>Lĩnh vực</dt><dd>${v.categoryName}</dd>` : ''}
  ${v.localityName ? html`<dt>Xã, phường</dt><dd>${v.localityName}</dd>` : ''}
  <dt>Cơ quan xử lý</dt><dd>${v.agency ? v.agency.name : 'Đang phân công'}</dd>
  <dt>Tiếp nhận</dt><dd>${dateTimeVi(v.receivedAt)}</dd>
  <dt>Hạn trả lời${dl.provisional ? ' (tạm tính)' : ''}</dt><dd>${dateTimeVi(dl.resolveDueAt)}${
    dl.provisional ? html` — muộn nhất; thời hạn giải quyết tính từ ngày cơ quan có thẩm quyền thụ lý` : ''
  }${STATE_TEXT[dl.state] ? html` — <span class="${stateClass}">${STATE_TEXT[dl.state]}</span>` : ''}${
    dl.pausedSince ? html` (từ ${dateTimeVi(dl.pausedSince)})` : ''
  }</dd>
  ${v.resolvedAt ? html`<dt>Trả lời lúc</dt><dd>${dateTimeVi(v.resolvedAt)}</dd>` : ''}
  ${v.rating ? html`<dt>Đánh giá</dt><dd>${v.rating.rating}/5</dd>` : ''}
</dl>
${dl.extensions.length > 0
  ? html`<h2>Gia hạn</h2><ul>${dl.extensions.map(
      (e) => html`<li>Gia hạn ${e.description} (ngày ${dateTimeVi(e.at)}), hạn mới ${dateTimeVi(e.newDueAt)}. Lý do: ${e.reason}</li>`,
    )}</ul>`
  : ''}
${v.publicAnswer ? html`<h2>Kết quả trả lời</h2><div class="answer">${paragraphs(v.publicAnswer)}</div>` : ''}
${v.lastPublicNote && v.lastPublicNote !== v.publicAnswer && v.status !== 'resolved' && v.status !== 'closed'
  ? html`<h2>Thông báo mới nhất</h2><div class="answer">${paragraphs(v.lastPublicNote)}</div>`
  : ''}
<h2>Nội dung doanh nghiệp đã gửi</h2>
<div class="sent">
  <p><strong>Tiêu đề:</strong> ${v.title}</p>
  ${paragraphs(v.submission.content)}
  ${v.submission.attachments.length > 0
    ? html`<p><strong>Tệp đính kèm:</strong></p><ul class="files">${v.submission.attachments.map((f) => html`<li>${f.name} (${sizeVi(f.size)})</li>`)}</ul>`
    : html`<p>Không có tệp đính kèm.</p>`}
</div>
<h2>Quá trình xử lý</h2>
<ol class="timeline">
  ${v.timeline.map(
    (e) => html`<li><div class="when"><time datetime="${e.at}">${dateTimeVi(e.at)}</time> — ${e.by}</div><div><strong>${e.label}</strong></div>${paragraphs(e.text)}${
      e.ownText ? html`<div class="own"><p class="own-label">Nội dung doanh nghiệp gửi:</p>${paragraphs(e.ownText)}</div>` : ''
    }${e.attachments.length > 0 ? html`<p>Tệp đính kèm: ${e.attachments.join(', ')}</p>` : ''}</li>`,
  )}
</ol>
${actionForms(d)}
<p><a href="/tra-cuu">Tra cứu hồ sơ khác</a></p>`;
  return page({ title: `${errorCount > 0 ? 'Lỗi: ' : ''}Hồ sơ ${v.trackingCode}`, body, current: 'track' });
}

/** "Rút hồ sơ": a page of its own that says the withdrawal cannot be undone; only its button withdraws. */
export function withdrawConfirmPage(d: { view: PublicCaseView; accessKey: string; errors?: FieldErrors; values?: FormValues }): string {
  const v = d.view;
  const errors = d.errors ?? new Map<string, string>();
  const body = html`
<h1>Rút hồ sơ ${v.trackingCode}?</h1>
${errorSummary(errors, [['reason', 'Lý do rút']])}
<p class="lead">${v.title}</p>
<div class="notice"><strong>Việc rút hồ sơ không thể hoàn tác.</strong> Hồ sơ sẽ kết thúc và cơ quan xử lý ngừng giải quyết. Nếu cần, doanh nghiệp phải gửi một phản ánh, kiến nghị mới.</div>
<form method="post" action="/tra-cuu/rut" novalidate>
  <input type="hidden" name="ma" value="${v.trackingCode}"><input type="hidden" name="khoa" value="${d.accessKey}"><input type="hidden" name="confirm" value="1">
  ${textarea('reason', { label: 'Lý do rút (không bắt buộc)', rows: 3 }, d.values ?? {}, errors)}
  <button type="submit" class="warning">Xác nhận rút hồ sơ</button>
</form>
<p><a href="/tra-cuu/ho-so?ma=${encodeURIComponent(v.trackingCode)}">Không rút, quay lại hồ sơ</a></p>`;
  return page({ title: `${errors.size > 0 ? 'Lỗi: ' : ''}Rút hồ sơ ${v.trackingCode}`, body, current: 'track' });
}
