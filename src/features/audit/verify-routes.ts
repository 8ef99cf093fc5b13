import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { toLocalIso } from '../../domain/calendar.js';
import { problemSchema } from '../../lib/http.js';
import { toCheckpointJson } from '../timeline/checkpoints.js';

export const checkpointSchema = z
  .object({
    n: z.number().int().describe('the checkpoint number, 1.. without gaps'),
    seq: z.number().int().describe('the place in the chain it covers (every event up to this seq)'),
    hash: z.string().describe('the hash of the event at seq'),
    at: z.string().describe('when it was signed (ISO 8601, UTC)'),
    keyId: z.string().describe('first 16 hex digits of the SHA-256 of the public key (DER)'),
    signature: z.string().describe('base64 Ed25519 signature of the line `pakn-checkpoint/1 n=<n> seq=<seq> hash=<hash> at=<at>`'),
  })
  .meta({ id: 'ChainCheckpoint' });

export const problemItemSchema = z.object({
  kind: z
    .enum([
      'hash_mismatch',
      'prev_hash_mismatch',
      'missing_event',
      'truncated',
      'bad_checkpoint',
      'missing_checkpoint',
      'rewritten',
      'case_mismatch',
      'case_without_events',
      'events_without_case',
    ])
    .describe(
      'hash_mismatch: an event was edited; prev_hash_mismatch: re-linked; missing_event: deleted (a gap); truncated: the chain ends before a signed checkpoint; ' +
        'bad_checkpoint: a checkpoint whose signature fails; missing_checkpoint: a checkpoint removed; rewritten: the chain under a signed checkpoint was re-hashed; ' +
        'case_mismatch: a case row differs from its replayed timeline; case_without_events / events_without_case: a case row or its events gone',
    ),
  seq: z.number().int().optional().describe('the first place in the chain concerned'),
  caseId: z.number().int().optional(),
  field: z.string().optional().describe('case_mismatch: the case field that differs'),
  checkpoint: z.number().int().optional().describe('the checkpoint number concerned'),
  detail: z.string(),
});

export const verifyResultSchema = z
  .object({
    ok: z.boolean().describe('true when there is no problem at all'),
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
      .describe('the first broken link of the chain (also the first of `problems`)'),
    head: z.object({ seq: z.number().int(), hash: z.string() }).nullable().describe('the newest event of the chain'),
    checkpoint: checkpointSchema.nullable().describe('the latest signed checkpoint in the database'),
    problems: z.array(problemItemSchema).describe('every problem found, the first (in chain order) first; case problems by case id'),
    cases: z
      .object({
        checked: z.number().int(),
        notReplayable: z.number().int().describe('cases with a field that their (older) events do not record: not compared, not a problem'),
        ms: z.number().int(),
      })
      .optional()
      .describe('with ?cases=true: the replay of every case compared with its row'),
    verifiedAt: z.string(),
  })
  .meta({ id: 'ChainVerification' });

/** GET /api/v1/audit/verify: the hash chain, the signed checkpoints and (on request) the case rows. */
export async function registerAuditVerifyRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/api/v1/audit/verify',
    {
      config: { roles: ['inspector', 'admin'] },
      schema: {
        tags: ['audit'],
        operationId: 'verifyIntegrity',
        summary: 'Verify the timeline: the hash chain, its signed checkpoints and (with cases=true) every case row against its replayed events',
        description:
          'Seals what is pending, then walks the chain (each event chained to the one before by SHA-256) and compares it with the latest signed ' +
          'checkpoint and with the last checkpoint this process signed: a chain shorter than a checkpoint is `truncated`, a checkpoint whose Ed25519 ' +
          'signature fails is `bad_checkpoint`, a gap in the checkpoint numbers is `missing_checkpoint`. With `cases=true` each case\'s events are ' +
          'replayed and compared with the case row (status, agencyId, acceptDueAt, resolveDueAt, outcome, extensionsUsed, publicAnswer, rating); ' +
          'fields older events do not record are counted as not replayable, not reported. `ok` is false on any problem. ' +
          'Never signs a checkpoint itself. See docs/tamper-evidence.md.',
        querystring: z.object({
          cases: z
            .enum(['true', 'false', '1', '0'])
            .optional()
            .transform((v) => v === 'true' || v === '1')
            .describe('also replay every case and compare it with its row (about 30 s per million cases on PostgreSQL)'),
        }),
        response: { 200: verifyResultSchema, 400: problemSchema, 401: problemSchema, 403: problemSchema },
      },
    },
    async (req) => {
      const { integrity, clock } = app.services;
      const result = await integrity.verify({ cases: req.query.cases });
      return {
        ...result,
        checkpoint: result.checkpoint ? toCheckpointJson(result.checkpoint) : null,
        verifiedAt: toLocalIso(clock.now()),
      };
    },
  );
}
