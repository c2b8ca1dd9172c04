// Test runner settings: one embedded database for the run, JSON totals for CI in .data/test-results.json.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    environment: 'node',
    include: ['test/**/*.test.ts'],
    globalSetup: 'test/support/globalSetup.ts',
    // SWITCHBOARD_TEST_NOW moves the wall clock of every test process (scripts/test-clocks.sh).
    setupFiles: ['test/support/shiftedClock.ts', 'test/support/propertySeed.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    teardownTimeout: 30_000,
    pool: 'forks',
    // Two cores: more workers only starve the e2e tests' local servers.
    maxWorkers: 2,
    reporters: ['default', 'json'],
    outputFile: { json: '.data/test-results.json' },
  },
});
