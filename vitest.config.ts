// Test runner settings: one embedded database for the run, JSON totals for CI in .data/test-results.json.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    environment: 'node',
    include: ['test/**/*.test.ts'],
    globalSetup: 'test/support/globalSetup.ts',
    // SWITCHBOARD_TEST_NOW moves the wall clock of every test process (scripts/test-clocks.sh).
    setupFiles: ['test/support/shiftedClock.ts', 'test/support/propertySeed.ts', 'test/support/housePlatforms.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    teardownTimeout: 30_000,
    pool: 'forks',
    // Files share their worker's module graph: mongoose, discord.js and Bolt are imported once per worker, not once
    // per file (import time fell from about 160 s to 12 s of the run). Nothing a file sets up outlives it but what
    // is meant to: the platform registry (idempotent), the moved clock (moved once per process).
    isolate: false,
    // Two cores: more workers only starve the e2e tests' local servers.
    maxWorkers: 2,
    // A file whose behaviour depends on the time of day carries `// @module-tag time-of-day`: the moved-clock passes
    // (scripts/test-clocks.sh) run those files only. test/unit/testTags.test.ts says which files must carry it.
    tags: [
      { name: 'time-of-day', description: 'Computes with the calendar: days, hours, zones, due times, schedules.' },
    ],
    reporters: ['default', 'json'],
    outputFile: { json: '.data/test-results.json' },
  },
});
