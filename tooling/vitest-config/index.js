import { fileURLToPath } from 'node:url';
import { defineConfig, mergeConfig } from 'vitest/config';

/**
 * The preset every package's vitest.config.ts starts from.
 *
 * Test files run in forked processes (native clients such as `pg` and child processes behave as
 * in production) on at most two workers: the machines this runs on have two cores, and the
 * real PostgreSQL, MariaDB and Redis share them. Each test that waits on a server gets a bounded
 * time, so a hung peer fails the run instead of stalling CI. A run that leaves keys of its tests in
 * the shared Redis fails, naming them (redis-leak-check.js).
 */
export const keepwatchPreset = defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: [fileURLToPath(new URL('./redis-leak-check.js', import.meta.url))],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    teardownTimeout: 10_000,
    // A flaky test is a bug; never hide it behind retries.
    retry: 0,
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});

/** @param {import('vitest/config').ViteUserConfig} [overrides] */
export function defineKeepwatchConfig(overrides = {}) {
  return mergeConfig(keepwatchPreset, overrides);
}
