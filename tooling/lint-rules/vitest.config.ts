import { defineKeepwatchConfig } from '@keepwatch/vitest-config';

// Each case copies the tree and runs the whole linter on it: a few seconds each, one at a time.
export default defineKeepwatchConfig({ test: { maxWorkers: 1, testTimeout: 120_000 } });
