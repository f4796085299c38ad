import { BackupOptionsError, resolveBackupOptions, resolveRsyncOverSshOptions } from '@keepwatch/backup';
import { ConfigError, loadConfig, type LoadedConfig } from '@keepwatch/config';
import { describe, expect, it } from 'vitest';
import { backupOptionsFromConfig, backupRemoteFromConfig } from '../src/index.js';

/*
 * The config checks [backup] encrypt_to and the user, host and path of [backup] remote with the
 * shapes @keepwatch/backup checks its options with, so a config that loads never fails a backup
 * later, and a value the config refuses is one backup would refuse too.
 */

const verdict = async (load: () => Promise<LoadedConfig>): Promise<LoadedConfig | 'refused'> =>
  load().catch((error: unknown) => {
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

const ageKey = `age1${'qpzry9x8gf2tvdw0s3jn54khce6mua7l'.repeat(2)}`;
const recipients: [string, boolean][] = [
  [ageKey, true],
  ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHk3eXZ6 backup@host', true],
  ['ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ==', true],
  ['age1short', false],
  ['AGE1QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L', false],
  ['ssh-dss AAAAB3NzaC1kc3M=', false],
  ['not-a-key', false],
];

const users: [string, boolean][] = [
  ['backup', true],
  ['_svc.backup-2', true],
  ['u'.repeat(64), true],
  ['u'.repeat(65), false],
  ['-oProxyCommand=touch', false],
  ['9lives', false],
  ['back$up', false],
];

// [host as it stands in [backup] remote, as backup's host option takes it, accepted]. In the
// user@host:/path string an IPv6 address needs its brackets; as an option of its own it does not.
const hosts: [string, string, boolean][] = [
  ['nas.example', 'nas.example', true],
  ['192.0.2.10', '192.0.2.10', true],
  ['[2001:db8::1]', '2001:db8::1', true],
  ['[::ffff:192.0.2.10]', '::ffff:192.0.2.10', true],
  ['[192.0.2.10]', '[192.0.2.10]', false],
  ['[::1', '[::1', false],
  ['::1]', '::1]', false],
  ['...', '...', false],
  ['-oProxyCommand=touch', '-oProxyCommand=touch', false],
];

const paths: [string, boolean][] = [
  ['/srv/keepwatch', true],
  ['/srv/..hidden', true],
  ['/srv/../etc', false],
  ['/srv/keep watch', false],
];

const remoteEnv = (remote: string) => ({
  KEEPWATCH_BACKUP_REMOTE: remote,
  KEEPWATCH_BACKUP_REMOTE_IDENTITY_FILE: '/etc/keepwatch/id_ed25519',
  KEEPWATCH_BACKUP_REMOTE_STRICT_HOST_KEY_CHECKING: 'accept-new',
});
const remoteOptions = {
  user: 'backup',
  identityFile: '/etc/keepwatch/id_ed25519',
  strictHostKeyChecking: 'accept-new',
} as const;

describe('[backup] settings the config accepts are what @keepwatch/backup accepts', () => {
  it.each(recipients)('encrypt_to = %s: accepted %s by both', async (recipient, expected) => {
    const loaded = await verdict(() => loadConfig({ env: { KEEPWATCH_BACKUP_ENCRYPT_TO: recipient } }));
    expect(loaded !== 'refused').toBe(expected);
    expect(accepts(() => resolveBackupOptions({ encryptTo: [recipient] }))).toBe(expected);
    if (loaded !== 'refused')
      expect(resolveBackupOptions(backupOptionsFromConfig(loaded.config, process.env)).encryptTo).toEqual([recipient]);
  });

  it.each(users)('remote user %s: accepted %s by both', async (user, expected) => {
    const loaded = await verdict(() =>
      loadConfig({
        env: {
          KEEPWATCH_BACKUP_REMOTE: `${user}@nas.example:/srv/keepwatch`,
          KEEPWATCH_BACKUP_REMOTE_IDENTITY_FILE: '/etc/keepwatch/id_ed25519',
          KEEPWATCH_BACKUP_REMOTE_STRICT_HOST_KEY_CHECKING: 'accept-new',
        },
      }),
    );
    expect(loaded !== 'refused').toBe(expected);
    const remote = {
      host: 'nas.example',
      user,
      path: '/srv/keepwatch',
      identityFile: '/etc/keepwatch/id_ed25519',
      strictHostKeyChecking: 'accept-new',
    } as const;
    expect(accepts(() => resolveRsyncOverSshOptions(remote))).toBe(expected);
    if (loaded !== 'refused')
      expect(backupRemoteFromConfig(loaded.config, { env: process.env })?.label).toBe(
        `${user}@nas.example:22/srv/keepwatch`,
      );
  });

  it.each(hosts)('remote host %s (option %s): accepted %s by both', async (inRemote, host, expected) => {
    const loaded = await verdict(() => loadConfig({ env: remoteEnv(`backup@${inRemote}:/srv/keepwatch`) }));
    expect(loaded !== 'refused').toBe(expected);
    expect(accepts(() => resolveRsyncOverSshOptions({ ...remoteOptions, host, path: '/srv/keepwatch' }))).toBe(
      expected,
    );
    if (loaded !== 'refused')
      expect(backupRemoteFromConfig(loaded.config, { env: process.env })?.label).toBe(
        `backup@${inRemote}:22/srv/keepwatch`,
      );
  });

  it.each(paths)('remote path %s: accepted %s by both', async (path, expected) => {
    const loaded = await verdict(() => loadConfig({ env: remoteEnv(`backup@nas.example:${path}`) }));
    expect(loaded !== 'refused').toBe(expected);
    expect(accepts(() => resolveRsyncOverSshOptions({ ...remoteOptions, host: 'nas.example', path }))).toBe(expected);
    if (loaded !== 'refused')
      expect(backupRemoteFromConfig(loaded.config, { env: process.env })?.label).toBe(`backup@nas.example:22${path}`);
  });
});
