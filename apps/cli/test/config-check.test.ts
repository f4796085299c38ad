import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/run-cli.js';

describe('keepwatch config check', () => {
  it('prints every effective setting with its origin, secrets redacted, and exits 0', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kw-cli-config-'));
    const path = join(dir, 'keepwatch.ini');
    await writeFile(path, '[database]\nurl = postgres://app:file-secret-pw@127.0.0.1/app\n[metrics]\nnamespace = shop\n');
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
    const parsed = JSON.parse(result.stdout) as { ok: boolean; settings: { key: string; value: unknown; origin: string }[] };
    expect(parsed.ok).toBe(true);
    expect(parsed.settings.find((s) => s.key === 'profile.rate')).toMatchObject({ value: 0.25, origin: 'KEEPWATCH_PROFILE_RATE' });
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

  it('exits 1 naming a config file that does not exist', async () => {
    const result = await runCli(['config', 'check', '--config', '/nonexistent/keepwatch.ini']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('cannot read the config file /nonexistent/keepwatch.ini (ENOENT)');
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
