import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyBaseLogger, FastifyError, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import fp from 'fastify-plugin';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { AppError, type FieldError } from '../lib/errors.js';
import { PROBLEM_TYPE_BASE, PROBLEM_TYPES, problemTypeOfStatus, problemTypeUri, type ProblemType } from '../lib/problem-types.js';

export { PROBLEM_TYPE_BASE } from '../lib/problem-types.js';
export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** a public page: its errors are always an HTML page, whatever the Accept header says */
    htmlErrors?: boolean;
  }
}

/** What an HTML error page is given: the problem without its machine detail. */
export interface ProblemPageInput {
  status: number;
  type: ProblemType;
  title: string;
  /** the path asked for (no query string) */
  path: string;
  /** methods allowed on the path (405) */
  allow?: string;
}

export interface ProblemDetailsOptions {
  /** renders the HTML page a browser gets instead of problem+json; without it, always JSON */
  htmlPage?: (p: ProblemPageInput) => string;
}

/** Paths that are API surface: problem+json whatever the Accept header says. */
export function isApiPath(path: string): boolean {
  return path === '/api' || path.startsWith('/api/') || path === '/open311' || path.startsWith('/open311/') || path.startsWith('/openapi.json');
}

/**
 * Whether an Accept header prefers an HTML page to JSON: text/html has a higher quality than
 * both application/json and application/problem+json (each taken from its most specific range).
 * `*\/*` alone, or a tie, is not a preference: API clients keep problem+json.
 */
export function prefersHtml(accept: string | undefined): boolean {
  if (!accept) return false;
  const ranges = accept.split(',').flatMap((part) => {
    const [range, ...params] = part.trim().toLowerCase().split(';');
    if (!range) return [];
    const q = params.map((p) => /^\s*q\s*=\s*([0-9.]+)\s*$/.exec(p)).find(Boolean);
    const quality = q ? Number(q[1]) : 1;
    return Number.isFinite(quality) ? [{ range: range.trim(), q: quality }] : [];
  });
  const qualityOf = (type: string) => {
    const [major] = type.split('/');
    const exact = ranges.find((r) => r.range === type);
    if (exact) return exact.q;
    const sub = ranges.find((r) => r.range === `${major}/*`);
    if (sub) return sub.q;
    return ranges.find((r) => r.range === '*/*')?.q ?? 0;
  };
  const html = qualityOf('text/html');
  return html > 0 && html > qualityOf('application/json') && html > qualityOf('application/problem+json');
}

/** A browser asking for a page (or a public page's own route), outside the API paths. */
export function wantsHtmlPage(req: FastifyRequest): boolean {
  const path = req.url.split('?')[0];
  if (isApiPath(path)) return false;
  return req.routeOptions?.config?.htmlErrors === true || prefersHtml(req.headers.accept);
}

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
      type: problemTypeUri('bad-request'),
      title: PROBLEM_TYPES['bad-request'].title,
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
  const type = problemTypeOfStatus(status);
  const body = JSON.stringify({
    type: problemTypeUri(type),
    title: PROBLEM_TYPES[type].title,
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

/**
 * Sends a problem: RFC 9457 problem+json, or, for a browser outside the API paths (wantsHtmlPage),
 * a Vietnamese HTML page with the same status. The one way errors leave the service.
 */
function sendProblem(req: FastifyRequest, reply: FastifyReply, status: number, body: Record<string, unknown>, htmlPage?: ProblemDetailsOptions['htmlPage']) {
  const path = req.url.split('?')[0];
  body.instance = path;
  if (htmlPage && wantsHtmlPage(req)) {
    const type = String(body.type).slice(PROBLEM_TYPE_BASE.length) as ProblemType;
    const allow = reply.getHeader('allow');
    const page = htmlPage({
      status,
      type: type in PROBLEM_TYPES ? type : problemTypeOfStatus(status),
      title: String(body.title),
      path,
      allow: allow === undefined ? undefined : String(allow),
    });
    return reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').header('vary', 'accept').send(page);
  }
  // outside the API the answer depends on Accept: a cache must not hand the JSON to a browser
  if (htmlPage && !isApiPath(path)) reply.header('vary', 'accept');
  return reply.code(status).type(PROBLEM_CONTENT_TYPE).send(body);
}

/** One error handler: every error is an RFC 9457 problem+json body (an HTML page for a browser). */
export const problemDetails = fp<ProblemDetailsOptions>(
  async (app, opts) => {
    app.setErrorHandler((err: FastifyError, req, reply) => {
      let status = 500;
      let body: Record<string, unknown>;
      if (err instanceof AppError) {
        status = err.status;
        body = { type: problemTypeUri(err.type), title: err.title, status, detail: err.message, ...err.extra };
        // every limit of our own says when to come back
        if (err.retryAfterSeconds !== undefined) reply.header('retry-after', String(err.retryAfterSeconds));
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
          type: problemTypeUri('validation-error'),
          title: PROBLEM_TYPES['validation-error'].title,
          status,
          detail: errors.map((e) => `${e.path}: ${e.message}`).join('; '),
          errors,
        };
      } else if (isResponseSerializationError(err)) {
        req.log.error({ err }, 'response did not match its schema');
        body = { type: problemTypeUri('internal'), title: PROBLEM_TYPES.internal.title, status };
      } else if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
        status = err.statusCode;
        const code = err.code ?? '';
        // the framework's and plugins' own errors: too large, wrong media type, too many, bad body
        const type = problemTypeOfStatus(status);
        body = {
          type: problemTypeUri(type),
          title: PROBLEM_TYPES[type].title,
          status,
          detail: code === 'FST_ERR_CTP_INVALID_JSON_BODY' || /JSON/.test(err.message) ? 'The body is not valid JSON' : err.message,
        };
        if (status === 400) body.errors = [{ path: '(body)', in: 'body', message: String(body.detail) }];
        // headers the error carries (a rate limiter's Retry-After), as Fastify's own handler does
        const headers = (err as { headers?: Record<string, string> }).headers;
        if (headers) for (const [k, v] of Object.entries(headers)) if (reply.getHeader(k) === undefined) reply.header(k, v);
      } else if (pgBadInputCode(err)) {
        // never log the statement's parameters: they carry e-mails and free text
        req.log.warn({ sqlstate: pgBadInputCode(err), route: req.routeOptions.url }, 'the database refused a value the edge let through');
        status = 400;
        body = {
          type: problemTypeUri('bad-request'),
          title: PROBLEM_TYPES['bad-request'].title,
          status,
          detail: 'A value in the request cannot be stored (invalid characters, number or date)',
          errors: [{ path: '(request)', in: 'request', message: 'Giá trị không hợp lệ (ký tự, số hoặc ngày không đúng).' }],
        };
      } else {
        req.log.error({ err }, 'unhandled error');
        body = { type: problemTypeUri('internal'), title: PROBLEM_TYPES.internal.title, status: 500, detail: 'An internal error occurred; it has been logged' };
      }
      if (status >= 500 && !(err instanceof AppError)) status = 500;
      return sendProblem(req, reply, status, body, opts.htmlPage);
    });
  },
  { name: 'problem-details' },
);
