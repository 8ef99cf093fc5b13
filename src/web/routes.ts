import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { randomSecret } from '../lib/crypto.js';
import { AppError, BadRequest, NotFound, Unprocessable, type FieldError } from '../lib/errors.js';
import { readMultipartBody, registerMultipart, type IncomingFile } from '../features/intake/attachments.js';
import { publicAct, type BusinessAction } from '../features/intake/public-actions.js';
import { publicRateLimit } from '../features/intake/routes.js';
import { coerceFormFields, disputeBody, publicSubmission, ratingBody, replyBody, withdrawBody } from '../features/intake/schemas.js';
import {
  casePage,
  confirmationPage,
  errorPage,
  errorsByField,
  formPage,
  honeypotPage,
  lookupPage,
  type FieldErrors,
  type FormValues,
} from './intake-pages.js';

const HTML = 'text/html; charset=utf-8';
const FORM_ID = /^[A-Za-z0-9_-]{16,64}$/;

function sendPage(reply: FastifyReply, status: number, body: string) {
  return reply.code(status).type(HTML).header('cache-control', 'no-store').send(body);
}

/** Form bodies as plain strings (the last value of a repeated field). */
function stringsOf(body: unknown): FormValues {
  const out: FormValues = {};
  if (!body || typeof body !== 'object' || Array.isArray(body)) return out;
  for (const [k, v0] of Object.entries(body as Record<string, unknown>)) {
    const v = Array.isArray(v0) ? v0[v0.length - 1] : v0;
    if (typeof v === 'string') out[k] = v;
    else if (typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
  }
  return out;
}

function issuesToErrors(issues: z.core.$ZodIssue[]): FieldError[] {
  return issues.map((i) => ({ path: i.path.length ? i.path.map(String).join('.') : '(body)', message: i.message }));
}

const ACTION_PATHS: Record<string, { action: BusinessAction; done: string }> = {
  'bo-sung': { action: 'reply', done: 'Đã gửi thông tin bổ sung. Thời hạn giải quyết được tính tiếp.' },
  'danh-gia': { action: 'rate', done: 'Cảm ơn doanh nghiệp đã đánh giá kết quả trả lời.' },
  'khong-dong-y': { action: 'dispute', done: 'Đã ghi nhận đề nghị xem xét lại; hồ sơ được mở lại để xử lý tiếp.' },
  rut: { action: 'withdraw', done: 'Hồ sơ đã được rút theo đề nghị của doanh nghiệp.' },
};

/** The public web pages: /, /tra-cuu and the business's actions under /tra-cuu/…. */
export async function registerWebRoutes(app: FastifyInstance): Promise<void> {
  await app.register(async (scope) => {
    await registerMultipart(scope);
    const intake = app.services.intake;
    const limited = publicRateLimit(app);
    const hidden = { hide: true };

    // every failure of a page is a page
    scope.setErrorHandler((err: FastifyError, req, reply) => {
      const status = err instanceof AppError ? err.status : typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
      if (status >= 500) req.log.error({ err }, 'page failed');
      const message =
        status === 429
          ? 'Bạn đã gửi quá nhiều yêu cầu trong thời gian ngắn. Vui lòng thử lại sau ít phút.'
          : status === 413
            ? 'Nội dung gửi lên quá lớn.'
            : status === 404
              ? 'Không tìm thấy trang hoặc hồ sơ này.'
              : status >= 500
                ? 'Hệ thống đang gặp sự cố; nội dung của bạn chưa được ghi nhận. Vui lòng thử lại sau.'
                : 'Yêu cầu không hợp lệ. Vui lòng quay lại và thử lại.';
      if (status === 429 && reply.getHeader('retry-after') === undefined && (err as { headers?: Record<string, string> }).headers) {
        for (const [k, v] of Object.entries((err as { headers?: Record<string, string> }).headers ?? {})) reply.header(k, v);
      }
      return sendPage(reply, status, errorPage(status, message));
    });

    async function formData() {
      const [categories, localities] = await Promise.all([
        app.services.reference.listCategories({ activeOnly: true }),
        app.services.reference.listLocalities({ activeOnly: true }),
      ]);
      return {
        categories: categories.map((c) => ({ id: c.id, name: c.name })),
        localities: localities.map((l) => ({ id: l.id, name: l.name })),
      };
    }

    async function renderForm(reply: FastifyReply, status: number, values: FormValues, errors: FieldErrors, formId?: string, filesDropped = false) {
      const data = await formData();
      return sendPage(reply, status, formPage({ ...data, values, errors, formId: formId && FORM_ID.test(formId) ? formId : randomSecret('', 18), filesDropped }));
    }

    // ------------------------------------------------------------ the form
    scope.get('/', { schema: hidden }, async (_req, reply) => renderForm(reply, 200, {}, new Map()));

    scope.post('/', { schema: hidden, config: limited }, async (req, reply) => {
      let raw: FormValues = {};
      let files: IncomingFile[] = [];
      let fileProblems: FieldError[] = [];
      try {
        if (req.isMultipart()) ({ fields: raw, files, problems: fileProblems } = await readMultipartBody(req, { collect: true }));
        else raw = stringsOf(req.body);
      } catch (err) {
        if (err instanceof BadRequest) return renderForm(reply, 400, raw, errorsByField(err.errors), undefined, true);
        throw err;
      }
      const { website, formId, ...fields } = raw;
      if (fileProblems.length > 0 && !(website && website.trim() !== '')) {
        // the whole body was read: show the form again with everything typed and the error at the file field
        const parsedAll = publicSubmission.safeParse(coerceFormFields(fields));
        const all = [...fileProblems, ...(parsedAll.success ? [] : issuesToErrors(parsedAll.error.issues))];
        return renderForm(reply, 400, fields, errorsByField(all), formId, true);
      }
      if (website && website.trim() !== '') {
        // a robot filled the field people cannot see: thank it, record nothing
        req.log.info('form honeypot filled; nothing recorded');
        return sendPage(reply, 200, honeypotPage());
      }
      const parsed = publicSubmission.safeParse(coerceFormFields(fields));
      if (!parsed.success) return renderForm(reply, 400, fields, errorsByField(issuesToErrors(parsed.error.issues)), formId, files.length > 0);
      const key = formId && FORM_ID.test(formId) ? formId : undefined;
      try {
        let result;
        try {
          result = await intake.submitPublic({ input: parsed.data, files, channel: 'web', idempotencyKey: key });
        } catch (err) {
          // the same form sent again with other content (back button, edit, send): a new case
          if (!(err instanceof Unprocessable)) throw err;
          result = await intake.submitPublic({ input: parsed.data, files, channel: 'web' });
        }
        return sendPage(reply, 200, confirmationPage(result.body));
      } catch (err) {
        if (err instanceof BadRequest) return renderForm(reply, 400, fields, errorsByField(err.errors), formId, files.length > 0);
        throw err;
      }
    });

    // ------------------------------------------------------------ tracking
    async function showCase(reply: FastifyReply, code: string, key: string, extra: { flash?: string } = {}) {
      const c = await intake.findByAccess(code, key);
      return sendPage(reply, 200, casePage({ view: await intake.publicView(c), accessKey: key.trim(), ...extra }));
    }

    async function lookup(reply: FastifyReply, values: FormValues) {
      const ma = (values.ma ?? '').trim();
      const khoa = (values.khoa ?? '').trim();
      const errors: FieldErrors = new Map();
      if (!ma) errors.set('ma', 'Vui lòng nhập mã hồ sơ.');
      if (!khoa) errors.set('khoa', 'Vui lòng nhập mã truy cập.');
      if (errors.size > 0) return sendPage(reply, 400, lookupPage({ values, errors }));
      try {
        return await showCase(reply, ma, khoa);
      } catch (err) {
        if (err instanceof NotFound) return sendPage(reply, 404, lookupPage({ values: { ma }, errors: new Map(), notFound: true }));
        throw err;
      }
    }

    scope.get('/tra-cuu', { schema: hidden }, async (req, reply) => {
      const q = stringsOf(req.query);
      // a link from the receipt carries the code; the key is typed (or posted), never put in links by us
      if (q.ma && q.khoa) return lookup(reply, { ma: q.ma, khoa: q.khoa });
      return sendPage(reply, 200, lookupPage({ values: { ma: (q.ma ?? '').slice(0, 40) }, errors: new Map() }));
    });

    scope.post('/tra-cuu', { schema: hidden, config: limited }, async (req, reply) => lookup(reply, stringsOf(req.body)));

    for (const [path, { action, done }] of Object.entries(ACTION_PATHS)) {
      scope.post(`/tra-cuu/${path}`, { schema: hidden, config: limited }, async (req: FastifyRequest, reply) => {
        const { ma = '', khoa = '', ...fields } = stringsOf(req.body);
        let c;
        try {
          c = await intake.findByAccess(ma, khoa);
        } catch (err) {
          if (err instanceof NotFound) return sendPage(reply, 404, lookupPage({ values: { ma }, errors: new Map(), notFound: true }));
          throw err;
        }
        const again = async (status: number, errors: FieldErrors, flash?: string) =>
          sendPage(reply, status, casePage({ view: await intake.publicView(c), accessKey: khoa.trim(), errorsFor: action, errors, values: fields, flash }));

        let input: Record<string, unknown>;
        let parsed;
        switch (action) {
          case 'reply':
            parsed = replyBody.safeParse({ text: fields.text ?? '' });
            input = parsed.success ? { publicText: parsed.data.text } : {};
            break;
          case 'rate': {
            const rating = fields.rating && /^\d$/.test(fields.rating) ? Number(fields.rating) : fields.rating;
            parsed = ratingBody.safeParse({ rating, comment: fields.comment?.trim() ? fields.comment : undefined });
            input = parsed.success ? { rating: parsed.data.rating, comment: parsed.data.comment ?? undefined } : {};
            break;
          }
          case 'dispute':
            parsed = disputeBody.safeParse({ reason: fields.reason ?? '' });
            input = parsed.success ? { publicText: parsed.data.reason } : {};
            break;
          default:
            parsed = withdrawBody.safeParse({ reason: fields.reason?.trim() ? fields.reason : undefined });
            input = parsed.success ? { publicText: parsed.data.reason ?? undefined } : {};
        }
        if (!parsed.success) return again(400, errorsByField(issuesToErrors(parsed.error.issues)));
        try {
          await publicAct(app, c.id, action, input);
        } catch (err) {
          if (err instanceof AppError && err.status === 409) {
            return again(409, new Map([['(body)', 'Thao tác này không còn thực hiện được ở tình trạng hiện tại của hồ sơ.']]));
          }
          if (err instanceof BadRequest) return again(400, errorsByField(err.errors));
          throw err;
        }
        return showCase(reply, ma, khoa, { flash: done });
      });
    }
  });
}
