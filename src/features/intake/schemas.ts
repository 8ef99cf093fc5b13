import { z } from 'zod';
import { CASE_STATUSES } from '../../domain/lifecycle.js';
import { CASE_KINDS, PRIORITIES, type CaseKind } from '../../domain/sla.js';
import { isValidEmail, normalizeLine, normalizePhone, normalizeTaxCode, normalizeText, taxCodeError } from '../../domain/validators.js';

/**
 * Validation of a new case, shared by the public API, the coordinator's API and the web form:
 * one zod schema per entry point, Vietnamese messages naming each wrong field, text normalised
 * (NFC, control characters removed, whitespace collapsed) before lengths are checked.
 */

export const KIND_LABEL_VI: Record<CaseKind, string> = {
  phan_anh: 'Phản ánh',
  kien_nghi: 'Kiến nghị',
  khieu_nai: 'Khiếu nại',
  to_cao: 'Tố cáo',
};

/** The kinds in plain words, for the form. */
export const KIND_HELP_VI: Record<CaseKind, string> = {
  phan_anh: 'Doanh nghiệp gặp khó khăn, vướng mắc khi làm thủ tục hoặc thấy một quy định, thủ tục chưa hợp lý.',
  kien_nghi: 'Doanh nghiệp đề xuất, đề nghị cơ quan nhà nước xem xét, hỗ trợ hoặc sửa đổi một quy định, cách làm.',
  khieu_nai: 'Doanh nghiệp không đồng ý với một quyết định hoặc việc làm của cơ quan, cán bộ nhà nước ảnh hưởng đến quyền lợi của mình.',
  to_cao: 'Báo cho cơ quan có thẩm quyền biết cán bộ có hành vi sai phạm: sách nhiễu, gây phiền hà, đòi hoặc gợi ý tiền, quà. Danh tính người tố cáo được giữ bí mật.',
};

export const KIND_ORDER: CaseKind[] = ['phan_anh', 'kien_nghi', 'khieu_nai', 'to_cao'];

/** Channels a coordinator may enter a case from (web and api are the business's own). */
export const STAFF_CHANNELS = ['hotline', 'zalo', 'email', 'dialogue', 'association', 'mail'] as const;

export const LIMITS = {
  titleMin: 5,
  titleMax: 200,
  contentMin: 20,
  contentMax: 10_000,
  businessNameMin: 2,
  businessNameMax: 200,
  contactNameMin: 2,
  contactNameMax: 100,
  addressMax: 300,
  emailMax: 254,
  phoneRawMax: 30,
  taxCodeRawMax: 20,
  /** a case entered by a coordinator may have been received at most this long ago */
  receivedAtMaxAgeDays: 366,
} as const;

/** The fields a submission may carry (anything else is refused by name). */
export const PUBLIC_FIELDS = [
  'kind',
  'categoryId',
  'localityId',
  'title',
  'content',
  'businessName',
  'taxCode',
  'contactName',
  'phone',
  'email',
  'consentPublishName',
] as const;
export const STAFF_FIELDS = [...PUBLIC_FIELDS, 'channel', 'receivedAt', 'priority', 'confidential', 'address'] as const;

const oneLine = normalizeLine;

const missingOr = (missing: string, wrongType: string) => (iss: { input?: unknown }) =>
  iss.input === undefined || iss.input === null ? missing : wrongType;

