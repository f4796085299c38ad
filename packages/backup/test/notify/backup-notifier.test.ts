import { freePort, silentListener } from '@keepwatch/test-support/net';
import { httpReceiver, type HttpReceiver, type ReceiverAnswer } from '@keepwatch/test-support/http-receiver';
import { afterEach, describe, expect, it } from 'vitest';
import { BackupConnectionError, BackupOptionsError } from '../../src/errors.js';
import type { BackupLogger } from '../../src/logger.js';
import { createBackupNotifier, type BackupNotifierOptions, type BackupWebhookBody } from '../../src/notify/index.js';

interface LogLine {
  level: string;
  obj: Record<string, unknown>;
  msg: string | undefined;
}

function recordingLogger(): BackupLogger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at = (level: string) => (obj: object, msg?: string) =>
    lines.push({ level, obj: obj as Record<string, unknown>, msg });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

const receivers: HttpReceiver[] = [];
async function receiver(answer?: (path: string) => ReceiverAnswer): Promise<HttpReceiver> {
  const r = await httpReceiver(answer ? (req) => answer(req.path) : undefined);
  receivers.push(r);
  return r;
}

afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

const CHECK = '5bf66975-d4c7-4bf5-bcc8-b8d8a82ea278';
const failure = () =>
  new BackupConnectionError(
    'database app@127.0.0.1:5432/app',
    'connection to postgres://app:pg-secret-pw@127.0.0.1:5432/app?sslpassword=key-secret failed; password pg-secret-pw rejected',
    true,
  );
const started = '2026-05-01T03:00:00.000Z';
const finished = '2026-05-01T03:00:02.500Z';

function notifier(options: BackupNotifierOptions) {
  return createBackupNotifier({ timeoutMs: 2000, backoffMs: 50, ...options });
}

