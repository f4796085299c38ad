import { formatProfileTable, formatTopTable, listProfiles, topFunctions, type ProfileFilter } from '@keepwatch/profiler';
import { UsageError, profilesDirectory } from '@keepwatch/runtime';
import type { Command, CommandContext } from '../command.js';

const filterOptions = {
  'url-name': { type: 'string' },
  task: { type: 'string' },
  since: { type: 'string' },
  limit: { type: 'string' },
} as const;

function filterFrom(values: CommandContext['values'], defaultLimit?: number): ProfileFilter {
  const filter: ProfileFilter = {};
  if (values['url-name'] && values.task) throw new UsageError('give --url-name or --task, not both');
  if (typeof values['url-name'] === 'string') Object.assign(filter, { name: values['url-name'], kind: 'request' });
  if (typeof values.task === 'string') Object.assign(filter, { name: values.task, kind: 'task' });
  if (typeof values.since === 'string') filter.since = values.since;
  const limit = typeof values.limit === 'string' ? Number(values.limit) : defaultLimit;
  if (limit !== undefined) {
    if (!Number.isInteger(limit) || limit <= 0) throw new UsageError(`--limit takes a whole number above 0, got "${String(values.limit)}"`);
    filter.limit = limit;
  }
  return filter;
}

/** `keepwatch profiles list`: the CPU profiles in `<data dir>/profiles`, newest first. */
export const profilesList: Command = {
  words: ['profiles', 'list'],
  summary: 'list the sampled CPU profiles in <data dir>/profiles, newest first',
  options: filterOptions,
  async run({ loadConfig, values, print }) {
    const { config } = await loadConfig();
    const entries = await listProfiles(profilesDirectory(config), filterFrom(values));
    print(entries, () => (entries.length ? formatProfileTable(entries) : 'no profiles (is [profile] rate above 0?)\n'));
    return 0;
  },
};

/**
 * `keepwatch profiles top`: self time per function added up across the chosen profiles,
 * heaviest first (pstats' tottime order). `--limit` is the number of functions shown.
 */
export const profilesTop: Command = {
  words: ['profiles', 'top'],
  summary: 'add up self time per function across profiles and print the heaviest first',
  options: { ...filterOptions, profiles: { type: 'string' } },
  async run({ loadConfig, values, print }) {
    const { config } = await loadConfig();
    const functionsLimit = filterFrom(values, 20).limit;
    const entries = await listProfiles(profilesDirectory(config), {
      ...filterFrom({ ...values, limit: values.profiles }),
    });
    const report = await topFunctions(entries, { limit: functionsLimit ?? 20 });
    print(report, () => (entries.length ? formatTopTable(report) : 'no profiles match\n'));
    return 0;
  },
};
