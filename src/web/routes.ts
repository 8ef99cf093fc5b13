import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { randomSecret } from '../lib/crypto.js';
import { AppError, BadRequest, NotFound, Unprocessable, type FieldError } from '../lib/errors.js';
import { readOpenCase, sameTrackingCode, writeOpenCase, type OpenCase } from './open-case.js';
import { checkFiles, readMultipartBody, registerMultipart, type CheckedFile, type IncomingFile } from '../features/intake/attachments.js';
import { publicAct, type BusinessAction } from '../features/intake/public-actions.js';
import { publicRateLimit } from '../features/intake/routes.js';
import { checkKeyRecoveryLimits } from '../features/intake/key-recovery-limit.js';
import { isValidEmail } from '../domain/validators.js';
import { coerceFormFields, disputeBody, publicSubmission, ratingBody, replyBody, withdrawBody } from '../features/intake/schemas.js';
import {
  casePage,
  confirmationPage,
  errorsByField,
  formPage,
  honeypotPage,
  lookupPage,
  recoverKeyPage,
  withdrawConfirmPage,
  type FieldErrors,
  type FormValues,
} from './intake-pages.js';

const HTML = 'text/html; charset=utf-8';
const VI_COLLATOR = new Intl.Collator('vi');
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

/** The message shown after the redirect (?xong=…): the action done, or a form sent again. */
const DONE_TEXT: Record<string, string> = {
  ...Object.fromEntries(Object.entries(ACTION_PATHS).map(([k, v]) => [k, v.done])),
  'da-xu-ly': 'Yêu cầu này đã được thực hiện trước đó hoặc không còn phù hợp với tình trạng hiện tại của hồ sơ; dưới đây là tình trạng mới nhất.',
};

function seeOther(reply: FastifyReply, location: string) {
  return reply.code(303).header('location', location).header('cache-control', 'no-store').send();
}

