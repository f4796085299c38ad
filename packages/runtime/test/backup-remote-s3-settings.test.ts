import { BackupOptionsError, s3Storage } from '@keepwatch/backup';
import { ConfigError, loadConfig, type LoadedConfig } from '@keepwatch/config';
import { describe, expect, it } from 'vitest';
import { backupRemoteFromConfig } from '../src/index.js';

/*
 * An s3:// [backup] remote the config accepts is one @keepwatch/backup's S3 storage accepts too,
 * so a config that loads never fails the remote copy at night. The config may be stricter (a
 * bucket name of at most 63 characters, which DNS-style addressing needs).
 */

const verdict = async (env: Record<string, string>): Promise<LoadedConfig | 'refused'> =>
  loadConfig({ env }).catch((error: unknown) => {
    if (error instanceof ConfigError) return 'refused' as const;
    throw error;
  });

const accepts = (fn: () => unknown): boolean => {
  try {
    fn();
    return true;
  } catch (error) {
    if (error instanceof BackupOptionsError) return false;
    throw error;
  }
};

const keys = { KEEPWATCH_BACKUP_REMOTE_ACCESS_KEY_ID: 'AKIAEXAMPLE', KEEPWATCH_BACKUP_REMOTE_SECRET_ACCESS_KEY: 'x' };
const credentials = { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'x' };

// [s3:// remote, bucket, prefix as the storage takes them, accepted by the config]
const remotes: [string, string, string, boolean][] = [
  ['s3://kw-backups', 'kw-backups', '', true],
  ['s3://kw-backups/', 'kw-backups', '', true],
  ['s3://kw.backups_2/hosts/app-1/', 'kw.backups_2', 'hosts/app-1', true],
  [`s3://${'b'.repeat(63)}/x`, 'b'.repeat(63), 'x', true],
  ['s3://b1/_x/y.z', 'b1', '_x/y.z', true],
  ['s3://-kw/x', '-kw', 'x', false],
  ['s3://k/x', 'k', 'x', false],
  ['s3://kw/a//b', 'kw', 'a//b', false],
  ['s3://kw/.partial', 'kw', '.partial', false],
  ['s3://kw/a b', 'kw', 'a b', false],
];

const endpoints: [string, boolean][] = [
  ['https://s3.eu-central-003.backblazeb2.com', true],
  ['http://127.0.0.1:9000', true],
  ['https://s3.wasabisys.com/', true],
  ['ftp://nas', false],
  ['https://key:secret@s3.example.com', false],
];

describe('[backup] remote = s3://… as the config and the S3 storage see it', () => {
  it.each(remotes)('%s: accepted %s by the config, and then by the storage', async (remote, bucket, prefix, ok) => {
    const loaded = await verdict({ ...keys, KEEPWATCH_BACKUP_REMOTE: remote });
    expect(loaded !== 'refused').toBe(ok);
    if (loaded === 'refused') return;
    expect(accepts(() => s3Storage({ bucket, prefix, credentials }))).toBe(true);
    expect(backupRemoteFromConfig(loaded.config, { env: process.env })?.label).toBe(
      `s3://${bucket}/${prefix} at AWS us-east-1`,
    );
  });

  it.each(endpoints)('remote_endpoint %s: accepted %s by both', async (endpoint, ok) => {
    const loaded = await verdict({
      ...keys,
      KEEPWATCH_BACKUP_REMOTE: 's3://kw-backups/app',
      KEEPWATCH_BACKUP_REMOTE_ENDPOINT: endpoint,
    });
    expect(loaded !== 'refused').toBe(ok);
    expect(accepts(() => s3Storage({ bucket: 'kw-backups', endpoint, credentials }))).toBe(ok);
    if (loaded !== 'refused')
      expect(backupRemoteFromConfig(loaded.config, { env: process.env })?.label).toBe(
        `s3://kw-backups/app at ${new URL(endpoint).origin}`,
      );
  });

  it('takes the region from the config, then AWS_REGION', async () => {
    const loaded = await verdict({ ...keys, KEEPWATCH_BACKUP_REMOTE: 's3://kw-backups', AWS_REGION: 'eu-west-3' });
    if (loaded === 'refused') throw new Error('refused');
    expect(backupRemoteFromConfig(loaded.config, { env: process.env })?.label).toBe(
      's3://kw-backups/ at AWS eu-west-3',
    );
  });
});
