import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, ConfigFileError, loadConfig } from '../src/index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kw-config-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function writeIni(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

async function problemsOf(promise: Promise<unknown>): Promise<ConfigError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

describe('loadConfig', () => {
  it('works with no file and no environment: the documented defaults', async () => {
    const { config, path } = await loadConfig({ env: {}, cwd: '/srv/app' });
    expect(path).toBeUndefined();
    expect(config.server.listen).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(config.data.dir).toBe('/srv/app/data');
    expect(config.backup.destination).toBe('/srv/app/backups');
    expect(config.redis.prefix).toBe('keepwatch:');
    expect(config.cache.backend).toBe('memory');
    expect(config.metrics).toMatchObject({ enabled: false, namespace: 'pretix', flush_interval: 1000 });
    expect(config.metrics.buckets).toEqual([
      0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 30,
    ]);
    expect(config.health).toEqual({ timeout: 2000, deadline: 2500 });
    expect(config.profile).toMatchObject({ rate: 0, worker_rate: 0, max_files: 100, max_bytes: 100e6 });
    expect(config.database.url).toBeUndefined();
    expect(Object.isFrozen(config.server)).toBe(true);
  });

  it('reads the INI file, and the environment overrides it', async () => {
    const path = await writeIni(
      'full.ini',
      [
        '# keepwatch',
        '[server]',
        'listen = 0.0.0.0:9000',
        '; a comment',
        '[database]',
        'url = "postgres://app:s3cret@127.0.0.1:5432/app"',
        '[redis]',
        'url: redis://127.0.0.1:6379/2',
        '[metrics]',
        'enabled = yes',
        'flush_interval = 250ms',
        '[profile]',
        'rate = 10%',
      ].join('\n'),
    );
    const { config, origins } = await loadConfig({
      path,
      env: { KEEPWATCH_SERVER_LISTEN: '[::1]:8081', KEEPWATCH_PROFILE_WORKER_RATE: '0.5' },
      cwd: dir,
    });
    expect(config.server.listen).toEqual({ host: '::1', port: 8081 });
    expect(origins['server.listen']).toEqual({ kind: 'env', name: 'KEEPWATCH_SERVER_LISTEN' });
    expect(config.database.url).toBe('postgres://app:s3cret@127.0.0.1:5432/app');
    expect(origins['database.url']).toEqual({ kind: 'file', path, line: 6 });
    expect(config.redis.url).toBe('redis://127.0.0.1:6379/2');
    expect(config.cache.backend).toBe('redis');
    expect(config.metrics.enabled).toBe(true);
    expect(config.metrics.flush_interval).toBe(250);
    expect(config.profile.rate).toBeCloseTo(0.1);
    expect(config.profile.worker_rate).toBe(0.5);
  });

  it('takes the file from KEEPWATCH_CONFIG when no path is given', async () => {
    const path = await writeIni('via-env.ini', '[server]\nlisten = 127.0.0.1:7000\n');
    const { config } = await loadConfig({ env: { KEEPWATCH_CONFIG: path } });
    expect(config.server.listen.port).toBe(7000);
  });

  it('names a config file it cannot read', async () => {
    const error = await loadConfig({ path: join(dir, 'missing.ini'), env: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigFileError);
    expect((error as Error).message).toContain('missing.ini');
    expect((error as Error).message).toContain('ENOENT');
  });

  const badValues: [string, string, string, RegExp][] = [
    ['server', 'listen', 'localhost', /expected host:port/],
    ['server', 'listen', '127.0.0.1:99999', /expected host:port/],
    ['server', 'admin_token', 'short', /at least 16 characters/],
    ['server', 'shutdown_timeout', 'soon', /expected a duration/],
    ['server', 'trust_proxy', 'maybe', /expected true or false/],
    ['data', 'secret', 'too-short', /at least 32 characters/],
    ['database', 'url', 'sqlite:///tmp/x', /expected a URL starting with postgres:\/\//],
    ['redis', 'url', 'http://127.0.0.1', /expected a URL starting with redis:\/\//],
    ['redis', 'prefix', 'has space', /letters, digits/],
    ['cache', 'backend', 'memcached', /expected one of memory, redis/],
    ['health', 'timeout', '0', /expected a duration from 50ms/],
    ['metrics', 'enabled', 'enabled', /expected true or false/],
    ['metrics', 'namespace', '9lives', /a Prometheus name/],
    ['metrics', 'flush_interval', '-1', /expected a duration/],
    ['metrics', 'buckets', '1, 0.5', /increasing positive numbers/],
    ['profile', 'rate', '1.5', /fraction from 0 to 1/],
    ['profile', 'worker_rate', 'half', /fraction from 0 to 1/],
    ['profile', 'max_files', '-3', /whole number/],
    ['profile', 'max_bytes', 'lots', /expected a size/],
    ['backup', 'compression', 'xz', /expected one of zstd, gzip, none/],
    ['backup', 'schedule', '0 3 * *', /expected a cron expression of 5 fields/],
    ['backup', 'schedule', '0 25 * * *', /expected a cron expression such as 0 3 \* \* \*/],
    ['backup', 'timezone', 'Mars/Olympus', /expected an IANA time zone/],
    ['backup', 'zstd_level', '22', /whole number from 1 to 19/],
    ['backup', 'encrypt_to', 'age1short, not-a-key', /expected age recipients/],
    ['backup', 'lock_wait', 'forever', /expected a duration/],
    ['backup', 'connect_timeout', '10ms', /expected a duration from 100ms/],
    ['backup', 'data_include', ' , ', /one or more values separated by commas/],
    ['backup', 'data_exclude', ',', /one or more values separated by commas/],
    ['backup', 'keep_last', '-1', /whole number from 0 to 100000/],
    ['backup', 'keep_daily', '7.5', /whole number from 0 to 100000/],
    ['backup', 'keep_weekly', 'four', /whole number from 0 to 100000/],
    ['backup', 'keep_monthly', '1e3', /whole number from 0 to 100000/],
    ['backup', 'remote', 'nas.example:/srv/keepwatch', /user@host:\/absolute\/path/],
    ['backup', 'remote', 'backup@nas.example:srv', /user@host:\/absolute\/path/],
    ['backup', 'remote', 'backup@nas.example:/srv/my backups', /user@host:\/absolute\/path/],
    ['backup', 'remote', 'backup@nas.example:/srv/../etc', /without "\.\."/],
    ['backup', 'remote', 'backup@2001:db8::1:/srv/keepwatch', /an IPv6 host in brackets/],
    ['backup', 'remote', 'backup@[192.0.2.10]:/srv/keepwatch', /user@host:\/absolute\/path/],
    ['backup', 'remote', 'backup@[::1:/srv/keepwatch', /user@host:\/absolute\/path/],
    ['backup', 'remote_port', '0', /whole number from 1 to 65535/],
    ['backup', 'remote_strict_host_key_checking', 'maybe', /expected one of yes, accept-new, no/],
    // Values each process refused at start-up (or at the first backup) while config check let them through.
    ['server', 'listen', 'my host:8080', /no host name or IPv4 address/],
    ['server', 'listen', '[fe80::1::2]:8080', /no IPv6 address/],
    ['server', 'admin_token', 'a token with spaces in it', /ASCII letters, digits and punctuation, no spaces/],
    ['data', 'dir', '/srv/a\u0007b', /without control characters/],
    ['health', 'timeout', '100.5ms', /in whole milliseconds/],
    ['metrics', 'user', 'a:b', /without ":"/],
    ['metrics', 'flush_interval', '0.5ms', /in whole milliseconds/],
    ['profile', 'interval', '10us', /from 50us to 1s/],
    ['profile', 'interval', '0.0005ms', /to the microsecond/],
    ['profile', 'max_duration', '100.5ms', /in whole milliseconds/],
    ['profile', 'max_bytes', '99999999999GB', /from 1024 bytes to 1TiB/],
    ['backup', 'lock_wait', '1.0005s', /in whole milliseconds/],
    ['backup', 'connect_timeout', '0.1005s', /in whole milliseconds/],
    ['backup', 'data_include', `media/**, ${'x'.repeat(1001)}`, /at most 1000 characters/],
    ['backup', 'keep_last', '200000', /whole number from 0 to 100000/],
  ];

  it.each(badValues)('[%s] %s = %j is rejected from the file with its line', async (section, key, value, expected) => {
    const path = await writeIni(`bad-${section}-${key}.ini`, `# first line\n[${section}]\n${key} = ${value}\n`);
    const error = await problemsOf(loadConfig({ path, env: {} }));
    expect(error.code).toBe('KW_CONFIG_INVALID');
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatchObject({ key: `${section}.${key}`, origin: { kind: 'file', path, line: 3 } });
    expect(error.message).toMatch(expected);
    expect(error.message).toContain(`${path}:3: [${section}] ${key}:`);
  });

  it.each(badValues)(
    '[%s] %s = %j is rejected from the environment by its variable',
    async (section, key, value, expected) => {
      const name = `KEEPWATCH_${section.toUpperCase()}_${key.toUpperCase()}`;
      const error = await problemsOf(loadConfig({ env: { [name]: value } }));
      expect(error.problems[0]).toMatchObject({ key: `${section}.${key}`, origin: { kind: 'env', name } });
      expect(error.message).toMatch(expected);
      expect(error.message).toContain(`${name}: [${section}] ${key}:`);
    },
  );

  it('takes durations to the exact millisecond and keeps the profiler interval in microseconds', async () => {
    // 1.1 * 1000 is 1100.0000000000002 in floating point, which the health checker refused.
    const { config } = await loadConfig({
      env: {
        KEEPWATCH_HEALTH_TIMEOUT: '1.1s',
        KEEPWATCH_HEALTH_DEADLINE: '2.3s',
        KEEPWATCH_PROFILE_INTERVAL: '500us',
        KEEPWATCH_BACKUP_LOCK_WAIT: '0.7m',
      },
    });
    expect(config.health).toEqual({ timeout: 1100, deadline: 2300 });
    expect(config.profile.interval).toBe(0.5);
    expect(config.backup.lock_wait).toBe(42_000);
  });

  it('lists every problem at once', async () => {
    const path = await writeIni(
      'many.ini',
      '[server]\nlisten = nope\n[metrics]\nenabled = perhaps\n[nonsense]\nx = 1\n',
    );
    const error = await problemsOf(loadConfig({ path, env: { KEEPWATCH_PROFILE_RATE: '2' } }));
    expect(error.problems.map((p) => p.key).sort()).toEqual([
      'metrics.enabled',
      'nonsense.x',
      'profile.rate',
      'server.listen',
    ]);
    expect(error.message.split('\n')).toHaveLength(5);
  });

  it('never repeats a secret it rejects', async () => {
    const error = await problemsOf(
      loadConfig({
        env: {
          KEEPWATCH_DATABASE_URL: 'ftp://admin:hunter2-very-secret@db/app',
          KEEPWATCH_SERVER_ADMIN_TOKEN: 'tok-hunter2',
          KEEPWATCH_METRICS_PASSPHRASE: 'pw',
          KEEPWATCH_METRICS_USER: 'prom',
        },
      }),
    );
    expect(error.problems).toHaveLength(3);
    expect(error.message).not.toContain('hunter2');
    expect(error.message).not.toMatch(/"pw"/);
  });

  it('names unknown sections, unknown keys, keys set twice and lines it cannot read', async () => {
    const path = await writeIni(
      'unknown.ini',
      'orphan = 1\n[server]\nlisten = 127.0.0.1:1\nlisten = 127.0.0.1:2\nlsten = x\n[srever]\na = b\nthis is not ini\n',
    );
    const error = await problemsOf(loadConfig({ path, env: { KEEPWATCH_SERVER_LISTN: 'x', KEEPWATCH_NOPE: '1' } }));
    const byLine = (line: number) => error.problems.find((p) => p.origin.kind === 'file' && p.origin.line === line);
    expect(byLine(1)?.message).toMatch(/before the first \[section\]/);
    expect(byLine(4)?.message).toMatch(/set twice \(first on line 3\)/);
    expect(byLine(5)?.message).toMatch(/unknown setting; \[server\] takes listen, admin_token/);
    expect(byLine(7)?.message).toMatch(/unknown section \[srever\]/);
    expect(byLine(8)?.message).toMatch(/expected "key = value"/);
    const env = error.problems.filter((p) => p.origin.kind === 'env').map((p) => p.message);
    expect(env).toHaveLength(2);
    expect(env.join('\n')).toMatch(/unknown setting; \[server\] takes/);
    expect(env.join('\n')).toMatch(/unknown variable/);
  });

  it('checks settings that depend on each other', async () => {
    const error = await problemsOf(
      loadConfig({
        env: {
          KEEPWATCH_METRICS_USER: 'prometheus',
          KEEPWATCH_CACHE_BACKEND: 'redis',
          KEEPWATCH_HEALTH_TIMEOUT: '3s',
          KEEPWATCH_BACKUP_DESTINATION: './data/backups',
        },
        cwd: '/srv',
      }),
    );
    const messages = Object.fromEntries(error.problems.map((p) => [p.key, p.message]));
    expect(messages['metrics.passphrase']).toMatch(/must be set together with \[metrics\] user/);
    expect(messages['cache.backend']).toMatch(/needs \[redis\] url/);
    expect(messages['health.deadline']).toMatch(/at least \[health\] timeout \(3000ms\)/);
    expect(messages['backup.destination']).toMatch(/must not be inside \[data\] dir \(\/srv\/data\)/);

    const remoteWithoutKeys = await problemsOf(
      loadConfig({ env: { KEEPWATCH_BACKUP_REMOTE: 'backup@nas.example:/srv/kw' } }),
    );
    const remote = Object.fromEntries(remoteWithoutKeys.problems.map((p) => [p.key, p.message]));
    expect(remote['backup.remote_identity_file']).toMatch(/must be set with \[backup\] remote/);
    expect(remote['backup.remote_known_hosts_file']).toMatch(/while remote_strict_host_key_checking is yes/);
    const acceptNew = await loadConfig({
      env: {
        KEEPWATCH_BACKUP_REMOTE: 'backup@nas.example:/srv/kw',
        KEEPWATCH_BACKUP_REMOTE_IDENTITY_FILE: 'keys/id_ed25519',
        KEEPWATCH_BACKUP_REMOTE_STRICT_HOST_KEY_CHECKING: 'accept-new',
      },
      cwd: '/srv',
    });
    expect(acceptNew.config.backup.remote_identity_file).toBe('/srv/keys/id_ed25519');

    // The key file goes inside rsync's -e "ssh -i …" command, which splits on spaces: checked once
    // resolved against the working directory, which may hold the space.
    const spaced = await problemsOf(
      loadConfig({
        env: {
          KEEPWATCH_BACKUP_REMOTE: 'backup@nas.example:/srv/kw',
          KEEPWATCH_BACKUP_REMOTE_IDENTITY_FILE: 'keys/id_ed25519',
          KEEPWATCH_BACKUP_REMOTE_STRICT_HOST_KEY_CHECKING: 'accept-new',
        },
        cwd: '/srv/my keepwatch',
      }),
    );
    expect(spaced.problems.map((p) => p.key)).toEqual(['backup.remote_identity_file']);
    expect(spaced.message).toMatch(/without spaces, quotes.*: \/srv\/my keepwatch\/keys\/id_ed25519/);
    expect(acceptNew.config.backup.remote_known_hosts_file).toBeUndefined();

    const metricsWithoutRedis = await problemsOf(loadConfig({ env: { KEEPWATCH_METRICS_ENABLED: 'true' } }));
    expect(metricsWithoutRedis.message).toMatch(/metrics are collected in Redis: set \[redis\] url/);
  });

  it('refuses a [backup] destination that is [data] dir or below it, and only those', async () => {
    const destination = (path: string) =>
      loadConfig({ env: { KEEPWATCH_DATA_DIR: '/srv/data', KEEPWATCH_BACKUP_DESTINATION: path }, cwd: '/srv' });
    for (const inside of ['/srv/data', './data/backups', '/srv/data/..backups']) {
      const error = await problemsOf(destination(inside));
      expect(
        error.problems.map((p) => p.key),
        inside,
      ).toEqual(['backup.destination']);
    }
    for (const outside of ['/srv/data-backups', './backups', '/srv/data/../backups']) {
      expect((await destination(outside)).config.backup.destination, outside).toBe(resolve('/srv', outside));
    }
  });
});
