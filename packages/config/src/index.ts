export { loadConfig, CONFIG_PATH_ENV, type LoadConfigOptions, type LoadedConfig } from './load-config.js';
export {
  settings,
  envName,
  DEFAULT_BUCKETS,
  type KeepwatchConfig,
  type SectionName,
  type Setting,
} from './settings.js';
export type { ListenAddress } from './value-parsers.js';
export { formatProblem, formatOrigin, type ConfigProblem, type ConfigOrigin } from './config-problem.js';
export {
  ConfigError,
  ConfigFileError,
  ConfigFileTooLargeError,
  DataDirError,
  SecretFileError,
  MAX_LISTED_PROBLEMS,
} from './errors.js';
export { MAX_CONFIG_FILE_BYTES } from './read-config-file.js';
export { redactConfig, redactUrl, redactValue, describeConfig, REDACTED, type EffectiveSetting } from './redact.js';
export { describeRedis, redisMode, redisUrlDatabase, type RedisMode } from './redis-mode.js';
export { formatEndpoint, type RedisEndpoint } from './redis-endpoints.js';
export { ensureDataDir } from './data-dir.js';
export { loadOrCreateSecret, SECRET_FILE, type InstanceSecret } from './instance-secret.js';
