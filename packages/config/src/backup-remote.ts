import { resolve } from 'node:path';
import { parseRemote } from '@keepwatch/conventions';
import { clip, type ConfigOrigin, type ConfigProblem } from './config-problem.js';
import type { KeepwatchConfig } from './settings.js';
import { remoteKind, SSH_FORM } from './remote-values.js';

/* `[backup] remote`'s keys: each kind of remote reads only its own. */

/**
 * Where the usual AWS variables fill an s3 remote's keys the config leaves unset, in the order
 * they are looked at: the config (file or `KEEPWATCH_*`) wins over them. Only read for an
 * `s3://` remote, so an AWS profile on the machine never reaches an SSH one. `AWS_SESSION_TOKEN`
 * has no key: it belongs to the environment's key pair (see runtime's `backupRemoteFromConfig`).
 */
export const AWS_ENVIRONMENT: Readonly<Record<string, readonly string[]>> = {
  'backup.remote_access_key_id': ['AWS_ACCESS_KEY_ID'],
  'backup.remote_secret_access_key': ['AWS_SECRET_ACCESS_KEY'],
  'backup.remote_region': ['AWS_REGION', 'AWS_DEFAULT_REGION'],
  'backup.remote_endpoint': ['AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL'],
};

const SSH_KEYS = [
  'remote_port',
  'remote_identity_file',
  'remote_known_hosts_file',
  'remote_strict_host_key_checking',
] as const;
const S3_KEYS = [
  'remote_endpoint',
  'remote_region',
  'remote_access_key_id',
  'remote_secret_access_key',
  'remote_force_path_style',
] as const;

const UNSAFE_IN_SSH_COMMAND = /["'\s\\$`]/;

/**
 * An SSH remote is reached by key only, and with `yes` ssh needs the host key written down; an
 * s3 remote needs a key pair. A key of the other kind is refused rather than ignored, so a
 * half-edited switch from one kind to the other is seen at once.
 */
export function remoteChecks(config: KeepwatchConfig, at: (key: string) => ConfigOrigin, cwd: string): ConfigProblem[] {
  const { backup } = config;
  const kind = remoteKind(backup.remote);
  if (kind === undefined) return [];
  const problems: ConfigProblem[] = [];
  const foreign = kind === 's3' ? SSH_KEYS : S3_KEYS;
  for (const key of foreign) {
    if (at(`backup.${key}`).kind === 'default') continue;
    problems.push({
      key: `backup.${key}`,
      origin: at(`backup.${key}`),
      message:
        kind === 's3'
          ? 'is only read for an SSH [backup] remote (user@host:/path), and remote is s3://…: remove it'
          : 'is only read for an s3:// [backup] remote, and remote is user@host:/path: remove it',
    });
  }
  if (kind === 's3') {
    for (const key of ['remote_access_key_id', 'remote_secret_access_key'] as const) {
      if (backup[key] !== undefined) continue;
      const variable = AWS_ENVIRONMENT[`backup.${key}`]![0];
      problems.push({
        key: `backup.${key}`,
        origin: at('backup.remote'),
        message: `must be set with an s3:// [backup] remote (or ${variable} in the environment): the key pair keepwatch signs its requests with`,
      });
    }
    return problems;
  }
  // They end up in ssh's -i and UserKnownHostsFile inside rsync's -e command, which splits on
  // spaces and quotes: checked once resolved, since the working directory may hold a space too.
  for (const key of ['remote_identity_file', 'remote_known_hosts_file'] as const) {
    const file = backup[key];
    if (file !== undefined && UNSAFE_IN_SSH_COMMAND.test(resolve(cwd, file))) {
      problems.push({
        key: `backup.${key}`,
        origin: at(`backup.${key}`),
        message: `expected a path without spaces, quotes, "\\", "$" or "\`" (it is passed inside rsync's ssh command): ${clip(resolve(cwd, file), 120)}`,
      });
    }
  }
  if (!backup.remote_identity_file) {
    problems.push({
      key: 'backup.remote_identity_file',
      origin: at('backup.remote'),
      message: 'must be set with [backup] remote: the private key ssh logs in with (passwords are not supported)',
    });
  }
  if (!backup.remote_known_hosts_file && backup.remote_strict_host_key_checking === 'yes') {
    problems.push({
      key: 'backup.remote_known_hosts_file',
      origin: at('backup.remote'),
      message:
        'must be set with [backup] remote while remote_strict_host_key_checking is yes: the file holding the remote host key',
    });
  }
  // Loading checked the pattern; this keeps parseRemote and the setting in step.
  if (!parseRemote(backup.remote!)) {
    problems.push({ key: 'backup.remote', origin: at('backup.remote'), message: `expected ${SSH_FORM}` });
  }
  return problems;
}
