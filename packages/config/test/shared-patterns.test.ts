import { describe, expect, it } from 'vitest';
import { parseRemote, REMOTE_HOST_PATTERN, REMOTE_PATH_PATTERN } from '@keepwatch/conventions';
import { ConfigError, loadConfig } from '../src/index.js';

// [host as backup's option takes it, as it stands in [backup] remote, accepted]
const hosts: [string, string, boolean][] = [
  ['nas.example', 'nas.example', true],
  ['backup_host-2', 'backup_host-2', true],
  ['192.0.2.10', '192.0.2.10', true],
  ['2001:db8::1', '[2001:db8::1]', true],
  ['::1', '[::1]', true],
  ['::ffff:192.0.2.10', '[::ffff:192.0.2.10]', true],
  ['[192.0.2.10]', '[192.0.2.10]', false],
  ['[::1', '[::1', false],
  ['::1]', '::1]', false],
  ['...', '...', false],
  ['fe80::1%eth0', '[fe80::1%eth0]', false],
  ['-oProxyCommand=touch', '-oProxyCommand=touch', false],
  ['nas example', 'nas example', false],
];

const paths: [string, boolean][] = [
  ['/srv/keepwatch', true],
  ['/', true],
  ['/srv/keepwatch/', true],
  ['/srv/..hidden/...', true],
  ['/srv/../etc', false],
  ['/..', false],
  ['srv/keepwatch', false],
  ['/srv/keep watch', false],
  ['/srv/$HOME', false],
];

/** Whether `[backup] remote = value` loads; any error but the config's own fails the test. */
const remote = (value: string): Promise<boolean> =>
  loadConfig({
    env: {
      KEEPWATCH_BACKUP_REMOTE: value,
      KEEPWATCH_BACKUP_REMOTE_IDENTITY_FILE: '/k',
      KEEPWATCH_BACKUP_REMOTE_STRICT_HOST_KEY_CHECKING: 'no',
    },
  }).then(
    () => true,
    (error: unknown) => {
      if (error instanceof ConfigError) return false;
      throw error;
    },
  );

describe('the remote copy patterns', () => {
  it.each(hosts)('host %s (%s in [backup] remote): accepted %s', async (host, inRemote, expected) => {
    expect(REMOTE_HOST_PATTERN.test(host)).toBe(expected);
    expect(await remote(`backup@${inRemote}:/srv/keepwatch`)).toBe(expected);
  });

  it('takes an IPv6 host in brackets as backup option too, but only in [backup] remote does it need them', async () => {
    expect(REMOTE_HOST_PATTERN.test('[2001:db8::1]')).toBe(true);
    expect(await remote('backup@2001:db8::1:/srv/keepwatch')).toBe(false);
  });

  it.each(paths)('path %s: accepted %s', async (path, expected) => {
    expect(REMOTE_PATH_PATTERN.test(path)).toBe(expected);
    expect(await remote(`backup@nas.example:${path}`)).toBe(expected);
  });

  it('takes [backup] remote apart into user, host without brackets, and path', () => {
    expect(parseRemote('backup@nas.example:/srv/keepwatch')).toEqual({
      user: 'backup',
      host: 'nas.example',
      path: '/srv/keepwatch',
    });
    expect(parseRemote('backup@[2001:db8::1]:/srv/kw')).toEqual({
      user: 'backup',
      host: '2001:db8::1',
      path: '/srv/kw',
    });
    expect(parseRemote('backup@2001:db8::1:/srv/kw')).toBeUndefined();
  });
});
