#!/usr/bin/env node
// Prints the README's configuration reference from @keepwatch/config's settings table, so the
// documentation cannot drift from the code (a test checks the README against the table).
import { readFileSync, writeFileSync } from 'node:fs';
import { settings, envName } from '../packages/config/dist/index.js';

const rows = ['| setting | default | environment | meaning |', '| --- | --- | --- | --- |'];
for (const [section, keys] of Object.entries(settings)) {
  for (const [key, setting] of Object.entries(keys)) {
    const def = setting.default === undefined ? '—' : `\`${setting.default}\``;
    const secret = setting.secret ? ' *(secret: redacted in output)*' : '';
    rows.push(`| \`[${section}] ${key}\` | ${def} | \`${envName(section, key)}\` | ${setting.doc}${secret} |`);
  }
}
const table = `${rows.join('\n')}\n`;
if (process.argv.includes('--write')) {
  // Replaces the block between the markers in README.md.
  const readme = new URL('../README.md', import.meta.url);
  const text = readFileSync(readme, 'utf8');
  const start = '<!-- config-reference:start -->\n';
  const end = '<!-- config-reference:end -->';
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  if (a < 0 || b < a) throw new Error('README.md has no config-reference markers');
  writeFileSync(readme, text.slice(0, a + start.length) + table + text.slice(b));
} else {
  process.stdout.write(table);
}
