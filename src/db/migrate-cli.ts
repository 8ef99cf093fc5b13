import { loadConfig } from '../config.js';
import { openDatabase } from './client.js';
import { runMigrations } from './migrate.js';

const config = loadConfig();
const database = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.PAKN_DATA_DIR });
try {
  await runMigrations(database);
  console.log(`Migrations applied (${database.where}).`);
} finally {
  await database.close();
}
