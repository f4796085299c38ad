import { describe, expect, it } from 'vitest';
import { ConfigError, describeConfig, formatProblem, loadConfig, redactConfig } from '../src/index.js';

const SECRET = 'b2-secret-Kq8fT1zQ0Xw/9pLr';

const s3 = {
  KEEPWATCH_BACKUP_REMOTE: 's3://kw-backups/hosts/app1',
  KEEPWATCH_BACKUP_REMOTE_ACCESS_KEY_ID: '003a1b2c3d4e5f60000000001',
  KEEPWATCH_BACKUP_REMOTE_SECRET_ACCESS_KEY: SECRET,
};

async function problems(env: Record<string, string>): Promise<Record<string, string>> {
  const error = await loadConfig({ env }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return Object.fromEntries((error as ConfigError).problems.map((p) => [p.key, formatProblem(p)]));
}

describe('[backup] remote = s3://BUCKET/PREFIX', () => {
  it('loads with a key pair and no SSH key, the S3 keys typed', async () => {
    const { config } = await loadConfig({
      env: {
        ...s3,
        KEEPWATCH_BACKUP_REMOTE_ENDPOINT: 'https://s3.eu-central-003.backblazeb2.com',
        KEEPWATCH_BACKUP_REMOTE_REGION: 'eu-central-003',
        KEEPWATCH_BACKUP_REMOTE_FORCE_PATH_STYLE: 'yes',
      },
    });
    expect(config.backup).toMatchObject({
      remote: 's3://kw-backups/hosts/app1',
      remote_endpoint: 'https://s3.eu-central-003.backblazeb2.com',
      remote_region: 'eu-central-003',
      remote_access_key_id: '003a1b2c3d4e5f60000000001',
      remote_secret_access_key: SECRET,
      remote_force_path_style: true,
      remote_identity_file: undefined,
    });
  });

  it('refuses an s3 remote without a key pair, naming both keys and the AWS variables', async () => {
    const found = await problems({ KEEPWATCH_BACKUP_REMOTE: 's3://kw-backups' });
    expect(Object.keys(found).sort()).toEqual(['backup.remote_access_key_id', 'backup.remote_secret_access_key']);
    expect(found['backup.remote_access_key_id']).toMatch(
      /^KEEPWATCH_BACKUP_REMOTE: \[backup\] remote_access_key_id: must be set with an s3:\/\/ \[backup\] remote \(or AWS_ACCESS_KEY_ID/,
    );
    expect(found['backup.remote_secret_access_key']).toMatch(/or AWS_SECRET_ACCESS_KEY in the environment/);
  });

  it.each([
    ['s3://kw_backups!/x', /bucket name of 2 to 63 letters/],
    [`s3://${'b'.repeat(64)}`, /bucket name of 2 to 63/],
    ['s3:///prefix', /bucket name/],
    ['s3://kw-backups/a//b', /prefix of "\/"-separated names/],
    ['s3://kw-backups/.partial', /none empty or starting with "\." or "-"/],
    ['https://kw-backups/x', /user@host:\/absolute\/path.*; or s3:\/\/BUCKET\/PREFIX/],
  ])('refuses [backup] remote = %s, naming the key', async (remote, message) => {
    const found = await problems({ ...s3, KEEPWATCH_BACKUP_REMOTE: remote });
    expect(Object.keys(found)).toEqual(['backup.remote']);
    expect(found['backup.remote']).toMatch(/^KEEPWATCH_BACKUP_REMOTE: \[backup\] remote: expected /);
    expect(found['backup.remote']).toMatch(message);
  });

  it.each([
    ['ftp://s3.example.com', /http:\/\/ or https:\/\//],
    ['s3.example.com', /http:\/\/ or https:\/\//],
    ['https://AKIAEXAMPLE:hunter2-endpoint@s3.example.com', /without a user or password in it/],
    ['https://s3.example.com/?X-Amz-Credential=abc', /without \?query/],
  ])('refuses remote_endpoint = %s without repeating it', async (endpoint, message) => {
    const found = await problems({ ...s3, KEEPWATCH_BACKUP_REMOTE_ENDPOINT: endpoint });
    expect(Object.keys(found)).toEqual(['backup.remote_endpoint']);
    expect(found['backup.remote_endpoint']).toMatch(/^KEEPWATCH_BACKUP_REMOTE_ENDPOINT: \[backup\] remote_endpoint: /);
    expect(found['backup.remote_endpoint']).toMatch(message);
    expect(found['backup.remote_endpoint']).not.toContain('hunter2');
    expect(found['backup.remote_endpoint']).not.toContain('X-Amz');
  });

  it('refuses the SSH keys with an s3 remote, and the S3 keys with an SSH one', async () => {
    const sshKeys = await problems({
      ...s3,
      KEEPWATCH_BACKUP_REMOTE_IDENTITY_FILE: '/srv/keys/id_ed25519',
      KEEPWATCH_BACKUP_REMOTE_PORT: '2222',
    });
    expect(Object.keys(sshKeys).sort()).toEqual(['backup.remote_identity_file', 'backup.remote_port']);
    expect(sshKeys['backup.remote_port']).toMatch(/is only read for an SSH \[backup\] remote \(user@host:\/path\)/);

    const s3Keys = await problems({
      KEEPWATCH_BACKUP_REMOTE: 'backup@nas.example:/srv/kw',
      KEEPWATCH_BACKUP_REMOTE_IDENTITY_FILE: '/srv/keys/id_ed25519',
      KEEPWATCH_BACKUP_REMOTE_STRICT_HOST_KEY_CHECKING: 'accept-new',
      KEEPWATCH_BACKUP_REMOTE_ENDPOINT: 'http://nas:9000',
    });
    expect(Object.keys(s3Keys)).toEqual(['backup.remote_endpoint']);
    expect(s3Keys['backup.remote_endpoint']).toMatch(/is only read for an s3:\/\/ \[backup\] remote/);
  });

  it('takes the usual AWS variables for the keys left unset; the config wins over them', async () => {
    const aws = {
      AWS_ACCESS_KEY_ID: 'AKIAFROMENV',
      AWS_SECRET_ACCESS_KEY: 'secret-from-env',
      AWS_SESSION_TOKEN: 'token-from-env',
      AWS_DEFAULT_REGION: 'eu-west-1',
      AWS_REGION: 'eu-central-1',
      AWS_ENDPOINT_URL: 'https://s3.example.com',
      AWS_ENDPOINT_URL_S3: 'https://s3.eu-central-1.wasabisys.com',
    };
    const fromEnv = await loadConfig({ env: { KEEPWATCH_BACKUP_REMOTE: 's3://kw-backups', ...aws } });
    expect(fromEnv.config.backup).toMatchObject({
      remote_access_key_id: 'AKIAFROMENV',
      remote_secret_access_key: 'secret-from-env',
      remote_region: 'eu-central-1',
      remote_endpoint: 'https://s3.eu-central-1.wasabisys.com',
    });
    const rows = describeConfig(fromEnv);
    expect(rows.find((r) => r.key === 'backup.remote_access_key_id')?.origin).toBe('AWS_ACCESS_KEY_ID');
    expect(rows.find((r) => r.key === 'backup.remote_secret_access_key')).toMatchObject({
      origin: 'AWS_SECRET_ACCESS_KEY',
      value: '[redacted]',
    });

    const configWins = await loadConfig({ env: { ...s3, ...aws, KEEPWATCH_BACKUP_REMOTE_REGION: 'us-west-004' } });
    expect(configWins.config.backup).toMatchObject({
      remote_access_key_id: s3.KEEPWATCH_BACKUP_REMOTE_ACCESS_KEY_ID,
      remote_secret_access_key: SECRET,
      remote_region: 'us-west-004',
      remote_endpoint: 'https://s3.eu-central-1.wasabisys.com',
    });

    // A bad endpoint from the environment is refused naming the variable it came from.
    const badEnv = await problems({ ...s3, AWS_ENDPOINT_URL_S3: 'ftp://nas' });
    expect(badEnv['backup.remote_endpoint']).toMatch(/^AWS_ENDPOINT_URL_S3: \[backup\] remote_endpoint: expected/);
  });

  it('leaves an SSH remote and a config without a remote untouched by the AWS variables', async () => {
    const aws = { AWS_ACCESS_KEY_ID: 'AKIAFROMENV', AWS_SECRET_ACCESS_KEY: 'x', AWS_ENDPOINT_URL: 'ftp://bad' };
    const ssh = await loadConfig({
      env: {
        ...aws,
        KEEPWATCH_BACKUP_REMOTE: 'backup@nas.example:/srv/kw',
        KEEPWATCH_BACKUP_REMOTE_IDENTITY_FILE: '/srv/keys/id_ed25519',
        KEEPWATCH_BACKUP_REMOTE_STRICT_HOST_KEY_CHECKING: 'accept-new',
      },
    });
    expect(ssh.config.backup.remote_access_key_id).toBeUndefined();
    expect((await loadConfig({ env: aws })).config.backup.remote_endpoint).toBeUndefined();
  });

  it('never shows the secret access key: redacted in every printout, absent from errors', async () => {
    const loaded = await loadConfig({ env: s3 });
    expect(JSON.stringify(redactConfig(loaded.config))).not.toContain(SECRET);
    expect(JSON.stringify(describeConfig(loaded))).not.toContain(SECRET);
    const found = await problems({ ...s3, KEEPWATCH_BACKUP_REMOTE_SECRET_ACCESS_KEY: `${SECRET} with space` });
    expect(found['backup.remote_secret_access_key']).toMatch(/expected ASCII letters, digits and punctuation$/);
    expect(JSON.stringify(found)).not.toContain(SECRET);
  });
});