function textField(label: string, min: number, max: number, multiline: boolean) {
  return z
    .string({ error: missingOr(`Vui lòng nhập ${label}.`, `${cap(label)} phải là một chuỗi ký tự.`) })
    .overwrite(multiline ? normalizeText : oneLine)
    .min(min, { error: (iss) => (min <= 1 || iss.input === '' ? `Vui lòng nhập ${label}.` : `${cap(label)} cần ít nhất ${min} ký tự.`) })
    .max(max, `${cap(label)} dài tối đa ${max} ký tự.`);
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

const idField = (label: string) =>
  z
    .number({ error: missingOr(`Vui lòng chọn ${label}.`, `Mã ${label} phải là một số nguyên dương.`) })
    .int(`Mã ${label} phải là một số nguyên dương.`)
    .positive(`Mã ${label} phải là một số nguyên dương.`)
    .max(2_147_483_647, `Mã ${label} không hợp lệ.`);

const taxCodeField = z
  .string({ error: 'Mã số thuế phải là một chuỗi ký tự (dạng 0123456789 hoặc 0123456789-001).' })
  .max(LIMITS.taxCodeRawMax, 'Mã số thuế quá dài (dạng 0123456789 hoặc 0123456789-001).')
  .overwrite(normalizeTaxCode)
  .superRefine((v, ctx) => {
    const e = taxCodeError(v);
    if (e) ctx.addIssue({ code: 'custom', message: e });
  })
  .describe('mã số thuế: 10 digits with a valid check digit, or 10 digits "-" 3 digits for a branch; spaces and dots between digit groups are ignored');

const phoneField = z
  .string({ error: 'Số điện thoại phải là một chuỗi ký tự.' })
  .max(LIMITS.phoneRawMax, 'Số điện thoại quá dài.')
  .overwrite((s) => s.trim())
  .refine((v) => normalizePhone(v) !== null, 'Số điện thoại không hợp lệ: nhập số di động (10 chữ số, ví dụ 0912 345 678) hoặc số cố định có mã vùng (ví dụ 0222 3822 123).')
  .overwrite((v) => normalizePhone(v) ?? v)
  .describe('Vietnamese mobile, landline or 1800/1900 number; +84/84 prefixes accepted; stored as digits');

const emailField = z
  .string({ error: 'Thư điện tử phải là một chuỗi ký tự.' })
  .max(LIMITS.emailMax, `Địa chỉ thư điện tử dài tối đa ${LIMITS.emailMax} ký tự.`)
  .overwrite((s) => s.trim())
  .refine(isValidEmail, 'Địa chỉ thư điện tử không hợp lệ (ví dụ: ten@congty.vn).');

const kindField = z.enum(CASE_KINDS as [CaseKind, ...CaseKind[]], {
  error: missingOr('Vui lòng chọn loại nội dung (phản ánh, kiến nghị, khiếu nại hoặc tố cáo).', `Loại nội dung phải là một trong: ${CASE_KINDS.join(', ')}.`),
});

const booleanField = (label: string) => z.boolean({ error: `${label} phải là true hoặc false.` });

const baseShape = {
  kind: kindField.describe('phan_anh | kien_nghi | khieu_nai | to_cao'),
  categoryId: idField('lĩnh vực').describe('GET /api/v1/public/categories'),
  localityId: idField('xã, phường').nullish().describe('GET /api/v1/public/localities; omit when the matter is province-wide'),
  title: textField('tiêu đề', LIMITS.titleMin, LIMITS.titleMax, false),
  content: textField('nội dung', LIMITS.contentMin, LIMITS.contentMax, true),
  businessName: textField('tên doanh nghiệp', LIMITS.businessNameMin, LIMITS.businessNameMax, false).describe(
    'enterprise, household business or investor',
  ),
  taxCode: taxCodeField.nullish(),
  contactName: textField('họ tên người liên hệ', LIMITS.contactNameMin, LIMITS.contactNameMax, false),
  phone: phoneField.nullish(),
  email: emailField.nullish(),
  consentPublishName: booleanField('Đồng ý công khai tên doanh nghiệp').default(false).describe('may the business name appear in publications (default no)'),
};

type Issue = { code: 'custom'; path: string[]; message: string };

/** Rules across fields, checked even when single fields are wrong (so the form shows everything at once). */
function crossFieldIssues(v: Record<string, unknown>, allowed: readonly string[]): Issue[] {
  const out: Issue[] = [];
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return out;
  for (const k of Object.keys(v)) {
    if (!allowed.includes(k)) out.push({ code: 'custom', path: [k], message: `Trường "${k.slice(0, 40)}" không được chấp nhận.` });
  }
  const blank = (x: unknown) => x === undefined || x === null || (typeof x === 'string' && x.trim() === '');
  if (blank(v.phone) && blank(v.email)) {
    out.push({ code: 'custom', path: ['phone'], message: 'Vui lòng nhập số điện thoại hoặc thư điện tử để cơ quan liên hệ và gửi kết quả.' });
  }
  if (v.kind !== 'kien_nghi' && (CASE_KINDS as unknown[]).includes(v.kind) && blank(v.taxCode)) {
    out.push({ code: 'custom', path: ['taxCode'], message: 'Vui lòng nhập mã số thuế (không bắt buộc với kiến nghị).' });
  }
  return out;
}

const always = { when: () => true };

/** POST /api/v1/public/cases (and the web form). */
export const publicSubmission = z
  .looseObject(baseShape)
  .superRefine((v, ctx) => {
    for (const i of crossFieldIssues(v as Record<string, unknown>, PUBLIC_FIELDS)) ctx.addIssue(i);
  }, always)
  .meta({
    id: 'PublicCaseSubmission',
    description:
      'A new case from a business. taxCode is required except for kien_nghi; phone or email is required. ' +
      'Also accepted as multipart/form-data with the same fields and up to 5 files (JPEG, PNG, WebP or PDF, 5 MB each).',
  });
export type PublicSubmission = z.output<typeof publicSubmission>;

/** A W3C/ISO date-time; without an offset it is read in Asia/Ho_Chi_Minh. */
const receivedAtField = z
  .string({ error: missingOr('Vui lòng nhập thời điểm tiếp nhận (receivedAt).', 'receivedAt phải là chuỗi ngày giờ ISO 8601.') })
  .max(40, 'receivedAt phải là chuỗi ngày giờ ISO 8601.')
  .refine((s) => parseReceivedAt(s) !== null, 'receivedAt phải là ngày giờ ISO 8601, ví dụ 2026-03-02T08:15:00+07:00.')
  .describe('when the call, letter or message actually came in (ISO 8601; without an offset: Asia/Ho_Chi_Minh); not in the future');

export function parseReceivedAt(s: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/i.exec(s.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, sec = '00', frac = '', zone] = m;
  if (Number(mo) < 1 || Number(mo) > 12 || Number(d) < 1 || Number(h) > 23 || Number(mi) > 59 || Number(sec) > 59) return null;
  const tz = !zone ? '+07:00' : zone.toUpperCase() === 'Z' ? 'Z' : zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone;
  const ms = frac ? `.${frac.slice(1, 4).padEnd(3, '0')}` : '';
  const t = new Date(`${y}-${mo}-${d}T${h}:${mi}:${sec}${ms}${tz}`);
  if (Number.isNaN(t.getTime())) return null;
  // reject day overflow (e.g. 31 February)
  const back = new Date(t.getTime() + (tz === 'Z' ? 0 : offsetMs(tz)));
  if (back.getUTCDate() !== Number(d)) return null;
  return t;
}

function offsetMs(tz: string): number {
  const sign = tz.startsWith('-') ? -1 : 1;
  return sign * (Number(tz.slice(1, 3)) * 3_600_000 + Number(tz.slice(4, 6)) * 60_000);
}

/** POST /api/v1/cases: a case a coordinator received by another channel. */
export const staffSubmission = z
  .looseObject({
    ...baseShape,
    channel: z
      .enum(STAFF_CHANNELS, { error: missingOr('Vui lòng chọn kênh tiếp nhận (channel).', `Kênh tiếp nhận phải là một trong: ${STAFF_CHANNELS.join(', ')}.`) })
      .describe('hotline | zalo | email | dialogue (hội nghị đối thoại) | association (hiệp hội) | mail'),
    receivedAt: receivedAtField,
    priority: z.enum(PRIORITIES as ['urgent', 'normal', 'complex'], { error: 'priority phải là urgent, normal hoặc complex.' }).optional(),
    confidential: booleanField('confidential').optional().describe('to_cao is always confidential'),
    address: textField('địa chỉ liên hệ', 1, LIMITS.addressMax, false).nullish().describe('postal address (cases received by mail)'),
  })
  .superRefine((v, ctx) => {
    for (const i of crossFieldIssues(v as Record<string, unknown>, STAFF_FIELDS)) ctx.addIssue(i);
  }, always)
  .meta({ id: 'StaffCaseSubmission' });
export type StaffSubmission = z.output<typeof staffSubmission>;

/**
 * Form and multipart values arrive as strings: numbers and booleans are converted, empty
 * optional fields dropped, repeated fields reduced to their last value.
 */
export function coerceFormFields(raw: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v0] of Object.entries(raw)) {
    const v = Array.isArray(v0) ? v0[v0.length - 1] : v0;
    if (typeof v !== 'string') {
      out[k] = v;
      continue;
    }
    if (k === 'categoryId' || k === 'localityId') {
      if (v.trim() === '') continue;
      out[k] = /^\s*\d{1,10}\s*$/.test(v) ? Number(v) : v;
    } else if (k === 'consentPublishName' || k === 'confidential') {
      const s = v.trim().toLowerCase();
      out[k] = ['1', 'true', 'on', 'yes', 'co', 'có'].includes(s) ? true : ['', '0', 'false', 'off', 'no', 'khong', 'không'].includes(s) ? false : v;
    } else if (['taxCode', 'phone', 'email', 'priority', 'address'].includes(k)) {
      if (v.trim() === '') continue;
      out[k] = v;
    } else {
      out[k] = v;
    }
  }
  return out;
}

