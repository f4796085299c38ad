import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/run-cli.js';

describe('keepwatch config check', () => {
  it('prints every effective setting with its origin, secrets redacted, and exits 0', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kw-cli-config-'));
    const path = join(dir, 'keepwatch.ini');
    await writeFile(
      path,
      '[database]\nurl = postgres://app:file-secret-pw@127.0.0.1/app\n[metrics]\nnamespace = shop\n',
    );
    const result = await runCli(['config', 'check', '--config', path], {
      KEEPWATCH_SERVER_ADMIN_TOKEN: 'env-admin-token-0123456789',
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`config file: ${path}`);
    expect(result.stdout).toMatch(/database\.url\s+postgres:\/\/app:\*\*\*@127\.0\.0\.1\/app\s+.*keepwatch\.ini:2/);
    expect(result.stdout).toMatch(/metrics\.namespace\s+shop\s+.*keepwatch\.ini:4/);
    expect(result.stdout).toMatch(/server\.admin_token\s+\[redacted\]\s+KEEPWATCH_SERVER_ADMIN_TOKEN/);
    expect(result.stdout).toMatch(/server\.listen\s+127\.0\.0\.1:8080\s+default/);
    expect(result.stdout + result.stderr).not.toContain('file-secret-pw');
    expect(result.stdout + result.stderr).not.toContain('env-admin-token-0123456789');
  });

  it('prints JSON for scripts', async () => {
    const result = await runCli(['config', 'check', '--json'], { KEEPWATCH_PROFILE_RATE: '0.25' });
    expect(result.code).toBe(0);
    const parsed = JSON.parse(result.stdout) as {
      ok: boolean;
      settings: { key: string; value: unknown; origin: string }[];
    };
    expect(parsed.ok).toBe(true);
    expect(parsed.settings.find((s) => s.key === 'profile.rate')).toMatchObject({
      value: 0.25,
      origin: 'KEEPWATCH_PROFILE_RATE',
    });
  });

  it('exits 1 with one line per problem, naming key and origin', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kw-cli-config-'));
    const path = join(dir, 'bad.ini');
    await writeFile(path, '[server]\nlisten = everywhere\n[metrics]\nenabled = perhaps\n');
    const result = await runCli(['config', 'check', '-c', path], { KEEPWATCH_PROFILE_RATE: '3' });
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines[0]).toBe('keepwatch: the configuration is invalid:');
    expect(lines).toHaveLength(4);
    expect(result.stderr).toContain(`${path}:2: [server] listen: expected host:port`);
    expect(result.stderr).toContain(`${path}:4: [metrics] enabled: expected true or false`);
    expect(result.stderr).toContain('KEEPWATCH_PROFILE_RATE: [profile] rate: expected a fraction from 0 to 1');
  });

  it('hides every credential of a connection URL, in the table and in JSON (issue 16, item 3)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kw-cli-config-'));
    const path = join(dir, 'keepwatch.ini');
    await writeFile(path, '[redis]\nurl = redis://default:userinfo-pw-1@127.0.0.1:6379/0?db=1&password=query-pw-2\n');
    const env = { KEEPWATCH_DATABASE_URL: 'postgres://app:db-pw-3@127.0.0.1:5432/app?sslmode=require' };
    const text = await runCli(['config', 'check', '--config', path], env);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/redis\.url\s+redis:\/\/default:\*\*\*@127\.0\.0\.1:6379\/0\?db=1&password=\*\*\*\s/);
    expect(text.stdout).toMatch(/database\.url\s+postgres:\/\/app:\*\*\*@127\.0\.0\.1:5432\/app\?sslmode=require\s/);
    const json = await runCli(['config', 'check', '--json', '--config', path], env);
    expect(json.code).toBe(0);
    const rows = (JSON.parse(json.stdout) as { settings: { key: string; value: unknown }[] }).settings;
    expect(rows.find((r) => r.key === 'redis.url')?.value).toBe(
      'redis://default:***@127.0.0.1:6379/0?db=1&password=***',
    );
    for (const output of [text.stdout + text.stderr, json.stdout + json.stderr]) {
      for (const secret of ['userinfo-pw-1', 'query-pw-2', 'db-pw-3']) expect(output).not.toContain(secret);
    }
    // pg_dump never sees ?password=, so a database URL carrying one is refused, without echoing it.
    const refused = await runCli(['config', 'check'], {
      KEEPWATCH_DATABASE_URL: 'postgres://app@127.0.0.1/app?password=db-pw-4&sslpassword=db-pw-5',
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      'keepwatch: the configuration is invalid: KEEPWATCH_DATABASE_URL: [database] url: expected the password in the user info ' +
        '(postgres://USER:PASSWORD@HOST:5432/NAME), not as "password": the backup tools read no such parameter\n',
    );
    expect(refused.stdout).toBe('');
  });

  it('refuses, in one line naming the key, what the server or the worker could not run (item 8)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kw-cli-config-'));
    const path = join(dir, 'keepwatch.ini');
    await writeFile(
      path,
      '[metrics]\nenabled = true\nuser = a:b\npassphrase = scrape-passphrase\n[redis]\nurl = redis://127.0.0.1:6379\n',
    );
    const metrics = await runCli(['config', 'check', '--config', path]);
    expect(metrics.code).toBe(1);
    expect(metrics.stderr).toBe(
      `keepwatch: the configuration is invalid: ${path}:3: [metrics] user: expected a user name without ":" ` +
        '(basic auth splits user and passphrase at the first ":"), got "a:b"\n',
    );
    const percent = await runCli(['config', 'check'], {
      KEEPWATCH_DATABASE_URL: 'postgres://u:Pa55%ZZx@127.0.0.1/app',
    });
    expect(percent.code).toBe(1);
    expect(percent.stderr).toMatch(
      /^keepwatch: the configuration is invalid: KEEPWATCH_DATABASE_URL: \[database\] url: expected the password to be %-encoded[^\n]*\n$/,
    );
    expect(percent.stderr).not.toContain('Pa55');
  });

  it('exits 1 naming a config file that does not exist', async () => {
    const result = await runCli(['config', 'check', '--config', '/nonexistent/keepwatch.ini']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('cannot read the config file /nonexistent/keepwatch.ini (ENOENT)');
  });

  describe('with a file that is no config (item 9): one bounded message, no stack, at once', () => {
    const noStack = (result: { stdout: string; stderr: string }) => {
      expect(result.stderr).not.toMatch(/^\s+at /m);
      expect(result.stderr).not.toContain('RangeError');
      expect(result.stdout).toBe('');
    };

    it('/dev/zero', async () => {
      const started = Date.now();
      const result = await runCli(['config', 'check', '--config', '/dev/zero'], {}, 10_000);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(
        'keepwatch: the config file /dev/zero is larger than 1 MiB; a keepwatch config is a few KB: is it the right file?\n',
      );
      noStack(result);
      // Reading it whole took 1.7 s (and 642 MB) before; node's own start-up is most of this.
      expect(Date.now() - started).toBeLessThan(5000);
    });

    it('a 10 MB key', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'kw-cli-config-'));
      const path = join(dir, 'big-key.ini');
      await writeFile(path, `[server]\n${'k'.repeat(10 * 1024 * 1024)} = 1\n`);
      const result = await runCli(['config', 'check', '--config', path]);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(
        `keepwatch: the config file ${path} is larger than 1 MiB; a keepwatch config is a few KB: is it the right file?\n`,
      );
      noStack(result);
    });

    it('a 500 kB key is echoed clipped', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'kw-cli-config-'));
      const path = join(dir, 'long-key.ini');
      await writeFile(path, `[server]\n${'k'.repeat(500_000)} = 1\n`);
      const result = await runCli(['config', 'check', '--config', path]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(
        new RegExp(
          `^keepwatch: the configuration is invalid: ${path}:2: \\[server\\] k{59}…: unknown setting; [^\\n]+\\n$`,
        ),
      );
      noStack(result);
    });

    it('400 000 lines of junk', async () => {
      // 130 000 lines threw "RangeError: Maximum call stack size exceeded" with its stack.
      const dir = await mkdtemp(join(tmpdir(), 'kw-cli-config-'));
      const path = join(dir, 'junk.ini');
      await writeFile(path, 'x\n'.repeat(400_000));
      const result = await runCli(['config', 'check', '--config', path]);
      expect(result.code).toBe(1);
      const lines = result.stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(22);
      expect(lines[0]).toBe('keepwatch: the configuration is invalid:');
      expect(lines[1]).toBe(`  ${path}:1: [file]: expected "key = value", a [section] header or a comment`);
      expect(lines[21]).toBe('  … and 399980 more');
      noStack(result);
    });
  });

  it('exits 2 on bad usage, naming the option or command', async () => {
    const option = await runCli(['config', 'check', '--bogus']);
    expect(option.code).toBe(2);
    expect(option.stderr).toContain("'--bogus'");
    const command = await runCli(['confg', 'chek']);
    expect(command.code).toBe(2);
    expect(command.stderr).toContain('unknown command "confg chek"');
  });

  it('prints help with every command', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('keepwatch config check');
    expect(result.stdout).toContain('keepwatch health');
  });
});
