import type { ViteUserConfig } from 'vitest/config';

export declare const keepwatchPreset: ViteUserConfig;
export declare function defineKeepwatchConfig(overrides?: ViteUserConfig): ViteUserConfig;
