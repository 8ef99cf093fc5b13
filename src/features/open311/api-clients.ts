/**
 * Open311 client apps and their api_keys: issue (the key is shown once, only its hash is
 * kept), list, deactivate, and the key check every POST and GET goes through.
 */
import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { apiClients } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { randomSecret, sha256Hex } from '../../lib/crypto.js';
import { NotFound } from '../../lib/errors.js';

/** Key issued to a client application; only its hash is stored. */
const API_KEY_PREFIX = 'o311_';
const LAST_USED_RESOLUTION_MS = 60_000;

export interface ApiClient {
  id: number;
  name: string;
}

export function createApiClientService({ db, clock }: { db: Db; clock: Clock }) {
  async function listClients() {
    return db
      .select({ id: apiClients.id, name: apiClients.name, prefix: apiClients.prefix, active: apiClients.active, createdAt: apiClients.createdAt, lastUsedAt: apiClients.lastUsedAt })
      .from(apiClients)
      .orderBy(asc(apiClients.id));
  }

  /** Issues a client app and its api_key: the key is returned once, only its hash is kept. */
  async function createClient(name: string) {
    const apiKey = randomSecret(API_KEY_PREFIX, 32);
    const prefix = apiKey.slice(0, 10);
    const [row] = await db
      .insert(apiClients)
      .values({ name, keyHash: sha256Hex(apiKey), prefix, active: true, createdAt: clock.now() })
      .returning();
    return { id: row.id, name: row.name, prefix, apiKey, active: row.active, createdAt: row.createdAt };
  }

  /** Deactivates a client app: its key stops working at once; its cases keep their link to it. */
  async function deactivateClient(id: number): Promise<void> {
    const r = await db.update(apiClients).set({ active: false }).where(eq(apiClients.id, id)).returning({ id: apiClients.id });
    if (r.length === 0) throw new NotFound(`API client ${id} does not exist`);
  }

  /** The active client app holding this key, or null. */
  async function authenticateKey(key: string | undefined): Promise<ApiClient | null> {
    if (!key || key.length > 200) return null;
    const [row] = await db
      .select({ id: apiClients.id, name: apiClients.name, lastUsedAt: apiClients.lastUsedAt })
      .from(apiClients)
      .where(and(eq(apiClients.keyHash, sha256Hex(key)), eq(apiClients.active, true)))
      .limit(1);
    if (!row) return null;
    const now = clock.now();
    if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
      await db.update(apiClients).set({ lastUsedAt: now }).where(eq(apiClients.id, row.id));
    }
    return { id: row.id, name: row.name };
  }

  return { listClients, createClient, deactivateClient, authenticateKey };
}

export type ApiClientService = ReturnType<typeof createApiClientService>;
