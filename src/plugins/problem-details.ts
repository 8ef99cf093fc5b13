import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyBaseLogger, FastifyError, FastifyServerOptions } from 'fastify';
import fp from 'fastify-plugin';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { AppError, type FieldError } from '../lib/errors.js';

export const PROBLEM_TYPE_BASE = '/docs/problems#';
export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

/** Location of a zod validation issue as a dotted field path. */
export function fieldPath(instancePath: string | undefined): string {
  if (!instancePath) return '';
  return instancePath
    .replace(/^\//, '')
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
}

/** Errors the router answers before any handler (bad percent-escapes, over-long parameters). A Fastify server option. */
export const frameworkErrors: NonNullable<FastifyServerOptions['frameworkErrors']> = (err, req, res) => {
  const status = (err as { statusCode?: number }).statusCode ?? 400;
  const reply = res as unknown as { code: (n: number) => { type: (t: string) => { send: (b: unknown) => void } } };
  reply
    .code(status)
    .type(PROBLEM_CONTENT_TYPE)
    .send({
      type: `${PROBLEM_TYPE_BASE}bad-request`,
      title: 'Yêu cầu không hợp lệ (bad request)',
      status,
      detail: status === 414 ? 'A path segment is too long' : 'The URL is malformed',
      instance: (req.url ?? '').split('?')[0].slice(0, 200),
    });
};

/**
 * Errors the HTTP server answers before Fastify sees a request (header too large, malformed
 * request line or chunked body, timeouts): problem+json as well. A Fastify server option.
 */
export const clientErrorHandler = function (this: { log: FastifyBaseLogger }, err: Error, socket: Duplex) {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ECONNRESET' || socket.destroyed) return;
  const status = code === 'HPE_HEADER_OVERFLOW' ? 431 : code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const detail =
    status === 431
      ? 'The request headers are too large'
      : status === 408
        ? 'The request took too long to arrive'
        : code === 'HPE_INVALID_CHUNK_SIZE' || code === 'HPE_INVALID_TRANSFER_ENCODING' || code === 'HPE_UNEXPECTED_CONTENT_LENGTH'
          ? 'The request body is malformed (chunked encoding or length)'
          : 'The request is malformed';
  const body = JSON.stringify({
    type: `${PROBLEM_TYPE_BASE}${status === 431 ? 'header-too-large' : status === 408 ? 'request-timeout' : 'bad-request'}`,
    title: status === 431 ? 'Tiêu đề yêu cầu quá lớn (header too large)' : status === 408 ? 'Hết thời gian chờ (request timeout)' : 'Yêu cầu không hợp lệ (bad request)',
    status,
    detail,
  });
  this.log.debug({ code }, 'client error');
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
} as NonNullable<FastifyServerOptions['clientErrorHandler']>;

/**
 * PostgreSQL's "data exception" codes that bad input can cause (NUL or an invalid byte in text or
 * jsonb, a value that is not a number or a date, out of range, too long). The edge refuses such
 * input first; this is the backstop, so that a missed field answers 400, never 500.
 */
const PG_BAD_INPUT = new Set(['22021', '22P02', '22P05', '22007', '22008', '22003', '22001', '22025', '22019', '2201B', '22023', '22026']);

/** The SQLSTATE of a database error, looking through wrappers (drizzle wraps the driver's error in `cause`). */
export function pgBadInputCode(err: unknown): string | null {
  for (let e = err, i = 0; e && typeof e === 'object' && i < 5; e = (e as { cause?: unknown }).cause, i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && PG_BAD_INPUT.has(code)) return code;
  }
  return null;
}

/** One error handler: every error is an RFC 9457 problem+json body. */
export const problemDetails = fp(
  async (app) => {
    app.setErrorHandler((err: FastifyError, req, reply) => {
      let status = 500;
      let body: Record<string, unknown>;
      if (err instanceof AppError) {
        status = err.status;
        body = { type: PROBLEM_TYPE_BASE + err.type, title: err.title, status, detail: err.message, ...err.extra };
      } else if (hasZodFastifySchemaValidationErrors(err)) {
        status = 400;
        const where = (err as { validationContext?: string }).validationContext ?? 'body';
        const errors: (FieldError & { in: string })[] = err.validation.flatMap((v) => {
          const p = fieldPath(v.instancePath);
          const missing = (v.params as { issue?: { code?: string; path?: PropertyKey[] } })?.issue;
          // a strict schema met fields or query parameters it does not know: name each one
          const unknown = v.keyword === 'unrecognized_keys' ? (v.params as { keys?: string[] }).keys : undefined;
          if (unknown?.length) {
            const what = where === 'querystring' ? 'query parameter' : 'field';
            return unknown.map((k) => ({ path: p ? `${p}.${k}` : k, in: where, message: `unknown ${what}` }));
          }
          const path = p || (missing?.path?.length ? missing.path.join('.') : `(${where})`);
          return { path, in: where, message: v.message ?? 'invalid' };
        });
        body = {
          type: PROBLEM_TYPE_BASE + 'validation-error',
          title: 'Dữ liệu không hợp lệ (invalid request)',
          status,
          detail: errors.map((e) => `${e.path}: ${e.message}`).join('; '),
          errors,
        };
      } else if (isResponseSerializationError(err)) {
        req.log.error({ err }, 'response did not match its schema');
        body = { type: PROBLEM_TYPE_BASE + 'internal', title: 'Lỗi hệ thống (internal error)', status };
      } else if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
        status = err.statusCode;
        const code = err.code ?? '';
        const type =
          status === 413 ? 'payload-too-large' : status === 415 ? 'unsupported-media-type' : status === 429 ? 'rate-limited' : 'bad-request';
        body = {
          type: PROBLEM_TYPE_BASE + type,
          title: status === 429 ? 'Quá nhiều yêu cầu (too many requests)' : 'Yêu cầu không hợp lệ (bad request)',
          status,
          detail: code === 'FST_ERR_CTP_INVALID_JSON_BODY' || /JSON/.test(err.message) ? 'The body is not valid JSON' : err.message,
        };
        if (status === 400) body.errors = [{ path: '(body)', in: 'body', message: String(body.detail) }];
      } else if (pgBadInputCode(err)) {
        // never log the statement's parameters: they carry e-mails and free text
        req.log.warn({ sqlstate: pgBadInputCode(err), route: req.routeOptions.url }, 'the database refused a value the edge let through');
        status = 400;
        body = {
          type: PROBLEM_TYPE_BASE + 'bad-request',
          title: 'Yêu cầu không hợp lệ (bad request)',
          status,
          detail: 'A value in the request cannot be stored (invalid characters, number or date)',
          errors: [{ path: '(request)', in: 'request', message: 'Giá trị không hợp lệ (ký tự, số hoặc ngày không đúng).' }],
        };
      } else {
        req.log.error({ err }, 'unhandled error');
        body = { type: PROBLEM_TYPE_BASE + 'internal', title: 'Lỗi hệ thống (internal error)', status: 500, detail: 'An internal error occurred; it has been logged' };
      }
      if (status >= 500 && !(err instanceof AppError)) status = 500;
      body.instance = req.url.split('?')[0];
      return reply.code(status).type(PROBLEM_CONTENT_TYPE).send(body);
    });
  },
  { name: 'problem-details' },
);
