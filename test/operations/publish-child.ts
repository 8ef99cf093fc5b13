/**
 * A process that publishes one period and exits (test/operations/crash-publication.test.ts kills
 * it with SIGKILL in the middle): on DATABASE_URL (PostgreSQL) or the PGlite data folder
 * PAKN_DATA_DIR, at the instant NOW. Prints "publishing" before it starts.
 */
import { testConfig } from '../../src/config.js';
import { openPglite, openPostgres } from '../../src/db/client.js';
import { FixedClock } from '../../src/lib/clock.js';
import { createServices } from '../../src/services.js';

const url = process.env.DATABASE_URL;
const database = url ? await openPostgres(url, 4) : await openPglite(process.env.PAKN_DATA_DIR!);
const services = createServices({ config: testConfig(url ? { DATABASE_URL: url } : {}), database, clock: new FixedClock(process.env.NOW!) });
process.stdout.write('publishing\n');
const r = await services.reports.publish(process.env.PERIOD!);
process.stdout.write(`published ${r.report.revision}\n`);
await database.close();
