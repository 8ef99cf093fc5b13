import type { FastifyInstance } from 'fastify';
import supertest from 'supertest';
import { buildApp } from '../../src/app.js';
import { testConfig, type Config } from '../../src/config.js';
import type { Database, Db } from '../../src/db/client.js';
import { seedDemo } from '../../src/db/seed.js';
import { FixedClock } from '../../src/lib/clock.js';
import { createTestDatabase } from './db.js';

export interface TestApp {
  app: FastifyInstance;
  database: Database;
  clock: FixedClock;
  /** demo tokens by role: admin, coordinator, agency_staff (Sở Xây dựng), agency_lead (Sở Xây dựng), agency_staff_nnmt (Sở NN&MT), inspector */
  tokens: Record<string, string>;
  request: () => supertest.Agent;
  close: () => Promise<void>;
}

const databases = new WeakMap<FastifyInstance, Database>();

/** Remembers the database an app was built on (for dbOf). */
export function registerTestDatabase(app: FastifyInstance, database: Database): void {
  databases.set(app, database);
}

/** The database under a test app (tests read and arrange rows directly; routes and services never get it from the app). */
export function dbOf(app: FastifyInstance): Db {
  const d = databases.get(app);
  if (!d) throw new Error('no database registered for this app (createTestApp or registerTestDatabase)');
  return d.db;
}

/** A working app on a fresh database with the demo province; time is a FixedClock. */
export async function createTestApp(
  opts: { now?: string; config?: Partial<Record<keyof Config, string>>; seed?: boolean } = {},
): Promise<TestApp> {
  const database = await createTestDatabase();
  const clock = new FixedClock(opts.now ?? '2026-03-02T02:00:00Z'); // Monday 09:00 in Hà Nội
  const tokens: Record<string, string> = {};
  if (opts.seed !== false) {
    const r = await seedDemo(database.db);
    for (const t of r.tokens) {
      const key = t.role === 'agency_staff' && t.agency === 'so_nn_mt' ? 'agency_staff_nnmt' : t.role;
      if (!tokens[key]) tokens[key] = t.token;
    }
  }
  const config = testConfig({ PUBLIC_BASE_URL: 'http://pakn.test', ...(opts.config ?? {}) });
  const app = await buildApp({ config, database, clock });
  await app.services.settings.seedFromConfig(); // as main.ts does at start-up
  databases.set(app, database);
  return {
    app,
    database,
    clock,
    tokens,
    request: () => supertest.agent(app.server),
    close: async () => {
      await app.close();
      await database.close();
    },
  };
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
