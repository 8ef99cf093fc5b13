import { buildApp } from '../src/app.js';
import { testConfig } from '../src/config.js';
import { openPglite } from '../src/db/client.js';
import { FixedClock } from '../src/lib/clock.js';

/** The OpenAPI document as the app generates it from its zod schemas (stable text). */
export async function generateOpenApi(): Promise<string> {
  const database = await openPglite(null);
  const app = await buildApp({ config: testConfig(), database, clock: new FixedClock('2026-01-01T00:00:00Z') });
  try {
    return JSON.stringify(app.swagger(), null, 2) + '\n';
  } finally {
    await app.close();
    await database.close();
  }
}
