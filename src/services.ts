import type { Config } from './config.js';
import type { Database } from './db/client.js';
import { createAuthService } from './features/auth/service.js';
import { createClockService } from './features/clock/service.js';
import { createReferenceService } from './features/reference/service.js';
import { createChainSealer } from './features/timeline/repository.js';
import type { Clock } from './lib/clock.js';

export interface ServiceDeps {
  config: Config;
  database: Database;
  clock: Clock;
}

/** Wires every feature's service once; routes and jobs reach them through app.services. */
export function createServices(deps: ServiceDeps) {
  const { database, clock } = deps;
  const db = database.db;
  const auth = createAuthService({ db, clock });
  const reference = createReferenceService({ db, clock, auth });
  const clockService = createClockService({ db, clock, officeHours: deps.config.PAKN_OFFICE_HOURS });
  const baseUrl = deps.config.PUBLIC_BASE_URL.replace(/\/$/, '');
  const intakeDeps = { clockService, baseUrl, mailDomain: new URL(baseUrl).hostname, db, dbKind: database.kind };
  /** seals timeline events into the hash chain after their transaction commits */
  const chain = createChainSealer(db);
  return { ...deps, db, auth, reference, clockService, intakeDeps, chain };
}

export type Services = ReturnType<typeof createServices>;
