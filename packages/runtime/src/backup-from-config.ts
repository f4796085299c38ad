import {
  BackupOptionsError,
  localDestination,
  rsyncOverSsh,
  s3Storage,
  storageRemote,
  type BackupOptions,
  type DatabaseToolOptions,
  type LocalDestination,
  type RemoteDestination,
  type RetentionPolicy,
} from '@keepwatch/backup';
import type { KeepwatchConfig } from '@keepwatch/config';
import { parseRemote, parseS3Remote } from '@keepwatch/conventions';
import type { Logger } from 'pino';

/** The environment a process was started with; the app passes `process.env`. */
export type ProcessEnvironment = Readonly<Record<string, string | undefined>>;

/**
 * Connection time-out for the dump and restore tools (`[backup] connect_timeout`), and the
 * environment they start from: the app's, so they are found on its PATH.
 */
export function backupToolOptionsFromConfig(
  config: Readonly<KeepwatchConfig>,
  env: ProcessEnvironment,
): DatabaseToolOptions {
  return { connectTimeoutMs: config.backup.connect_timeout, env };
}

/** `[backup] keep_*`: all 0 keeps everything. Applied in `[backup] timezone`. */
export function retentionPolicyFromConfig(config: Readonly<KeepwatchConfig>): RetentionPolicy {
  const { keep_last, keep_daily, keep_weekly, keep_monthly } = config.backup;
  return { keepLast: keep_last, keepDaily: keep_daily, keepWeekly: keep_weekly, keepMonthly: keep_monthly };
}

/**
 * `[backup] remote` as a destination, or undefined when it is unset: `s3://BUCKET/PREFIX` an
 * S3-compatible bucket (`storageRemote` over `s3Storage`), `user@host:/path` rsync over SSH.
 * `env` is what rsync and ssh start from, and supplies `AWS_SESSION_TOKEN` (the config loader
 * has already put the other AWS_* variables into the settings). On Node 20 the app sets
 * `AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED` (see the worker's and the CLI's main).
 */
export function backupRemoteFromConfig(
  config: Readonly<KeepwatchConfig>,
  options: { env: ProcessEnvironment; logger?: Logger | undefined },
): RemoteDestination | undefined {
  const { env, logger } = options;
  const { remote } = config.backup;
  if (!remote) return undefined;
  const s3 = parseS3Remote(remote);
  if (s3) {
    // Loading the config checked both, so these only fail for a config built by hand.
    if ('problem' in s3) throw new BackupOptionsError('[backup] remote', [`the ${s3.problem} of s3://BUCKET/PREFIX`]);
    const accessKeyId = config.backup.remote_access_key_id;
    const secretAccessKey = config.backup.remote_secret_access_key;
    if (!accessKeyId || !secretAccessKey)
      throw new BackupOptionsError('[backup] remote', [
        'an s3:// remote needs remote_access_key_id and remote_secret_access_key',
      ]);
    // A session token belongs to the key pair it was issued with: only ever sent with that pair.
    const sessionToken =
      env.AWS_SESSION_TOKEN && env.AWS_ACCESS_KEY_ID === accessKeyId ? env.AWS_SESSION_TOKEN : undefined;
    const storage = s3Storage({
      bucket: s3.bucket,
      prefix: s3.prefix,
      ...(config.backup.remote_endpoint ? { endpoint: config.backup.remote_endpoint } : {}),
      ...(config.backup.remote_region ? { region: config.backup.remote_region } : {}),
      forcePathStyle: config.backup.remote_force_path_style,
      credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) },
      ...(logger ? { logger } : {}),
    });
    return storageRemote(storage, logger ? { logger } : {});
  }
  // Loading the config checked the same pattern, so this only fails for a config built by hand.
  const parts = parseRemote(remote);
  if (!parts) throw new BackupOptionsError('[backup] remote', ['must be user@host:/path or s3://BUCKET/PREFIX']);
  return rsyncOverSsh({
    ...parts,
    port: config.backup.remote_port,
    identityFile: config.backup.remote_identity_file ?? '',
    strictHostKeyChecking: config.backup.remote_strict_host_key_checking,
    ...(config.backup.remote_known_hosts_file ? { knownHostsFile: config.backup.remote_known_hosts_file } : {}),
    env,
    ...(logger ? { logger } : {}),
  });
}

/** `[backup] destination`, refused when it lies inside `[data] dir`. */
export function backupDestinationFromConfig(config: Readonly<KeepwatchConfig>, logger?: Logger): LocalDestination {
  return localDestination({
    directory: config.backup.destination,
    dataDirectory: config.data.dir,
    ...(logger ? { logger } : {}),
  });
}

export function backupOptionsFromConfig(config: Readonly<KeepwatchConfig>, env: ProcessEnvironment): BackupOptions {
  return {
    compression: config.backup.compression,
    zstdLevel: config.backup.zstd_level,
    encryptTo: config.backup.encrypt_to ?? [],
    env,
  };
}
