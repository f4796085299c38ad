import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeDataDir } from '@keepwatch/test-support/data-dir';
import { httpReceiver, type HttpReceiver } from '@keepwatch/test-support/http-receiver';
import { freePort, silentListener } from '@keepwatch/test-support/net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/run-cli.js';

const suffix = randomBytes(4).toString('hex');
// The user is the password too, so the failure's text (the source's label) holds the password.
const secret = `kwclinotify${suffix}`;
const databaseUrl = `postgres://${secret}:${secret}@127.0.0.1:5432/kw_test_cli_notify_${suffix}`;
// A healthchecks.io check's UUID is its credential.
const check = `7d1e0b3c-${suffix}-4d2a-9f51-3c0a8e2b6d47`;
let dir: string;
let hooks: HttpReceiver;
let pings: HttpReceiver;

/** No Redis: `backup run` takes no lock then, and nothing but the notifications is measured. */
function env(name: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    KEEPWATCH_DATA_DIR: join(dir, 'data'),
    KEEPWATCH_BACKUP_DESTINATION: join(dir, `backups-${name}`),
    KEEPWATCH_DATABASE_URL: databaseUrl,
    ...extra,
  };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kw-cli-notify-'));
  makeDataDir(join(dir, 'data'));
  hooks = await httpReceiver();
  pings = await httpReceiver();
});

afterAll(async () => {
  await hooks?.close();
  await pings?.close();
  await rm(dir, { recursive: true, force: true });
});

const notLogged = (stderr: string) =>
  stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line.msg === 'notification not delivered');

