import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // database tests run on PGlite, or on PostgreSQL when TEST_DATABASE_URL is set
    env: { TZ: 'UTC' },
  },
});
