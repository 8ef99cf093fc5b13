import { sql } from 'drizzle-orm';
import { openPostgres } from '../../src/db/client.js';
import { createServices } from '../../src/services.js';
import { testConfig } from '../../src/config.js';
import { FixedClock } from '../../src/lib/clock.js';
const url = 'postgres://postgres@127.0.0.1:5432/pakn_h6_escbench';
const now = new Date('2026-11-20T03:00:00Z');
const database = await openPostgres(url, 10);
await database.db.execute(sql`delete from escalations`);
await database.db.execute(sql`update cases set escalation_level = 0`);
const services = createServices({ config: testConfig({ DATABASE_URL: url }), database, clock: new FixedClock(now) });
for (let i = 0; i < 2; i++) { const t = Date.now(); await services.escalation.runEscalation(now); console.log('run', Date.now() - t); }
await database.close();
