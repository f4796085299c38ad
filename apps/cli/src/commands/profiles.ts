import {
  formatProfileTable,
  formatTopTable,
  listProfiles,
  profileFilter,
  topFunctions,
  type ProfileFilter,
} from '@keepwatch/profiler';
import { UsageError, profilesDirectory } from '@keepwatch/runtime';
import type { Command, CommandContext } from '../command.js';
import { stringOption } from '../option-values.js';

const filterOptions = {
  'url-name': { type: 'string' },
  task: { type: 'string' },
  since: { type: 'string' },
  limit: { type: 'string' },
} as const;

/** A whole number above 0 given as `--<name>`, or undefined when it was not given. */
function countOption(values: CommandContext['values'], name: string): number | undefined {
  const text = stringOption(values, name);
  if (text === undefined) return undefined;
  const count = Number(text);
  if (!Number.isInteger(count) || count <= 0)
    throw new UsageError(`--${name} takes a whole number above 0, got "${text}"`);
  return count;
}

/** The profiles `--url-name`, `--task` and `--since` ask for, at most as many as `--<limitOption>`. */
function filterFrom(values: CommandContext['values'], limitOption: string): ProfileFilter {
  return profileFilter({
    urlName: stringOption(values, 'url-name'),
    task: stringOption(values, 'task'),
    since: stringOption(values, 'since'),
    limit: countOption(values, limitOption),
  });
}

/** `keepwatch profiles list`: the CPU profiles in `<data dir>/profiles`, newest first. */
export const profilesList: Command = {
  words: ['profiles', 'list'],
  summary: 'list the sampled CPU profiles in <data dir>/profiles, newest first',
  options: filterOptions,
  async run({ loadConfig, values, print }) {
    const { config } = await loadConfig();
    const entries = await listProfiles(profilesDirectory(config), filterFrom(values, 'limit'));
    print(entries, () => (entries.length ? formatProfileTable(entries) : 'no profiles (is [profile] rate above 0?)\n'));
    return 0;
  },
};

/**
 * `keepwatch profiles top`: self time per function added up across the chosen profiles,
 * heaviest first (pstats' tottime order). `--limit` is the number of functions shown,
 * `--profiles` the number of profiles (the newest) added up.
 */
export const profilesTop: Command = {
  words: ['profiles', 'top'],
  summary: 'add up self time per function across profiles and print the heaviest first',
  options: { ...filterOptions, profiles: { type: 'string' } },
  async run({ loadConfig, values, print }) {
    const functions = countOption(values, 'limit') ?? 20;
    const filter = filterFrom(values, 'profiles');
    const { config } = await loadConfig();
    const entries = await listProfiles(profilesDirectory(config), filter);
    const report = await topFunctions(entries, { limit: functions });
    print(report, () => (entries.length ? formatTopTable(report) : 'no profiles match\n'));
    return 0;
  },
};