describe('keepwatch backup run notifications', { timeout: 120_000 }, () => {
  it('a failed backup POSTs the webhook and pings /start and /fail, without the password', async () => {
    hooks.requests.length = 0;
    pings.requests.length = 0;
    const result = await runCli(
      ['backup', 'run', '--source', 'database'],
      env('fail', {
        KEEPWATCH_NOTIFY_WEBHOOK_URL: `${hooks.url}/hooks/keepwatch`,
        KEEPWATCH_NOTIFY_PING_URL: `${pings.url}/ping/${check}/{source}`,
      }),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^keepwatch: notifications: 3 sent\nkeepwatch: .*: authentication failed/);
    expect(pings.requests.map((r) => r.path)).toEqual([
      `/ping/${check}/database/start`,
      `/ping/${check}/database/fail`,
    ]);
    expect(hooks.requests).toHaveLength(1);
    const body = JSON.parse(hooks.requests[0]!.body) as Record<string, unknown>;
    expect(body).toMatchObject({
      event: 'backup.failed',
      source: 'database',
      code: 'KW_BACKUP_AUTH_FAILED',
      sender: 'cli',
      error: expect.stringMatching(/^KW_BACKUP_AUTH_FAILED: .*\[redacted\]/),
    });
    for (const sent of [...hooks.requests, ...pings.requests]) expect(JSON.stringify(sent)).not.toContain(secret);
  });

  it('a successful backup pings /start and the check, POSTs the webhook with on_success, and says so', async () => {
    hooks.requests.length = 0;
    pings.requests.length = 0;
    const result = await runCli(
      ['backup', 'run', '--source', 'data', '--json'],
      env('ok', {
        KEEPWATCH_NOTIFY_WEBHOOK_URL: `${hooks.url}/hooks/keepwatch`,
        KEEPWATCH_NOTIFY_PING_URL: `${pings.url}/ping/${check}`,
        KEEPWATCH_NOTIFY_ON_SUCCESS: 'yes',
      }),
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const snapshot = JSON.parse(result.stdout) as { id: string; storedBytes: number; notifications: unknown };
    expect(snapshot.notifications).toEqual({ sent: 3, undelivered: { webhook: 0, ping: 0 } });
    expect(pings.requests.map((r) => r.path)).toEqual([`/ping/${check}/start`, `/ping/${check}`]);
    expect(JSON.parse(hooks.requests[0]!.body)).toMatchObject({
      event: 'backup.succeeded',
      source: 'data',
      id: snapshot.id,
      storedBytes: snapshot.storedBytes,
      sender: 'cli',
    });

    const human = await runCli(
      ['backup', 'run', '--source', 'data'],
      env('ok', { KEEPWATCH_NOTIFY_PING_URL: pings.url }),
    );
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/\nnotifications: 2 sent\n$/);
  });

  it('a receiver that is down or never answers delays no backup, and the wait at exit is bounded', async () => {
    const closed = await freePort();
    const hang = await silentListener();
    try {
      const notify = (port: number) => ({
        KEEPWATCH_NOTIFY_WEBHOOK_URL: `http://127.0.0.1:${port}/hook/${check}`,
        KEEPWATCH_NOTIFY_PING_URL: `http://127.0.0.1:${port}/${check}`,
        KEEPWATCH_NOTIFY_ON_SUCCESS: 'true',
        KEEPWATCH_NOTIFY_TIMEOUT: '2s',
      });
      const runs: Record<string, { backupMs: number; exitMs: number; stderr: string; notifications: unknown }> = {};
      for (const [name, extra] of [
        ['plain', {}],
        ['down', notify(closed)],
        ['hung', notify(hang.port)],
      ] as const) {
        const result = await runCli(['backup', 'run', '--source', 'data', '--json'], env(name, extra));
        const exited = Date.now();
        expect(result.code, result.stderr).toBe(0);
        const snapshot = JSON.parse(result.stdout) as {
          durationMs: number;
          finishedAt: string;
          notifications?: unknown;
        };
        runs[name] = {
          backupMs: snapshot.durationMs,
          // From the end of the backup to the end of the process: the wait for the notifications.
          exitMs: exited - Date.parse(snapshot.finishedAt),
          stderr: result.stderr,
          notifications: snapshot.notifications,
        };
      }
      console.info(
        `backup run (ms): ${JSON.stringify(Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, { backup: v.backupMs, exit: v.exitMs }])))}`,
      );
      for (const name of ['down', 'hung']) {
        const run = runs[name]!;
        // The backup itself takes what it takes without them (a first snapshot each, to its own
        // folder): waiting for a receiver would cost it the 2 s timeout or the 1 s + 2 s backoff...
        expect(run.backupMs - runs.plain!.backupMs).toBeLessThan(1500);
        // ...and the process waits for the notifications at most [notify] timeout after it.
        expect(run.exitMs - runs.plain!.exitMs).toBeLessThan(2000 + 1000);
        expect(run.notifications).toEqual({ sent: 0, undelivered: { webhook: 1, ping: 2 } });
        const lost = notLogged(run.stderr);
        expect(lost).toHaveLength(3);
        expect(lost.every((l) => l.level === 40 && l.component === 'notify')).toBe(true);
        expect(run.stderr).not.toContain(check);
      }
      expect(runs.plain!.notifications).toBeUndefined();
    } finally {
      await hang.close();
    }
  });

  it('config check shows both URLs redacted', async () => {
    const result = await runCli(
      ['config', 'check'],
      env('check', {
        KEEPWATCH_NOTIFY_WEBHOOK_URL: `https://hooks.example/services/${check}`,
        KEEPWATCH_NOTIFY_PING_URL: `https://hc-ping.com/${check}`,
      }),
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/notify\.webhook_url\s+\[redacted\]\s+KEEPWATCH_NOTIFY_WEBHOOK_URL/);
    expect(result.stdout).toMatch(/notify\.ping_url\s+\[redacted\]\s+KEEPWATCH_NOTIFY_PING_URL/);
    expect(result.stdout + result.stderr).not.toContain(check);

    const bad = await runCli(
      ['config', 'check'],
      env('check', { KEEPWATCH_NOTIFY_PING_URL: `ftp://hc-ping.com/${check}` }),
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('KEEPWATCH_NOTIFY_PING_URL: [notify] ping_url: expected an http:// or https:// URL');
    expect(bad.stderr).not.toContain(check);
  });
});
