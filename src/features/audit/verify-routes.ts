import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { toLocalIso } from '../../domain/calendar.js';
import { sealAndVerify } from '../timeline/repository.js';

export const verifyResultSchema = z
  .object({
    ok: z.boolean().describe('true when every link of the chain holds'),
    checked: z.number().int().describe('events verified, in chain order'),
    lastSeq: z.number().int().describe('the last place in the chain reached'),
    unsealed: z.number().int().optional().describe('events committed but not yet given their place in the chain'),
    firstBroken: z
      .object({
        seq: z.number().int(),
        eventId: z.number().int().nullable(),
        caseId: z.number().int().nullable(),
        problem: z.enum(['hash_mismatch', 'prev_hash_mismatch', 'missing_event']),
      })
      .optional()
      .describe('hash_mismatch: the event was edited; prev_hash_mismatch: it was re-linked; missing_event: an event was deleted'),
    verifiedAt: z.string(),
  })
  .meta({ id: 'ChainVerification' });

/** GET /api/v1/audit/verify: walks the whole hash-chained timeline and names the first broken link. */
export async function registerAuditVerifyRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/api/v1/audit/verify',
    {
      config: { roles: ['inspector', 'admin'] },
      schema: {
        tags: ['audit'],
        summary: 'Verify the integrity of the timeline: every event chained to the one before by SHA-256; reports the first broken link',
        response: { 200: verifyResultSchema },
      },
    },
    async () => {
      const result = await sealAndVerify(app.services.db, app.services.chain);
      return { ...result, verifiedAt: toLocalIso(app.services.clock.now()) };
    },
  );
}