// ------------------------------------------------------------------ answers

const isoOffset = z.string().describe('ISO 8601 with the +07:00 offset');

export const agencyRef = z.object({ id: z.number().int(), name: z.string() }).nullable();

export const submissionAnswer = z
  .object({
    trackingCode: z.string().describe('PAKN.YYYYMMDD.NNNN'),
    accessKey: z.string().describe('secret shown once; needed with the code to follow the case'),
    status: z.enum(CASE_STATUSES),
    statusLabel: z.string(),
    agency: agencyRef,
    receivedAt: isoOffset,
    resolveDueAt: isoOffset,
    resolveDueProvisional: z
      .boolean()
      .default(false)
      .describe('true for khiếu nại and tố cáo: the resolution period counts from acceptance (thụ lý), so resolveDueAt is the provisional latest deadline until then'),
    trackingUrl: z.string(),
    attachments: z.number().int().describe('files stored with the case'),
  })
  .meta({ id: 'SubmissionAnswer' });
export type SubmissionAnswer = z.output<typeof submissionAnswer>;

export const staffCreatedAnswer = z
  .object({
    id: z.number().int(),
    trackingCode: z.string(),
    accessKey: z.string().describe('tell it to the business: with the code it lets them follow the case'),
    kind: z.enum(CASE_KINDS as [CaseKind, ...CaseKind[]]),
    priority: z.string(),
    channel: z.string(),
    confidential: z.boolean(),
    status: z.enum(CASE_STATUSES),
    statusLabel: z.string(),
    agency: agencyRef,
    receivedAt: isoOffset,
    acceptDueAt: isoOffset.nullable(),
    resolveDueAt: isoOffset,
    resolveDueProvisional: z
      .boolean()
      .default(false)
      .describe('true for khiếu nại and tố cáo: the resolution period counts from acceptance (thụ lý), so resolveDueAt is the provisional latest deadline until then'),
    version: z.number().int(),
    trackingUrl: z.string(),
    attachments: z.number().int(),
  })
  .meta({ id: 'StaffCreatedCase' });
