import { resolve } from 'node:path';
import { AWS_ENVIRONMENT, remoteChecks } from './backup-remote.js';
import { remoteKind } from './remote-values.js';
import { clip, type ConfigOrigin, type ConfigProblem } from './config-problem.js';
import { ConfigError } from './errors.js';
import { parseIni } from './ini-file.js';
import { relativeInside } from '@keepwatch/conventions';
import { readConfigFile } from './read-config-file.js';
import { redisMode, redisUrlDatabase } from './redis-mode.js';
import { envName, settings, type KeepwatchConfig, type SectionName, type Setting } from './settings.js';

export interface LoadConfigOptions {
  /**
   * The INI file. Unset: `env.KEEPWATCH_CONFIG`; neither: defaults and environment only.
   * @defaultValue env.KEEPWATCH_CONFIG
   */
  path?: string;
  /** The environment to read `KEEPWATCH_*` overrides from; the app passes `process.env`. */
  env: Record<string, string | undefined>;
  /**
   * Directory relative paths ([data] dir, [backup] destination) are resolved against.
   * @defaultValue process.cwd()
   */
  cwd?: string;
}

export interface LoadedConfig {
  config: Readonly<KeepwatchConfig>;
  /** Where each setting's value came from, by `section.key`. */
  origins: Readonly<Record<string, ConfigOrigin>>;
  /** The config file read, if any. */
  path: string | undefined;
}

/** The variable that names the config file; it is not a setting. */
export const CONFIG_PATH_ENV = 'KEEPWATCH_CONFIG';

/**
 * Reads the config file and the `KEEPWATCH_<SECTION>_<KEY>` environment, validates every
 * setting, and returns one frozen, typed object. The environment wins over the file.
 *
 * Throws `ConfigError` listing every problem at once (key, origin, what is expected), or
 * `ConfigFileError` / `ConfigFileTooLargeError` when the named file cannot be read or is no config
 * (more than `MAX_CONFIG_FILE_BYTES`, not UTF-8).
 */
