import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf, problemSchema } from '../../lib/http.js';
import { checkFiles, contentDisposition, readMultipartBody, registerMultipart } from './attachments.js';
import {
  accessKeyHeaders,
  attachmentSchema,
  coerceFormFields,
  disputeBody,
  idempotencyHeaders,
  keyRecoveryAnswer,
  keyRecoveryBody,
  publicCaseView,
  publicSubmission,
  ratingBody,
  replyBody,
  staffCreatedAnswer,
  staffSubmission,
  submissionAnswer,
  trackingParams,
  withdrawBody,
} from './schemas.js';
import type { ActionInput } from '../cases/effects.js';
import { publicAct } from './public-actions.js';
import { checkKeyRecoveryLimits } from './key-recovery-limit.js';

const TAGS_PUBLIC = ['public'];
/** The one answer to a lost-key request, matched or not. */
export const KEY_RECOVERY_ANSWER =
  'Nếu mã hồ sơ và địa chỉ thư điện tử khớp với hồ sơ, mã truy cập mới đã được gửi đến địa chỉ đó; mã cũ không còn dùng được.';
const TAGS_STAFF = ['cases'];
const STAFF_READ_ROLES = ['coordinator', 'inspector', 'agency_staff', 'agency_lead'] as const;
const FORM_TYPES = ['application/json', 'multipart/form-data', 'application/x-www-form-urlencoded'];

/** Per-IP limit of the public routes that write (a flood never reaches staff routes, which carry none). */
export function publicRateLimit(app: FastifyInstance) {
  return { rateLimit: { max: app.config.PAKN_RATE_LIMIT_PUBLIC, timeWindow: '1 minute' } };
}

/**
 * Multipart and url-encoded submissions become the same object as a JSON body: text fields
 * converted (numbers, booleans), files kept aside on the request for the service to check.
 */
export async function formBodies(req: FastifyRequest): Promise<void> {
  if (req.isMultipart()) {
    const { fields, files } = await readMultipartBody(req);
    req.body = coerceFormFields(fields);
    req.intakeFiles = files;
  } else if (/^application\/x-www-form-urlencoded/i.test(req.headers['content-type'] ?? '') && req.body && typeof req.body === 'object') {
    req.body = coerceFormFields(req.body as Record<string, unknown>);
  }
}

const noStore = (reply: FastifyReply) => reply.header('cache-control', 'no-store');

