import { loadConfig } from '../config.js';
import { openDatabase } from './client.js';
import { runMigrations } from './migrate.js';
import { formatDemoTokens, seedDemo } from './seed.js';

const config = loadConfig();
const database = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.PAKN_DATA_DIR });
try {
  await runMigrations(database);
  const r = await seedDemo(database.db);
  console.log(r.seeded ? formatDemoTokens(r) : `The database already has agencies; nothing seeded (${database.where}).`);
} finally {
  await database.close();
}
