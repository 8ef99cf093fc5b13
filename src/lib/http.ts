import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Actor, StaffRole } from '../domain/roles.js';
import { Forbidden, Unauthorized } from './errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** staff roles allowed on this route; every /api/v1 route outside /public must say */
    roles?: readonly StaffRole[];
  }
  interface FastifyRequest {
    actor: Actor | null;
  }
}

export type App = FastifyInstance;

export const ALL_STAFF: readonly StaffRole[] = ['coordinator', 'agency_staff', 'agency_lead', 'inspector', 'admin'];

/** The authenticated actor of a staff route (the auth hook has run). */
export function actorOf(req: FastifyRequest): Actor {
  if (!req.actor) throw new Unauthorized();
  return req.actor;
}

export function requireRole(req: FastifyRequest, roles: readonly StaffRole[]): Actor {
  const a = actorOf(req);
  if (!roles.includes(a.role)) throw new Forbidden(`Role ${a.role} may not do this`);
  return a;
}

export function bearerToken(req: FastifyRequest): string | null {
  const h = req.headers.authorization;
  if (!h) return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m ? m[1] : null;
}

/** Common schema pieces. */
export const idParam = z.object({ id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) });
export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string(), in: z.string().optional() })).optional(),
  })
  .passthrough()
  .meta({ id: 'Problem' });

export function sendCsv(reply: FastifyReply, filename: string, csv: string) {
  return reply
    .header('content-type', 'text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${filename}"`)
    .send(csv);
}