describe('backup notifications', () => {
  it('a failure POSTs the webhook and pings /fail, with no secret in either', async () => {
    const hooks = await receiver();
    const pings = await receiver();
    const n = notifier({
      webhookUrl: `${hooks.url}/hooks/keepwatch?token=hook-token`,
      pingUrl: `${pings.url}/ping/${CHECK}`,
      secrets: ['pg-secret-pw'],
      sender: 'worker',
    });
    n.started({ source: 'database' });
    n.failed({
      source: 'database',
      error: failure(),
      startedAt: started,
      finishedAt: finished,
      attempt: 1,
      attempts: 4,
      willRetry: true,
    });
    const [hook] = await hooks.waitFor(1);
    const [start, fail] = await pings.waitFor(2);
    await n.close();

    expect(hook!.method).toBe('POST');
    expect(hook!.path).toBe('/hooks/keepwatch?token=hook-token');
    expect(hook!.headers['content-type']).toBe('application/json');
    const body = JSON.parse(hook!.body) as BackupWebhookBody;
    expect(body).toMatchObject({
      event: 'backup.failed',
      source: 'database',
      id: null,
      code: 'KW_BACKUP_CONNECTION_FAILED',
      startedAt: started,
      finishedAt: finished,
      durationMs: 2500,
      attempt: 1,
      attempts: 4,
      willRetry: true,
      sender: 'worker',
    });
    expect(body.error).toMatch(/^KW_BACKUP_CONNECTION_FAILED: database app@127\.0\.0\.1:5432\/app: cannot connect/);
    expect(body.error).toContain('postgres://app:[redacted]@127.0.0.1:5432/app?sslpassword=[redacted]');
    expect(body.error).toContain('password [redacted] rejected');
    expect(start!.path).toBe(`/ping/${CHECK}/start`);
    expect(fail!.path).toBe(`/ping/${CHECK}/fail`);
    expect(fail!.method).toBe('POST');
    expect(fail!.body).toMatch(
      /^backup of database failed \(attempt 1 of 4; will retry\): KW_BACKUP_CONNECTION_FAILED/,
    );
    for (const sent of [hook!.body, start!.body, fail!.body]) {
      expect(sent).not.toContain('pg-secret-pw');
      expect(sent).not.toContain('key-secret');
    }
    expect(n.stats()).toEqual({ sent: 3, undelivered: { webhook: 0, ping: 0 } });
  });

  it('a success pings /start then the check itself; the webhook only with onSuccess', async () => {
    const hooks = await receiver();
    const pings = await receiver();
    const quiet = notifier({ webhookUrl: hooks.url, pingUrl: `${pings.url}/${CHECK}` });
    quiet.started({ source: 'data' });
    quiet.succeeded({
      source: 'data',
      id: 'data-20260501T030000Z-abcdef',
      startedAt: started,
      finishedAt: finished,
      storedBytes: 1234,
    });
    await quiet.close();
    expect(pings.requests.map((r) => r.path)).toEqual([`/${CHECK}/start`, `/${CHECK}`]);
    expect(pings.requests[1]!.body).toBe('backup data-20260501T030000Z-abcdef done in 2.5 s, 1234 bytes');
    expect(hooks.requests).toEqual([]);

    const loud = notifier({ webhookUrl: hooks.url, onSuccess: true });
    loud.succeeded({
      source: 'database',
      id: 'database-20260501T030000Z-abcdef',
      startedAt: started,
      finishedAt: finished,
      storedBytes: 10,
      rawBytes: 40,
    });
    const [hook] = await hooks.waitFor(1);
    await loud.close();
    expect(JSON.parse(hook!.body)).toMatchObject({
      event: 'backup.succeeded',
      source: 'database',
      id: 'database-20260501T030000Z-abcdef',
      error: null,
      durationMs: 2500,
      storedBytes: 10,
      rawBytes: 40,
    });
  });

  it('puts the source in {source}, so each source has a check of its own', async () => {
    const pings = await receiver();
    const n = notifier({ pingUrl: `${pings.url}/ping/keepwatch-{source}` });
    n.started({ source: 'database' });
    n.started({ source: 'data' });
    await n.close();
    expect(pings.requests.map((r) => r.path).sort()).toEqual([
      '/ping/keepwatch-data/start',
      '/ping/keepwatch-database/start',
    ]);
  });

  it('speaks Uptime Kuma to a push URL: no start, status=up or down with a message', async () => {
    const kuma = await receiver();
    const n = notifier({ pingUrl: `${kuma.url}/api/push/Abc123xyz?status=up&msg=OK&ping=`, secrets: ['pg-secret-pw'] });
    n.started({ source: 'database' });
    n.succeeded({
      source: 'database',
      id: 'database-20260501T030000Z-abcdef',
      startedAt: started,
      finishedAt: finished,
    });
    n.failed({ source: 'database', error: failure() });
    await n.close();
    expect(kuma.requests).toHaveLength(2);
    const [up, down] = kuma.requests.map((r) => new URL(r.path, kuma.url));
    expect(kuma.requests.map((r) => r.method)).toEqual(['GET', 'GET']);
    expect(up!.pathname).toBe('/api/push/Abc123xyz');
    expect(Object.fromEntries(up!.searchParams)).toEqual({
      status: 'up',
      msg: 'backup database-20260501T030000Z-abcdef done in 2.5 s',
    });
    expect(down!.searchParams.get('status')).toBe('down');
    expect(down!.searchParams.get('msg')).toMatch(/^backup of database failed: KW_BACKUP_CONNECTION_FAILED/);
    expect(down!.search).not.toContain('pg-secret-pw');
  });

  it('retries what another attempt may fix, with backoff, and delivers', async () => {
    let calls = 0;
    const hooks = await receiver(() => (++calls < 3 ? 503 : 200));
    const n = notifier({ webhookUrl: hooks.url, backoffMs: 200 });
    n.failed({ source: 'database', error: failure() });
    const [first, second, third] = await hooks.waitFor(3);
    expect(await n.close()).toEqual({ sent: 1, undelivered: { webhook: 0, ping: 0 } });
    // 200 ms, then 400 ms.
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(190);
    expect(third!.at - second!.at).toBeGreaterThanOrEqual(390);
  });

  it('gives up at once on an answer no retry changes (404), logging and counting it once', async () => {
    const pings = await receiver(() => 404);
    const logger = recordingLogger();
    const counted: string[] = [];
    const n = notifier({ pingUrl: `${pings.url}/${CHECK}`, logger, onUndelivered: (kind) => counted.push(kind) });
    n.failed({ source: 'database', error: failure() });
    expect(await n.close()).toEqual({ sent: 0, undelivered: { webhook: 0, ping: 1 } });
    expect(pings.requests).toHaveLength(1);
    expect(counted).toEqual(['ping']);
    const warnings = logger.lines.filter((l) => l.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({
      msg: 'notification not delivered',
      obj: {
        notification: 'ping',
        event: 'fail',
        source: 'database',
        attempts: 1,
        status: 404,
        target: `${pings.url}/[redacted]`,
      },
    });
    expect(JSON.stringify(logger.lines)).not.toContain(CHECK);
  });

  it('a receiver that is down or never answers costs the caller nothing, and is logged once per notification', async () => {
    const closedPort = await freePort();
    const hang = await silentListener();
    try {
      const logger = recordingLogger();
      const counted: string[] = [];
      const n = notifier({
        webhookUrl: `http://127.0.0.1:${closedPort}/hook/hook-secret`,
        pingUrl: `http://127.0.0.1:${hang.port}/${CHECK}`,
        timeoutMs: 300,
        attempts: 2,
        backoffMs: 50,
        logger,
        onUndelivered: (kind) => counted.push(kind),
      });
      const calls = performance.now();
      n.started({ source: 'database' });
      n.failed({ source: 'database', error: failure() });
      // Sending would take 300 ms (the timeout) at least.
      expect(performance.now() - calls).toBeLessThan(100);

      const closing = performance.now();
      const stats = await n.close(5000);
      // Two attempts of 300 ms and a backoff for each of the two pings, one after the other.
      expect(performance.now() - closing).toBeLessThan(2500);
      expect(stats).toEqual({ sent: 0, undelivered: { webhook: 1, ping: 2 } });
      expect(counted.sort()).toEqual(['ping', 'ping', 'webhook']);
      const warnings = logger.lines.filter((l) => l.level === 'warn');
      expect(warnings).toHaveLength(3);
      expect(warnings.find((w) => w.obj.notification === 'webhook')?.obj).toMatchObject({
        attempts: 2,
        reason: expect.stringContaining('ECONNREFUSED'),
        target: `http://127.0.0.1:${closedPort}/[redacted]`,
      });
      expect(warnings.find((w) => w.obj.event === 'start')?.obj).toMatchObject({
        attempts: 2,
        reason: 'no answer within 300 ms',
      });
      expect(JSON.stringify(logger.lines)).not.toMatch(/hook-secret|5bf66975/);
    } finally {
      await hang.close();
    }
  });

  it('close waits no longer than it is told, then gives up on what is left', async () => {
    const hang = await silentListener();
    try {
      const logger = recordingLogger();
      const n = notifier({ pingUrl: `http://127.0.0.1:${hang.port}/${CHECK}`, timeoutMs: 60_000, logger });
      n.started({ source: 'database' });
      n.succeeded({
        source: 'database',
        id: 'database-20260501T030000Z-abcdef',
        startedAt: started,
        finishedAt: finished,
      });
      const closing = performance.now();
      expect(await n.close(300)).toEqual({ sent: 0, undelivered: { webhook: 0, ping: 2 } });
      expect(performance.now() - closing).toBeLessThan(1000);
      expect(logger.lines.filter((l) => l.level === 'warn').map((l) => l.obj.reason)).toEqual([
        'stopped; given up at shutdown',
        'not sent; given up at shutdown',
      ]);
      // Closed: nothing more goes out.
      n.started({ source: 'database' });
      expect(n.stats().undelivered.ping).toBe(2);
    } finally {
      await hang.close();
    }
  });

  it('keeps the pings of one check in order when the first is slow', async () => {
    let delayed = false;
    const slow = await httpReceiver((req) => {
      if (req.path.endsWith('/start') && !delayed) {
        delayed = true;
        return 503;
      }
      return 200;
    });
    receivers.push(slow);
    const n = notifier({ pingUrl: `${slow.url}/${CHECK}`, backoffMs: 300 });
    n.started({ source: 'database' });
    n.succeeded({
      source: 'database',
      id: 'database-20260501T030000Z-abcdef',
      startedAt: started,
      finishedAt: finished,
    });
    await n.close();
    // The first /start failed: the success waited for its retry instead of overtaking it.
    expect(slow.requests.map((r) => r.path)).toEqual([`/${CHECK}/start`, `/${CHECK}/start`, `/${CHECK}`]);
  });

  it('sends user info as basic auth, never in the URL', async () => {
    const hooks = await receiver();
    const n = notifier({ webhookUrl: hooks.url.replace('http://', 'http://keepwatch:p%40ss@') });
    n.failed({ source: 'data', error: new Error('disk full') });
    const [hook] = await hooks.waitFor(1);
    await n.close();
    expect(hook!.headers.authorization).toBe(`Basic ${Buffer.from('keepwatch:p@ss').toString('base64')}`);
    expect(JSON.parse(hook!.body)).toMatchObject({ error: 'disk full', code: null });
  });

  it('refuses a URL that is not http(s) without repeating it', () => {
    expect(() => createBackupNotifier({ pingUrl: 'ftp://hc-ping.example/secret-uuid' })).toThrow(BackupOptionsError);
    expect(() => createBackupNotifier({ webhookUrl: 'not a url secret-token' })).toThrow(
      'invalid notification options: webhookUrl: expected an http:// or https:// URL',
    );
    try {
      createBackupNotifier({ pingUrl: 'ftp://hc-ping.example/secret-uuid' });
    } catch (error) {
      expect((error as Error).message).not.toContain('secret-uuid');
    }
    expect(createBackupNotifier({}).enabled).toBe(false);
  });
});