export async function loadConfig(options: LoadConfigOptions): Promise<LoadedConfig> {
  const path = options.path ?? options.env[CONFIG_PATH_ENV] ?? undefined;
  const problems: ConfigProblem[] = [];
  const raw = new Map<string, { value: string; origin: ConfigOrigin }>();

  if (path) {
    const parsed = parseIni(await readConfigFile(path), path);
    // Not push(...problems): a spread of 130 000 junk lines' problems overflowed the stack.
    for (const problem of parsed.problems) problems.push(problem);
    for (const entry of parsed.entries) {
      const key = `${entry.section}.${entry.key}`;
      const origin: ConfigOrigin = { kind: 'file', path, line: entry.line };
      const unknown = unknownSetting(entry.section, entry.key);
      if (unknown) {
        problems.push({ key, origin, message: unknown });
        continue;
      }
      const earlier = raw.get(key);
      if (earlier?.origin.kind === 'file') {
        problems.push({ key, origin, message: `set twice (first on line ${earlier.origin.line})` });
        continue;
      }
      raw.set(key, { value: entry.value, origin });
    }
  }

  for (const [name, value] of Object.entries(options.env)) {
    if (!name.startsWith('KEEPWATCH_') || name === CONFIG_PATH_ENV || value === undefined) continue;
    const match = matchEnvName(name);
    if (!match) {
      problems.push({
        key: name.slice('KEEPWATCH_'.length).toLowerCase(),
        origin: { kind: 'env', name },
        message: `unknown variable; settings are KEEPWATCH_<SECTION>_<KEY> with a section of ${sectionNames().join(', ')}`,
      });
      continue;
    }
    const unknown = unknownSetting(match.section, match.key);
    if (unknown) {
      problems.push({ key: `${match.section}.${match.key}`, origin: { kind: 'env', name }, message: unknown });
      continue;
    }
    raw.set(`${match.section}.${match.key}`, { value, origin: { kind: 'env', name } });
  }

  // An s3 remote's keys the config leaves unset come from the usual AWS variables, first found
  // wins; they are checked and shown (with the variable as origin) like any other value.
  if (remoteKind(raw.get('backup.remote')?.value) === 's3') {
    for (const [key, names] of Object.entries(AWS_ENVIRONMENT)) {
      if (raw.has(key)) continue;
      const name = names.find((n) => options.env[n]?.trim());
      if (name) raw.set(key, { value: options.env[name]!, origin: { kind: 'env', name } });
    }
  }

  const config: Record<string, Record<string, unknown>> = {};
  const origins: Record<string, ConfigOrigin> = {};
  for (const section of sectionNames()) {
    config[section] = {};
    for (const [key, setting] of Object.entries(settings[section]) as [string, Setting<unknown>][]) {
      const id = `${section}.${key}`;
      const given = raw.get(id);
      const origin: ConfigOrigin = given?.origin ?? { kind: 'default' };
      const text = given?.value ?? setting.default;
      origins[id] = origin;
      if (text === undefined || (given && given.value.trim() === '' && setting.default === undefined)) {
        config[section][key] = undefined;
        continue;
      }
      const result = setting.parser.parse(text);
      if (result.ok) config[section][key] = result.value;
      else problems.push({ key: id, origin, message: result.message });
    }
  }

  const typed = config as KeepwatchConfig;
  if (problems.length === 0) {
    problems.push(...crossChecks(typed, origins, options.cwd ?? process.cwd()));
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const cwd = options.cwd ?? process.cwd();
  typed.data.dir = resolve(cwd, typed.data.dir);
  typed.backup.destination = resolve(cwd, typed.backup.destination);
  // ssh is given these as absolute paths: the worker's working directory is not the config's.
  if (typed.backup.remote_identity_file)
    typed.backup.remote_identity_file = resolve(cwd, typed.backup.remote_identity_file);
  if (typed.backup.remote_known_hosts_file)
    typed.backup.remote_known_hosts_file = resolve(cwd, typed.backup.remote_known_hosts_file);
  typed.cache.backend ??= redisMode(typed) ? 'redis' : 'memory';
  typed.profile.worker_rate ??= typed.profile.rate;

  return { config: deepFreeze(typed), origins: Object.freeze(origins), path };
}

function crossChecks(config: KeepwatchConfig, origins: Record<string, ConfigOrigin>, cwd: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const at = (key: string) => origins[key] ?? { kind: 'default' as const };
  const { metrics, cache, health } = config;
  if ((metrics.user === undefined) !== (metrics.passphrase === undefined)) {
    const missing = metrics.user === undefined ? 'metrics.user' : 'metrics.passphrase';
    const present = metrics.user === undefined ? 'metrics.passphrase' : 'metrics.user';
    problems.push({
      key: missing,
      origin: at(present),
      message: `must be set together with [metrics] ${present.split('.')[1]}`,
    });
  }
  if (cache.backend === 'redis' && !redisMode(config)) {
    problems.push({
      key: 'cache.backend',
      origin: at('cache.backend'),
      message: 'redis needs [redis] url (or sentinels, or cluster_nodes) to be set',
    });
  }
  if (metrics.enabled && !redisMode(config)) {
    problems.push({
      key: 'metrics.enabled',
      origin: at('metrics.enabled'),
      message: 'metrics are collected in Redis: set [redis] url (or sentinels, or cluster_nodes) too',
    });
  }
  problems.push(...redisModeChecks(config, at));
  if (health.deadline < health.timeout) {
    problems.push({
      key: 'health.deadline',
      origin: at('health.deadline'),
      message: `must be at least [health] timeout (${health.timeout}ms)`,
    });
  }
  if (config.profile.max_overhead === 0) {
    problems.push({
      key: 'profile.max_overhead',
      origin: at('profile.max_overhead'),
      message: 'must be above 0 (1 lifts the limit; to turn profiling off set [profile] rate = 0)',
    });
  }
  const dataDir = resolve(cwd, config.data.dir);
  const destination = resolve(cwd, config.backup.destination);
  if (relativeInside(dataDir, destination) !== undefined) {
    problems.push({
      key: 'backup.destination',
      origin: at('backup.destination'),
      message: `must not be inside [data] dir (${dataDir}): a lost disk would take the backups with the data`,
    });
  }
  problems.push(...remoteChecks(config, at, cwd));
  return problems;
}

/** Exactly one of `url` alone, `sentinels` and `cluster_nodes` says where Redis is. */
function redisModeChecks(config: KeepwatchConfig, at: (key: string) => ConfigOrigin): ConfigProblem[] {
  const { redis } = config;
  const problems: ConfigProblem[] = [];
  if (redis.sentinels && redis.cluster_nodes) {
    problems.push({
      key: 'redis.cluster_nodes',
      origin: at('redis.cluster_nodes'),
      message:
        'set either [redis] sentinels (a master and its replicas) or [redis] cluster_nodes (a Redis Cluster), not both',
    });
  }
  if (redis.sentinels && !redis.sentinel_master) {
    problems.push({
      key: 'redis.sentinel_master',
      origin: at('redis.sentinels'),
      message: 'must be set with [redis] sentinels: the master name the Sentinels monitor',
    });
  }
  for (const key of ['sentinel_master', 'sentinel_password'] as const) {
    if (redis[key] !== undefined && !redis.sentinels) {
      problems.push({
        key: `redis.${key}`,
        origin: at(`redis.${key}`),
        message: 'is only read with [redis] sentinels: set those too, or remove it',
      });
    }
  }
  if (redis.cluster_nodes && redis.url && redisUrlDatabase(redis.url) !== 0) {
    problems.push({
      key: 'redis.url',
      origin: at('redis.url'),
      message: 'must name database 0 (or none) with [redis] cluster_nodes: a Redis Cluster has only database 0',
    });
  }
  return problems;
}

function sectionNames(): SectionName[] {
  return Object.keys(settings) as SectionName[];
}

function matchEnvName(name: string): { section: SectionName; key: string } | undefined {
  for (const section of sectionNames()) {
    const prefix = `KEEPWATCH_${section.toUpperCase()}_`;
    if (name.startsWith(prefix) && name.length > prefix.length) {
      return { section, key: name.slice(prefix.length).toLowerCase() };
    }
  }
  return undefined;
}

function unknownSetting(section: string, key: string): string | undefined {
  if (!(section in settings)) {
    return `unknown section [${clip(section)}]; known sections: ${sectionNames().join(', ')}`;
  }
  const keys = Object.keys(settings[section as SectionName]);
  if (keys.includes(key)) return undefined;
  return `unknown setting; [${section}] takes ${keys.join(', ')}`;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

export { envName };