/** The public web pages: /, /tra-cuu and the business's actions under /tra-cuu/…. */
export async function registerWebRoutes(app: FastifyInstance): Promise<void> {
  await app.register(async (scope) => {
    await registerMultipart(scope);
    const intake = app.services.intake;
    const limited = publicRateLimit(app);
    const setOpenCase = (reply: FastifyReply, v: OpenCase) => writeOpenCase(reply, v, app.config.PUBLIC_BASE_URL.startsWith('https:'));
    const hidden = { hide: true };

    // every failure of a page is a page: the one error handler (problem-details.ts) renders it
    scope.addHook('onRoute', (route) => {
      route.config = { ...(route.config ?? {}), htmlErrors: true };
    });

    async function formData() {
      const [categories, localities] = await Promise.all([
        app.services.reference.listCategories({ activeOnly: true }),
        app.services.reference.listLocalities({ activeOnly: true }),
      ]);
      return {
        categories: categories.map((c) => ({ id: c.id, name: c.name })),
        // in Vietnamese alphabetical order (Đ after D, Ô after O), not by code points
        localities: localities.map((l) => ({ id: l.id, name: l.name })).sort((a, b) => VI_COLLATOR.compare(a.name, b.name)),
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
        const b = result.body;
        setOpenCase(reply, { c: b.trackingCode, k: b.accessKey, n: b.attachments });
        return seeOther(reply, `/da-tiep-nhan?ma=${encodeURIComponent(b.trackingCode)}`);
      } catch (err) {
        if (err instanceof BadRequest) return renderForm(reply, 400, fields, errorsByField(err.errors), formId, files.length > 0);
        throw err;
      }
    });

    // ------------------------------------------------------------ tracking
    // Post/Redirect/Get: every successful form post answers 303 to a page whose URL carries the
    // code, never the key; the open case travels in a short-lived HttpOnly cookie (open-case.ts).
    const casePath = (code: string, done?: string) => `/tra-cuu/ho-so?ma=${encodeURIComponent(code)}${done ? `&xong=${done}` : ''}`;

    /** The case the cookie opens, when it is the one the URL names and its key still works. */
    async function openCaseFor(req: FastifyRequest, code: string) {
      const oc = readOpenCase(req);
      if (!oc || !code || !sameTrackingCode(oc.c, code)) return null;
      try {
        return { c: await intake.findByAccess(oc.c, oc.k), key: oc.k, attachments: oc.n };
      } catch (err) {
        if (err instanceof NotFound) return null;
        throw err;
      }
    }

    async function lookup(reply: FastifyReply, values: FormValues) {
      const ma = (values.ma ?? '').trim();
      const khoa = (values.khoa ?? '').trim();
      const errors: FieldErrors = new Map();
      if (!ma) errors.set('ma', 'Vui lòng nhập mã hồ sơ.');
      if (!khoa) errors.set('khoa', 'Vui lòng nhập mã truy cập.');
      if (errors.size > 0) return sendPage(reply, 400, lookupPage({ values: { ma }, errors }));
      try {
        const c = await intake.findByAccess(ma, khoa);
        setOpenCase(reply, { c: c.trackingCode, k: khoa });
        return seeOther(reply, casePath(c.trackingCode));
      } catch (err) {
        if (err instanceof NotFound) return sendPage(reply, 404, lookupPage({ values: { ma }, errors: new Map(), notFound: true }));
        throw err;
      }
    }

    scope.get('/tra-cuu', { schema: hidden }, async (req, reply) => {
      const q = stringsOf(req.query);
      if (q.khoa !== undefined) {
        // a link typed or kept with the key: open the case, then show a URL without the key
        const ma = (q.ma ?? '').trim().slice(0, 40);
        try {
          const c = await intake.findByAccess(ma, q.khoa);
          setOpenCase(reply, { c: c.trackingCode, k: q.khoa.trim() });
          return seeOther(reply, casePath(c.trackingCode));
        } catch (err) {
          if (!(err instanceof NotFound)) throw err;
          return seeOther(reply, `/tra-cuu?ma=${encodeURIComponent(ma)}&khong-thay=1`);
        }
      }
      const notFound = q['khong-thay'] === '1';
      const expired = q['het-han'] === '1';
      return sendPage(reply, notFound ? 404 : 200, lookupPage({ values: { ma: (q.ma ?? '').slice(0, 40) }, errors: new Map(), notFound, expired }));
    });

    scope.post('/tra-cuu', { schema: hidden, config: limited }, async (req, reply) => lookup(reply, stringsOf(req.body)));

    // ------------------------------------------------------------ a lost access key
    scope.get('/tra-cuu/quen-ma', { schema: hidden }, async (req, reply) => {
      const q = stringsOf(req.query);
      return sendPage(reply, 200, recoverKeyPage({ values: { ma: (q.ma ?? '').trim().slice(0, 40) }, errors: new Map(), sent: q['da-gui'] === '1' }));
    });

    scope.post('/tra-cuu/quen-ma', { schema: hidden, config: limited }, async (req, reply) => {
      const values = stringsOf(req.body);
      const ma = (values.ma ?? '').trim().slice(0, 40);
      const email = (values.email ?? '').trim();
      await checkKeyRecoveryLimits(app, req, ma);
      const errors: FieldErrors = new Map();
      if (!ma) errors.set('ma', 'Vui lòng nhập mã hồ sơ.');
      if (!email) errors.set('email', 'Vui lòng nhập địa chỉ thư điện tử đã khai khi gửi.');
      else if (email.length > 254 || !isValidEmail(email)) errors.set('email', 'Địa chỉ thư điện tử không hợp lệ (ví dụ: ten@congty.vn).');
      if (errors.size > 0) return sendPage(reply, 400, recoverKeyPage({ values: { ma, email }, errors }));
      const outcome = await intake.recoverAccessKey(ma, email);
      req.log.info({ outcome }, 'access key recovery');
      // the same answer whether or not the code and the address matched
      return seeOther(reply, `/tra-cuu/quen-ma?da-gui=1&ma=${encodeURIComponent(ma)}`);
    });

    scope.get('/tra-cuu/ho-so', { schema: hidden }, async (req, reply) => {
      const q = stringsOf(req.query);
      const code = (q.ma ?? '').trim().slice(0, 40);
      const open = await openCaseFor(req, code);
      if (!open) return seeOther(reply, `/tra-cuu?ma=${encodeURIComponent(code)}&het-han=1`);
      const flash = q.xong && q.xong in DONE_TEXT ? DONE_TEXT[q.xong] : undefined;
      return sendPage(reply, 200, casePage({ view: await intake.publicView(open.c), accessKey: open.key, flash }));
    });

    scope.get('/da-tiep-nhan', { schema: hidden }, async (req, reply) => {
      const code = (stringsOf(req.query).ma ?? '').trim().slice(0, 40);
      const open = await openCaseFor(req, code);
      if (!open) return seeOther(reply, `/tra-cuu?ma=${encodeURIComponent(code)}&het-han=1`);
      const v = await intake.publicView(open.c);
      return sendPage(
        reply,
        200,
        confirmationPage({
          trackingCode: v.trackingCode,
          accessKey: open.key,
          status: v.status,
          statusLabel: v.statusLabel,
          agency: v.agency,
          receivedAt: v.receivedAt,
          resolveDueAt: v.deadline.resolveDueAt,
          trackingUrl: '',
          attachments: open.attachments ?? 0,
          kind: v.kind,
        } as Parameters<typeof confirmationPage>[0]),
      );
    });

    // the withdrawal asks first: a page saying it cannot be undone, then the confirmed post
    scope.get('/tra-cuu/rut', { schema: hidden }, async (req, reply) => {
      const code = (stringsOf(req.query).ma ?? '').trim().slice(0, 40);
      const open = await openCaseFor(req, code);
      if (!open) return seeOther(reply, `/tra-cuu?ma=${encodeURIComponent(code)}&het-han=1`);
      const view = await intake.publicView(open.c);
      if (!view.allowedActions.includes('withdraw')) return seeOther(reply, casePath(view.trackingCode));
      return sendPage(reply, 200, withdrawConfirmPage({ view, accessKey: open.key }));
    });

    for (const [path, { action }] of Object.entries(ACTION_PATHS)) {
      scope.post(`/tra-cuu/${path}`, { schema: hidden, config: limited }, async (req: FastifyRequest, reply) => {
        // a reply may carry files: the whole multipart body is read before anything is judged
        let body: FormValues = {};
        let files: IncomingFile[] = [];
        let fileProblems: FieldError[] = [];
        if (req.isMultipart()) ({ fields: body, files, problems: fileProblems } = await readMultipartBody(req, { collect: true }));
        else body = stringsOf(req.body);
        if (action !== 'reply') files = [];
        const { ma = '', khoa = '', ...fields } = body;
        let c;
        try {
          c = await intake.findByAccess(ma, khoa);
        } catch (err) {
          if (err instanceof NotFound) return sendPage(reply, 404, lookupPage({ values: { ma }, errors: new Map(), notFound: true }));
          throw err;
        }
        setOpenCase(reply, { c: c.trackingCode, k: khoa.trim() });
        if (action === 'withdraw' && fields.confirm !== '1') {
          // from an older page or a form without the confirmation: ask first
          return seeOther(reply, `/tra-cuu/rut?ma=${encodeURIComponent(c.trackingCode)}`);
        }
        const again = async (status: number, errors: FieldErrors) => {
          const view = await intake.publicView(c);
          if (action === 'withdraw') return sendPage(reply, status, withdrawConfirmPage({ view, accessKey: khoa.trim(), errors, values: fields }));
          const filesDropped = files.length > 0 || fileProblems.length > 0;
          return sendPage(reply, status, casePage({ view, accessKey: khoa.trim(), errorsFor: action, errors, values: fields, filesDropped }));
        };

        let input: Record<string, unknown> = {};
        let parsed;
        switch (action) {
          case 'reply': {
            parsed = replyBody.safeParse({ text: fields.text ?? '' });
            // files checked whatever the text, so that every problem is shown at once
            let fileErrors = fileProblems;
            let checked: CheckedFile[] = [];
            if (fileErrors.length === 0) {
              try {
                checked = await checkFiles(files);
              } catch (err) {
                if (!(err instanceof BadRequest)) throw err;
                fileErrors = err.errors;
              }
            }
            if (fileErrors.length > 0) {
              // the text typed comes back; the error stands at the file field
              return again(400, errorsByField([...(parsed.success ? [] : issuesToErrors(parsed.error.issues)), ...fileErrors]));
            }
            input = parsed.success ? { publicText: parsed.data.text, files: checked } : {};
            break;
          }
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
          // sent again (reload, Back): the case has moved on; show it as it is now, not as an error
          if (err instanceof AppError && err.status === 409) return seeOther(reply, casePath(c.trackingCode, 'da-xu-ly'));
          if (err instanceof BadRequest) return again(400, errorsByField(err.errors));
          throw err;
        }
        return seeOther(reply, casePath(c.trackingCode, path));
      });
    }
  });
}
