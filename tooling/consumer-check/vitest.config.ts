import { defineKeepwatchConfig } from '@keepwatch/vitest-config';

export default defineKeepwatchConfig();
