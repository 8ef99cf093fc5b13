import type { FastifyInstance, FastifyRequest } from 'fastify';
import { clientAddress } from '../../lib/client-address.js';
import { TooManyRequests } from '../../lib/errors.js';
import { formatTrackingCode, parseTrackingCode } from '../../domain/validators.js';

/** Lost-key requests per tracking code per hour (per instance), whoever sends them. */
export const KEY_RECOVERY_PER_CODE_PER_HOUR = 5;

type Limiter = ReturnType<FastifyInstance['createRateLimit']>;
/** one pair per application (keyed by its services, shared by every plugin scope) */
const limiters = new WeakMap<object, { perIp: Limiter; perCode: Limiter }>();
const codeOf = new WeakMap<FastifyRequest, string>();

/** A tracking code as the service reads it, so that "pakn.20260302.1" and "PAKN.20260302.0001" count as one. */
function canonicalCode(code: string): string {
  const p = code.length <= 40 ? parseTrackingCode(code) : null;
  if (p) {
    try {
      return formatTrackingCode(p.date, p.seq);
    } catch {
      /* not a real code: counted as typed */
    }
  }
  return code.trim().toUpperCase().slice(0, 40);
}

/**
 * The two limits of "Quên mã truy cập?", shared by the web page and the API: per IP address
 * (PAKN_RATE_LIMIT_KEY_RECOVERY an hour) and per tracking code (KEY_RECOVERY_PER_CODE_PER_HOUR).
 * Both count every request, matched or not. Kept in memory like the other public limits (see
 * docs/decisions.md); the number of new keys per case is also capped in the database.
 */
export async function checkKeyRecoveryLimits(app: FastifyInstance, req: FastifyRequest, trackingCode: string): Promise<void> {
  let l = limiters.get(app.services);
  if (!l) {
    l = {
      perIp: app.createRateLimit({ max: app.config.PAKN_RATE_LIMIT_KEY_RECOVERY, timeWindow: '1 hour', keyGenerator: (r) => `quen-ma-ip:${clientAddress(r)}` }),
      perCode: app.createRateLimit({
        max: KEY_RECOVERY_PER_CODE_PER_HOUR,
        timeWindow: '1 hour',
        keyGenerator: (r) => `quen-ma-ma:${codeOf.get(r) ?? ''}`,
      }),
    };
    limiters.set(app.services, l);
  }
  codeOf.set(req, canonicalCode(trackingCode));
  for (const limit of [l.perIp, l.perCode]) {
    const r = await limit(req);
    if (!r.isAllowed && r.isExceeded) throw new TooManyRequests('Too many lost-key requests; try again later', r.ttlInSeconds);
  }
}
