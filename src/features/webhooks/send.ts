import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { Target } from './address.js';

/** A delivery attempt's whole time limit (connect, send, answer). */
export const DELIVERY_TIMEOUT_MS = 10_000;
/** at most this much of an answer is read (then the connection is dropped) */
const MAX_ANSWER_BYTES = 64 * 1024;

export interface SendResult {
  /** the HTTP status, or null when there was no answer */
  status: number | null;
  /** why the attempt failed (null on 2xx) */
  error: string | null;
}

/**
 * POSTs `body` to the checked target. The connection goes to `target.address` (the DNS lookup is
 * pinned to the address that was checked), TLS still verifies the certificate for the URL's host,
 * a redirect is an answer like any other non-2xx (never followed), and the whole attempt is
 * aborted after `timeoutMs`.
 */
export function postJson(target: Target, headers: Record<string, string>, body: string, timeoutMs = DELIVERY_TIMEOUT_MS): Promise<SendResult> {
  const { url } = target;
  const pinned: LookupFunction = (_host, opts, cb) => {
    if ((opts as { all?: boolean }).all) (cb as unknown as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [{ address: target.address, family: target.family }]);
    else cb(null, target.address, target.family);
  };
  const mod = url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: SendResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    const req = mod.request(
      {
        protocol: url.protocol,
        hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        method: 'POST',
        lookup: pinned,
        agent: false,
        headers: {
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          'user-agent': 'pakn-webhooks/1',
          ...headers,
        },
      },
      (res) => {
        const status = res.statusCode ?? 0;
        let read = 0;
        res.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > MAX_ANSWER_BYTES) res.destroy();
        });
        const finish = () =>
          done(
            status >= 200 && status < 300
              ? { status, error: null }
              : { status, error: status >= 300 && status < 400 ? `HTTP ${status} (redirects are not followed)` : `HTTP ${status}` },
          );
        res.on('end', finish);
        res.on('close', finish);
        res.on('error', finish);
      },
    );
    const timer = setTimeout(() => {
      req.destroy(new Error(`no answer within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) => done({ status: null, error: (err.code ? `${err.code}: ` : '') + err.message.slice(0, 300) }));
    req.end(body);
  });
}
