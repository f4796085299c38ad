import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/run-cli.js';
import { freePort } from '@keepwatch/test-support/net';

describe('keepwatch health', () => {
  it('prints a table and exits 0 when PostgreSQL, Redis and the cache work', async () => {
    const result = await runCli(['health'], {
      KEEPWATCH_DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres',
      KEEPWATCH_REDIS_URL: 'redis://127.0.0.1:6379/0',
      KEEPWATCH_REDIS_PREFIX: `kw-test-cli-health-${randomUUID()}:`,
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^database\s+ok\s+\d+ ms/m);
    expect(result.stdout).toMatch(/^redis\s+ok/m);
    expect(result.stdout).toMatch(/^cache \(redis\)\s+ok/m);
    expect(result.stdout).toContain('healthy');
  });

  it('exits 1 and names the failing check, without its password', async () => {
    const port = await freePort();
    const result = await runCli(['health', '--json'], {
      KEEPWATCH_DATABASE_URL: `mysql://root:cli-secret-pw@127.0.0.1:${port}/x`,
    });
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as {
      ok: boolean;
      checks: { name: string; ok: boolean; error?: string }[];
    };
    expect(report.ok).toBe(false);
    expect(report.checks.find((c) => c.name === 'database')).toMatchObject({ ok: false });
    expect(result.stdout + result.stderr).not.toContain('cli-secret-pw');
  });
});