export type StaffCreatedAnswer = z.output<typeof staffCreatedAnswer>;

export const PUBLIC_ACTIONS = ['reply', 'rate', 'dispute', 'withdraw'] as const;
export type PublicAction = (typeof PUBLIC_ACTIONS)[number];

export const publicCaseView = z
  .object({
    trackingCode: z.string(),
    kind: z.string(),
    kindLabel: z.string(),
    categoryName: z.string().nullable(),
    localityName: z.string().nullable(),
    title: z.string(),
    submission: z
      .object({
        content: z.string().describe('the content as the business sent it'),
        attachments: z.array(z.object({ name: z.string(), size: z.number().int() })).describe('files sent with the case'),
      })
      .describe("what the business sent (its own data: it holds the key); never staff-internal data"),
    channel: z.string(),
    status: z.enum(CASE_STATUSES),
    statusLabel: z.string(),
    agency: z.object({ name: z.string() }).nullable(),
    receivedAt: isoOffset,
    deadline: z.object({
      resolveDueAt: isoOffset,
      resolveDueText: z.string().describe('the deadline in words (Asia/Ho_Chi_Minh)'),
      state: z.enum(['within_deadline', 'overdue', 'paused', 'done']),
      provisional: z
        .boolean()
        .describe('true for an open khiếu nại or tố cáo not accepted yet: resolveDueAt is the latest possible deadline; the deadline is fixed when the case is accepted (thụ lý)'),
      pausedSince: isoOffset.nullable().describe('set while the case waits for the business (the clock stands still)'),
      extensions: z.array(z.object({ at: isoOffset, description: z.string(), reason: z.string(), newDueAt: isoOffset })),
    }),
    lastPublicNote: z.string().nullable(),
    publicAnswer: z.string().nullable(),
    resolvedAt: isoOffset.nullable(),
    disputeUntil: isoOffset.nullable().describe('last moment to dispute the answer (7 days after it)'),
    rating: z.object({ rating: z.number().int(), comment: z.string().nullable(), at: isoOffset.nullable() }).nullable(),
    timeline: z.array(
      z.object({
        at: isoOffset,
        action: z.string(),
        label: z.string(),
        by: z.string().describe('who acted, as the business sees it: an agency or the team, never a person'),
        text: z.string(),
        ownText: z.string().nullable().describe("the business's own words with its own action (its reply, reason or comment)"),
        attachments: z.array(z.string()).describe('names of the files the business sent with this action (a reply)'),
      }),
    ),
    allowedActions: z.array(z.enum(PUBLIC_ACTIONS)),
  })
  .meta({ id: 'PublicCaseView' });
