import { z } from 'zod';
import { normalizeLine } from '../../domain/validators.js';
import { patchSchema } from '../../lib/strict.js';
import { STAFF_ROLES } from '../auth/service.js';

const isoDate = z.iso.date();
const code = z.string().trim().min(1).max(64).regex(/^[a-z0-9_.-]+$/i, 'letters, digits, _ . - only');
const name = z.string().overwrite(normalizeLine).min(1).max(300);

export const AGENCY_KINDS = ['department', 'commune', 'police', 'tax', 'board', 'inspectorate', 'center', 'coordinator', 'other'] as const;

export const agencySchema = z
  .object({
    id: z.number().int(),
    code: z.string(),
    name: z.string(),
    shortName: z.string().nullable(),
    kind: z.string(),
    parentId: z.number().int().nullable(),
    contactEmails: z.array(z.string()),
    leadEmail: z.string().nullable(),
    activeFrom: z.string().nullable(),
    activeTo: z.string().nullable(),
  })
  .meta({ id: 'Agency' });

export const agencyInput = z.object({
  code,
  name,
  shortName: z.string().overwrite(normalizeLine).max(100).nullish(),
  kind: z.enum(AGENCY_KINDS),
  parentId: z.number().int().positive().nullish(),
  contactEmails: z.array(z.email()).max(20).default([]),
  leadEmail: z.email().nullish(),
  activeFrom: isoDate.nullish(),
  activeTo: isoDate.nullish(),
});
export const agencyPatch = patchSchema(agencyInput);

/** Public directory entry: no e-mail addresses. */
export const publicAgencySchema = z
  .object({ id: z.number().int(), code: z.string(), name: z.string(), shortName: z.string().nullable(), kind: z.string(), parentId: z.number().int().nullable() })
  .meta({ id: 'PublicAgency' });

export const categorySchema = z
  .object({
    id: z.number().int(),
    code: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    active: z.boolean(),
    attributes: z.array(z.unknown()),
  })
  .meta({ id: 'Category' });
export const categoryInput = z.object({
  code,
  name,
  description: z.string().trim().max(2000).nullish(),
  active: z.boolean().default(true),
  attributes: z
    .array(
      z.object({
        code: code,
        datatype: z.enum(['string', 'number', 'datetime', 'text', 'singlevaluelist', 'multivaluelist']),
        required: z.boolean().default(false),
        description: z.string().overwrite(normalizeLine).max(500),
        order: z.number().int().optional(),
        values: z.array(z.object({ key: z.string(), name: z.string().overwrite(normalizeLine) })).optional(),
      }),
    )
    .max(20)
    .default([]),
});
export const categoryPatch = patchSchema(categoryInput);

export const localitySchema = z
  .object({ id: z.number().int(), code: z.string(), name: z.string(), kind: z.string(), active: z.boolean() })
  .meta({ id: 'Locality' });
export const localityInput = z.object({ code, name, kind: z.enum(['xa', 'phuong']), active: z.boolean().default(true) });
export const localityPatch = patchSchema(localityInput);

export const userSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    email: z.string().nullable(),
    role: z.enum(STAFF_ROLES),
    agencyId: z.number().int().nullable(),
    active: z.boolean(),
  })
  .meta({ id: 'User' });
export const userInput = z.object({
  name,
  email: z.email().nullish(),
  role: z.enum(STAFF_ROLES),
  agencyId: z.number().int().positive().nullish(),
  active: z.boolean().default(true),
});
export const userPatch = patchSchema(userInput);

export const tokenSchema = z
  .object({
    id: z.number().int(),
    userId: z.number().int(),
    prefix: z.string(),
    label: z.string().nullable(),
    createdAt: z.date(),
    expiresAt: z.date().nullable(),
    revokedAt: z.date().nullable(),
    lastUsedAt: z.date().nullable(),
  })
  .meta({ id: 'ApiToken' });
export const tokenInput = z.object({
  userId: z.number().int().positive(),
  label: z.string().overwrite(normalizeLine).max(200).nullish(),
  expiresAt: z.coerce.date().nullish(),
});
export const tokenCreated = z
  .object({ id: z.number().int(), token: z.string().describe('shown once; only its hash is stored'), prefix: z.string() })
  .meta({ id: 'ApiTokenCreated' });

export const listOf = <T extends z.ZodTypeAny>(item: T) => z.object({ items: z.array(item) });

export const meSchema = z
  .object({
    userId: z.number().int(),
    name: z.string(),
    role: z.enum(STAFF_ROLES),
    agencyId: z.number().int().nullable().describe('agency roles: the one agency the token acts for (its feed: GET /api/v1/agencies/{agencyId}/feed)'),
    agencyName: z.string().nullable(),
  })
  .meta({ id: 'Me' });
