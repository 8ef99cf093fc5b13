import type { FastifyServerOptions } from 'fastify';
import pino from 'pino';

/**
 * What the logs must never carry: access keys (`khoa`), Open311 `api_key`, tokens, and the values
 * a failed SQL statement was given (e-mails, names, free text). Requests are logged by method, URL
 * with those query values replaced, and status; bodies and credentials headers never.
 */

/** Query parameters whose values are secrets. */
const SECRET_PARAMS = new Set(['khoa', 'api_key', 'apikey', 'key', 'token', 'access_token', 'access_key', 'password', 'secret']);
const REDACTED = '[redacted]';

/** The URL with the values of secret query parameters replaced. */
export function redactUrl(url: string | undefined): string | undefined {
  if (!url) return url;
  const q = url.indexOf('?');
  if (q < 0) return url;
  const parts = url
    .slice(q + 1)
    .split('&')
    .map((p) => {
      const eq = p.indexOf('=');
      const rawName = eq < 0 ? p : p.slice(0, eq);
      let name = rawName;
      try {
        name = decodeURIComponent(rawName.replace(/\+/g, ' '));
      } catch {
        /* keep it raw */
      }
      return eq >= 0 && SECRET_PARAMS.has(name.trim().toLowerCase()) ? `${rawName}=${REDACTED}` : p;
    });
  return `${url.slice(0, q)}?${parts.join('&')}`;
}

type ErrorLike = Error & Record<string, unknown>;
const isErrorLike = (e: unknown): e is ErrorLike => e instanceof Error || (typeof e === 'object' && e !== null && 'message' in e && 'stack' in e);

/** A PostgreSQL error's text without the values it quotes (data and integrity errors echo the input). */
function redactPgText(text: string, code: unknown): string {
  if (typeof code !== 'string' || !/^2[23]/.test(code)) return text;
  return text
    .replace(/: "(?:[^"]|"")*"/g, `: "${REDACTED}"`) // invalid input syntax for type integer: "…"
    .replace(/=\(.*\)(?= already exists| is not present| conflicts|\.|$)/gs, `=(${REDACTED})`) // Key (email)=(…) already exists
    .replace(/Failing row contains \(.*\)/gs, `Failing row contains (${REDACTED})`);
}

/** A copy of an error, and of its causes, without SQL parameter values. */
export function withoutSecrets(err: unknown, depth = 0): unknown {
  if (!isErrorLike(err) || depth > 5) return err;
  const copy = Object.create(Object.getPrototypeOf(err)) as ErrorLike;
  for (const k of Object.keys(err)) copy[k] = err[k];
  let message = String(err.message ?? '');
  if ('params' in err && 'query' in err) {
    // drizzle's DrizzleQueryError: "Failed query: <sql>\nparams: <values>"
    message = message.replace(/\nparams: [\s\S]*$/, `\nparams: ${REDACTED}`);
    copy.params = REDACTED;
  }
  message = redactPgText(message, err.code);
  for (const k of ['detail', 'where', 'hint'] as const) {
    if (typeof err[k] === 'string') copy[k] = redactPgText(err[k] as string, err.code);
  }
  Object.defineProperty(copy, 'message', { value: message, enumerable: false, writable: true });
  const stack = typeof err.stack === 'string' ? err.stack : '';
  const atFrame = stack.search(/\n\s+at /);
  Object.defineProperty(copy, 'stack', {
    value: `${err.name ?? 'Error'}: ${message}${atFrame >= 0 ? stack.slice(atFrame) : ''}`,
    enumerable: false,
    writable: true,
  });
  if ('cause' in err) Object.defineProperty(copy, 'cause', { value: withoutSecrets(err.cause, depth + 1), enumerable: false, writable: true });
  return copy;
}

export const logSerializers = {
  req(req: { method?: string; url?: string; host?: string; ip?: string; socket?: { remotePort?: number } }) {
    return { method: req.method, url: redactUrl(req.url), host: req.host, remoteAddress: req.ip, remotePort: req.socket?.remotePort };
  },
  err: (err: unknown) => pino.stdSerializers.err(withoutSecrets(err) as Error),
};

/** The service's logger options; `stream` lets tests read what is logged. */
export function loggerOptions(level: string, stream?: NodeJS.WritableStream): FastifyServerOptions['logger'] {
  return {
    level,
    serializers: logSerializers,
    redact: { paths: ['req.headers.authorization', 'req.headers["x-access-key"]', 'req.headers.cookie', 'secret', '*.secret', 'previousSecret', '*.previousSecret'], censor: REDACTED },
    ...(stream ? { stream } : {}),
  } as FastifyServerOptions['logger'];
}
