import fp from 'fastify-plugin';
import { controlCharMessage, controlCharProblem, findControlChars, forbiddenChar, type FoundControlChar } from '../lib/control-chars.js';

/** Request headers the app reads (Node's own parser already refuses control characters on a real socket). */
const HEADERS_READ = ['authorization', 'x-access-key', 'idempotency-key', 'if-match', 'if-none-match', 'accept', 'content-type', 'x-request-id', 'x-forwarded-for'];

/**
 * Control characters in a path segment, a query parameter, a header the app reads or a body
 * field answer 400 naming where they are, on every route, before validation and before any
 * handler runs. Multipart parts are read by the route and checked there with the same rule
 * (features/intake/attachments.ts).
 */
export const rejectControlChars = fp(
  async (app) => {
    app.addHook('preValidation', async (req) => {
      const found: FoundControlChar[] = [
        ...findControlChars(req.params, 'params', 'line'),
        ...findControlChars(req.query, 'querystring', 'line'),
      ];
      for (const h of HEADERS_READ) {
        const v = req.headers[h];
        for (const s of Array.isArray(v) ? v : v === undefined ? [] : [v]) {
          const c = forbiddenChar(s, 'header');
          if (c) found.push({ path: h, in: 'headers', message: controlCharMessage(c) });
        }
      }
      if (req.body !== undefined && req.body !== null && !Buffer.isBuffer(req.body)) found.push(...findControlChars(req.body, 'body', 'text'));
      if (found.length > 0) throw controlCharProblem(found);
    });
  },
  { name: 'reject-control-chars' },
);