export type PublicCaseView = z.output<typeof publicCaseView>;

const actionText = (label: string, min: number, max: number) => textField(label, min, max, true);

export const replyBody = z.strictObject({ text: actionText('nội dung bổ sung', 5, 5000) }).meta({ id: 'PublicReply' });
export const ratingBody = z
  .strictObject({
    rating: z
      .number({ error: missingOr('Vui lòng chọn mức đánh giá từ 1 đến 5.', 'Mức đánh giá phải là số nguyên từ 1 đến 5.') })
      .int('Mức đánh giá phải là số nguyên từ 1 đến 5.')
      .min(1, 'Mức đánh giá phải là số nguyên từ 1 đến 5.')
      .max(5, 'Mức đánh giá phải là số nguyên từ 1 đến 5.'),
    comment: actionText('nhận xét', 1, 2000).nullish(),
  })
  .meta({ id: 'PublicRating' });
export const disputeBody = z.strictObject({ reason: actionText('lý do không đồng ý', 10, 5000) }).meta({ id: 'PublicDispute' });
export const withdrawBody = z.strictObject({ reason: actionText('lý do rút', 1, 2000).nullish() }).meta({ id: 'PublicWithdraw' });

export const keyRecoveryBody = z
  .strictObject({ email: emailField.describe('the e-mail address given with the case') })
  .meta({ id: 'AccessKeyRecovery' });
export const keyRecoveryAnswer = z
  .object({ message: z.string().describe('the same text whether or not the code and the address matched') })
  .meta({ id: 'AccessKeyRecoveryAnswer' });

export const trackingParams = z.object({ trackingCode: z.string().min(1).max(40) });
export const accessKeyHeaders = z.looseObject({
  'x-access-key': z.string().max(200).optional().describe('the access key returned at submission'),
});
export const idempotencyHeaders = z.looseObject({
  'idempotency-key': z
    .string()
    .min(1)
    .max(200)
    .regex(/^[\x21-\x7e]+$/, 'Idempotency-Key: 1–200 visible ASCII characters')
    .optional()
    .describe('a retried submission with the same key and body gets the first answer'),
});

export const attachmentSchema = z
  .object({ id: z.number().int(), filename: z.string(), mime: z.string(), size: z.number().int(), sha256: z.string(), createdAt: isoOffset })
  .meta({ id: 'Attachment' });
