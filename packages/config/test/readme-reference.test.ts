import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { envName, settings } from '../src/index.js';

describe('the README configuration reference', () => {
  it('documents every setting with its default and variable', async () => {
    const readme = await readFile(new URL('../../../README.md', import.meta.url), 'utf8');
    for (const [section, keys] of Object.entries(settings)) {
      for (const [key, setting] of Object.entries(keys)) {
        const row = readme.split('\n').find((line) => line.startsWith(`| \`[${section}] ${key}\` |`));
        expect(row, `README lacks [${section}] ${key}; run node scripts/config-reference.mjs --write`).toBeDefined();
        expect(row).toContain(`\`${envName(section, key)}\``);
        if (setting.default !== undefined) expect(row).toContain(`\`${setting.default}\``);
      }
    }
  });
});
