import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { checkpointMessage, toCheckpointJson } from './checkpoints.js';

export const chainHeadSchema = z
  .object({
    algorithm: z.literal('Ed25519'),
    publicKey: z.string().describe('the public key checkpoints are signed with (SPKI PEM)'),
    keyId: z.string().describe('first 16 hex digits of the SHA-256 of the public key (DER)'),
    checkpoint: z
      .object({
        n: z.number().int().describe('checkpoint number, 1.. without gaps'),
        seq: z.number().int().describe('every event up to this place in the chain is covered'),
        hash: z.string().describe('the hash of the event at seq (SHA-256, hex)'),
        at: z.string().describe('when it was signed (ISO 8601, UTC)'),
        keyId: z.string(),
        signature: z.string().describe('base64 Ed25519 signature of `message` (UTF-8)'),
        publicKey: z.string().describe('the same public key, so that a saved copy is self-contained'),
        message: z.string().describe('the exact signed line'),
      })
      .nullable()
      .describe('the latest checkpoint; null before the first event'),
  })
  .meta({ id: 'ChainHead' });

/** GET /api/v1/public/chain/head: the public key and the latest signed checkpoint, for anyone to keep. */
export async function registerChainRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/api/v1/public/chain/head',
    {
      schema: {
        tags: ['public', 'audit'],
        operationId: 'getChainHead',
        summary: 'The latest signed checkpoint of the timeline and the public key it is signed with',
        description:
          'Every event of every case is chained by SHA-256 to the one before; every few seconds the service signs the head of that chain ' +
          '(seq, hash, time) with its Ed25519 key. Keep copies of this answer: later, `npm run verify -- --checkpoint <file>` on a copy of the ' +
          'database (or GET /api/v1/audit/verify) shows whether any event up to that seq was removed or rewritten. Contains no personal data.',
        response: { 200: chainHeadSchema },
      },
    },
    async (_req, reply) => {
      const { checkpoints } = app.services;
      const latest = await checkpoints.latest();
      reply.header('cache-control', 'no-cache');
      const key = checkpoints.key;
      return {
        algorithm: 'Ed25519' as const,
        publicKey: key.publicKeyPem,
        keyId: key.keyId,
        checkpoint: latest ? { ...toCheckpointJson(latest), publicKey: key.publicKeyPem, message: checkpointMessage(latest) } : null,
      };
    },
  );
}
