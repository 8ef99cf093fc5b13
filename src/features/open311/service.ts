/**
 * The Open311 (GeoReport v2) service the routes use, composed of its parts: client apps and
 * keys (./api-clients.ts), discovery and services (./discovery.ts), and POST and GET requests
 * (./requests.ts), over one repository (./repository.ts).
 */
import type { Db } from '../../db/client.js';
import type { Clock } from '../../lib/clock.js';
import { createApiClientService } from './api-clients.js';
import { createDiscoveryService } from './discovery.js';
import { createOpen311Repository } from './repository.js';
import { createRequestsService, type RequestsDeps } from './requests.js';

export interface Open311Deps extends Omit<RequestsDeps, 'repo'> {
  db: Db;
  clock: Clock;
  baseUrl: string;
  /** the discovery document's contact */
  contact: string;
}

export function createOpen311Service(deps: Open311Deps) {
  const repo = createOpen311Repository(deps.db);
  return {
    ...createApiClientService(deps),
    ...createDiscoveryService({ repo, baseUrl: deps.baseUrl, contact: deps.contact }),
    ...createRequestsService({ ...deps, repo }),
  };
}

export type Open311Service = ReturnType<typeof createOpen311Service>;