export async function registerIntakeRoutes(app: FastifyInstance): Promise<void> {
  await app.register(async (scope) => {
    await registerMultipart(scope);
    const r = scope.withTypeProvider<ZodTypeProvider>();
    const intake = app.services.intake;

    // ------------------------------------------------------------ submission
    r.post(
      '/api/v1/public/cases',
      {
        config: publicRateLimit(app),
        preValidation: formBodies,
        schema: {
          tags: TAGS_PUBLIC,
          summary: 'Submit a case (phản ánh, kiến nghị, khiếu nại, tố cáo)',
          description:
            'JSON, application/x-www-form-urlencoded or multipart/form-data (fields as in the JSON body, plus up to 5 files: JPEG, PNG, WebP or PDF, ' +
            '5 MB each, checked by content). The case is routed and gets its deadlines at once. With `Idempotency-Key`, a retried request ' +
            'with the same body answers the first answer (same status and body, header `idempotent-replayed: true`) and creates nothing; ' +
            'the same key with another body answers 422. Limited per IP address (429).',
          consumes: FORM_TYPES,
          headers: idempotencyHeaders,
          body: publicSubmission,
          response: { 201: submissionAnswer, 400: problemSchema, 422: problemSchema, 429: problemSchema },
        },
      },
      async (req, reply) => {
        const r0 = await intake.submitPublic({
          input: req.body,
          files: req.intakeFiles ?? [],
          channel: 'api',
          idempotencyKey: req.headers['idempotency-key'],
        });
        noStore(reply);
        if (r0.replayed) reply.header('idempotent-replayed', 'true');
        return reply.code(r0.status as 201).send(r0.body);
      },
    );

    r.post(
      '/api/v1/cases',
      {
        config: { roles: ['coordinator'] },
        preValidation: formBodies,
        schema: {
          tags: TAGS_STAFF,
          summary: 'Enter a case received by hotline, Zalo, e-mail, dialogue conference, association or mail',
          description:
            '`channel` and `receivedAt` (when it really came in; not in the future, at most a year ago) are required. The answer carries the ' +
            'access key once, so that the coordinator can tell it to the business. Also accepted as multipart/form-data with attachments.',
          consumes: FORM_TYPES,
          body: staffSubmission,
          response: { 201: staffCreatedAnswer, 400: problemSchema },
        },
      },
      async (req, reply) => {
        const created = await intake.submitStaff(actorOf(req), req.body, req.intakeFiles ?? []);
        return noStore(reply).code(201).send(created);
      },
    );

    // ------------------------------------------------------------ public tracking
    r.get(
      '/api/v1/public/cases/:trackingCode',
      {
        schema: {
          tags: TAGS_PUBLIC,
          summary: 'Follow a case with its tracking code and access key (header X-Access-Key)',
          description: 'No personal data, no internal notes. A wrong code and a wrong key answer the same 404.',
          params: trackingParams,
          headers: accessKeyHeaders,
          response: { 200: publicCaseView, 404: problemSchema },
        },
      },
      async (req, reply) => {
        const c = await intake.findByAccess(req.params.trackingCode, req.headers['x-access-key']);
        return noStore(reply).send(await intake.publicView(c));
      },
    );

    const actionRoute = <S extends z.ZodType>(
      path: string,
      action: 'reply' | 'rate' | 'dispute' | 'withdraw',
      body: S,
      summary: string,
      toInput: (b: z.output<S>) => ActionInput,
      withFiles = false,
    ) =>
      r.post(
        `/api/v1/public/cases/:trackingCode/${path}`,
        {
          config: publicRateLimit(app),
          ...(withFiles ? { preValidation: formBodies } : {}),
          schema: {
            tags: TAGS_PUBLIC,
            summary,
            ...(withFiles
              ? {
                  consumes: FORM_TYPES,
                  description:
                    'JSON, or multipart/form-data with the same field and up to 5 files (JPEG, PNG, WebP or PDF, 5 MB each, checked by content, ' +
                    'as at submission); the files are stored with the case in the same transaction as the reply.',
                }
              : {}),
            params: trackingParams,
            headers: accessKeyHeaders,
            body,
            response: { 200: publicCaseView, 400: problemSchema, 404: problemSchema, 409: problemSchema, 429: problemSchema },
          },
        },
        async (req, reply) => {
          const c = await intake.findByAccess(req.params.trackingCode, req.headers['x-access-key']);
          const files = withFiles ? await checkFiles(req.intakeFiles ?? []) : [];
          await publicAct(app, c.id, action, { ...toInput(req.body as z.output<S>), ...(files.length > 0 ? { files } : {}) });
          const fresh = await intake.findByAccess(req.params.trackingCode, req.headers['x-access-key']);
          return noStore(reply).send(await intake.publicView(fresh));
        },
      );

    actionRoute('reply', 'reply', replyBody, 'Answer an information request (the clock runs again), with files if needed', (b) => ({ publicText: b.text }), true);
    actionRoute('rating', 'rate', ratingBody, 'Rate the answer (1–5, with an optional comment)', (b) => ({ rating: b.rating, comment: b.comment ?? undefined }));
    actionRoute('dispute', 'dispute', disputeBody, 'Disagree with the answer within 7 days (the case is reopened)', (b) => ({ publicText: b.reason }));
    actionRoute('withdraw', 'withdraw', withdrawBody, 'Withdraw the case', (b) => ({ publicText: b.reason ?? undefined }));

    r.post(
      '/api/v1/public/cases/:trackingCode/access-key-recovery',
      {
        config: publicRateLimit(app),
        schema: {
          tags: TAGS_PUBLIC,
          params: trackingParams,
          body: keyRecoveryBody,
          response: { 202: keyRecoveryAnswer, 400: problemSchema, 429: problemSchema },
        },
      },
      async (req, reply) => {
        await checkKeyRecoveryLimits(app, req, req.params.trackingCode);
        await intake.recoverAccessKey(req.params.trackingCode, req.body.email);
        return noStore(reply).code(202).send({ message: KEY_RECOVERY_ANSWER });
      },
    );

    // ------------------------------------------------------------ attachments (staff)
    const caseParam = z.object({ id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) });
    r.get(
      '/api/v1/cases/:id/attachments',
      {
        config: { roles: STAFF_READ_ROLES },
        schema: {
          tags: TAGS_STAFF,
          summary: "A case's attachments (agency roles: their agency's cases only)",
          params: caseParam,
          response: { 200: z.object({ items: z.array(attachmentSchema) }), 404: problemSchema },
        },
      },
      async (req) => ({ items: await intake.listAttachments(actorOf(req), req.params.id) }),
    );
    r.get(
      '/api/v1/cases/:id/attachments/:attId',
      {
        config: { roles: STAFF_READ_ROLES },
        schema: {
          tags: TAGS_STAFF,
          summary: 'Download an attachment (always as a download, with its checked type)',
          params: caseParam.extend({ attId: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) }),
          response: { 404: problemSchema },
        },
      },
      async (req, reply) => {
        const a = await intake.getAttachment(actorOf(req), req.params.id, req.params.attId);
        return reply
          .header('content-type', a.mime)
          .header('content-disposition', contentDisposition(a.filename))
          .header('x-content-type-options', 'nosniff')
          .header('content-security-policy', "default-src 'none'; sandbox")
          .header('cache-control', 'private, no-store')
          .header('digest', `sha-256=${Buffer.from(a.sha256, 'hex').toString('base64')}`)
          .send(a.data as never);
      },
    );
  });
}
