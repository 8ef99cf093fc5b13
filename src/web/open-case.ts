/**
 * The case a business has open in its browser, carried between a form post and the page it is
 * redirected to (Post/Redirect/Get) without ever putting the access key in a URL: a short-lived
 * cookie, HttpOnly, SameSite=Strict, Secure when the service is served over https.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';

export const OPEN_CASE_COOKIE = 'pakn_ho_so';
/** seconds: long enough to read the page and answer a form, short enough to be forgotten */
export const OPEN_CASE_MAX_AGE = 30 * 60;

export interface OpenCase {
  /** tracking code */
  c: string;
  /** access key as typed */
  k: string;
  /** attachments stored with a case just filed (for its confirmation page) */
  n?: number;
}

export function writeOpenCase(reply: FastifyReply, v: OpenCase, secure: boolean): void {
  const value = Buffer.from(JSON.stringify(v)).toString('base64url');
  reply.header(
    'set-cookie',
    `${OPEN_CASE_COOKIE}=${value}; Max-Age=${OPEN_CASE_MAX_AGE}; Path=/; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`,
  );
}

export function readOpenCase(req: FastifyRequest): OpenCase | null {
  const header = req.headers.cookie;
  if (typeof header !== 'string' || header.length > 8192) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== OPEN_CASE_COOKIE) continue;
    try {
      const v = JSON.parse(Buffer.from(part.slice(eq + 1).trim(), 'base64url').toString('utf8')) as Partial<OpenCase>;
      if (typeof v.c !== 'string' || typeof v.k !== 'string' || v.c.length > 40 || v.k.length > 200) return null;
      return { c: v.c, k: v.k, n: typeof v.n === 'number' && Number.isInteger(v.n) && v.n >= 0 && v.n <= 5 ? v.n : undefined };
    } catch {
      return null;
    }
  }
  return null;
}

/** Tracking codes compared as the service reads them (case and surrounding spaces ignored). */
export function sameTrackingCode(a: string, b: string): boolean {
  return a.trim().toUpperCase() === b.trim().toUpperCase();
}
