import { access, constants, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliMain, deployPath } from '../src/paths.js';
import { run } from '../src/run.js';

const units = ['keepwatch-server.service', 'keepwatch-worker.service'];
let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'kw-deploy-systemd-'));
});

afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/**
 * `systemd-analyze verify` exits 0 on an unknown key or a value it cannot parse (it only warns,
 * as systemd itself ignores such lines), so a unit passes only when it also says nothing.
 */
async function verify(path: string): Promise<{ code: number | null; output: string }> {
  const result = await run('systemd-analyze', ['verify', path]);
  return { code: result.code, output: (result.stdout + result.stderr).trim() };
}

describe('deploy/systemd units', () => {
  it('run the node that ExecStart names (verify checks that the binary exists)', async () => {
    // /opt/keepwatch/apps/*/dist/main.js is an argument, which verify does not look at.
    await access('/usr/bin/node', constants.X_OK);
  });

  for (const unit of units) {
    it(`${unit} passes systemd-analyze verify without a warning`, async () => {
      expect(await verify(deployPath('systemd', unit))).toEqual({ code: 0, output: '' });
    });

    it(`${unit} restarts on failure, runs as keepwatch, reads secrets from an EnvironmentFile, and is hardened`, async () => {
      const text = await readFile(deployPath('systemd', unit), 'utf8');
      for (const line of [
        'User=keepwatch',
        'Restart=on-failure',
        'EnvironmentFile=/etc/keepwatch/keepwatch.env',
        'NoNewPrivileges=yes',
        'ProtectSystem=strict',
        'ProtectHome=yes',
        'PrivateTmp=yes',
      ]) {
        expect(text.split('\n')).toContain(line);
      }
      expect(text).toMatch(/^ReadWritePaths=\/var\/lib\/keepwatch\b/m);
    });
  }

  it('the check fails on a misspelt directive and on a bad value', async () => {
    const original = await readFile(deployPath('systemd', units[0]!), 'utf8');
    const misspelt = join(scratch, 'misspelt', units[0]!);
    const badValue = join(scratch, 'bad-value', units[0]!);
    await mkdir(join(scratch, 'misspelt'));
    await mkdir(join(scratch, 'bad-value'));
    await writeFile(misspelt, original.replace('\nProtectHome=yes', '\nProtectHom=yes'));
    await writeFile(badValue, original.replace('\nRestart=on-failure', '\nRestart=sometimes'));
    expect(await verify(misspelt)).toMatchObject({ output: expect.stringContaining("Unknown key 'ProtectHom'") });
    expect(await verify(badValue)).toMatchObject({
      output: expect.stringContaining('Failed to parse service restart specifier'),
    });
  });

  it('ship an example config and EnvironmentFile that keepwatch config check accepts', async () => {
    // systemd reads KEY=VALUE lines; the values here have no quotes or spaces to unescape.
    const env = Object.fromEntries(
      (await readFile(deployPath('systemd', 'keepwatch.env.example'), 'utf8'))
        .split('\n')
        .filter((line) => /^[A-Z]/.test(line))
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    expect(Object.keys(env)).toEqual([
      'KEEPWATCH_DATABASE_URL',
      'KEEPWATCH_REDIS_URL',
      'KEEPWATCH_SERVER_ADMIN_TOKEN',
      'KEEPWATCH_METRICS_PASSPHRASE',
    ]);
    const result = await run(process.execPath, [cliMain, 'config', 'check', '--config', deployPath('keepwatch.ini')], {
      env: { PATH: process.env.PATH ?? '', ...env },
    });
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('configuration is valid');
    expect(result.code).toBe(0);
  });
});
