import { describeConfig, describeRedis } from '@keepwatch/config';
import type { Command } from '../command.js';
import { formatTable, formatValue } from '../output.js';

/**
 * `keepwatch config check`: validates the configuration and prints the effective value of every
 * setting, secrets redacted, with where it came from. A bad config exits 1 with one line per
 * problem (printed by the entry point from the ConfigError).
 */
export const configCheck: Command = {
  words: ['config', 'check'],
  summary: 'validate the configuration and print the effective settings (secrets redacted)',
  async run({ loadConfig, print }) {
    const loaded = await loadConfig();
    const rows = describeConfig(loaded);
    const redis = describeRedis(loaded.config);
    print(
      {
        ok: true,
        file: loaded.path ?? null,
        redis,
        settings: rows.map(({ key, value, origin, env }) => ({ key, value: value ?? null, origin, env })),
      },
      () =>
        `config file: ${loaded.path ?? '(none: defaults and environment)'}\n` +
        `redis: ${redis.summary}\n\n` +
        formatTable(
          ['setting', 'value', 'from'],
          rows.map((row) => [row.key, formatValue(row.value), row.origin]),
        ) +
        '\nconfiguration is valid\n',
    );
    return 0;
  },
};
