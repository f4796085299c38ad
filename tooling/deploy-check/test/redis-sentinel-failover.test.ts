import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@keepwatch/test-support/net';
import { startRedisSentinel, type RedisSentinelSetup } from '@keepwatch/test-support/redis-sentinel';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IniSections, type KeepwatchProcess, startKeepwatch } from '../src/keepwatch.js';
import { collectLines, exampleRedisSection, type ProcessLines } from '../src/redis-ha.js';
import { stopAll } from '../src/service.js';

/*
 * Issue 20, Sentinel: the built server and worker configured through deploy/redis/sentinel.ini
 * (`[redis] sentinels`) against a master, one replica and three Sentinels of this test's own;
 * the master is killed with SIGKILL while requests keep coming. Sentinel runs with
 * down-after-milliseconds 1000 and failover-timeout 2000, so the failover takes seconds.
 */

const PASSWORD = `pw-${randomUUID()}`;
const SENTINEL_PASSWORD = `spw-${randomUUID()}`;
const adminToken = randomBytes(16).toString('hex');
const DEADLINE_MS = 2500; // [health] deadline, the default
let sentinel: RedisSentinelSetup;
let dir: string;
let address: string;
let server: KeepwatchProcess;
let worker: KeepwatchProcess;
let serverLines: ProcessLines;
let workerLines: ProcessLines;

beforeAll(async () => {
  sentinel = await startRedisSentinel({ password: PASSWORD, sentinelPassword: SENTINEL_PASSWORD });
  dir = await mkdtemp(join(tmpdir(), 'kw-deploy-sentinel-'));
  address = `127.0.0.1:${await freePort()}`;
  const sections: IniSections = {
    server: { listen: address },
    log: { level: 'info' },
    data: { dir: join(dir, 'data') },
    redis: await exampleRedisSection('sentinel', {
      sentinels: sentinel.sentinels,
      sentinel_master: sentinel.masterName,
      prefix: `kw-test-deploy-sentinel-${randomUUID()}:`,
    }),
    metrics: { enabled: true },
    backup: { destination: join(dir, 'backups') },
  };
  const secrets = {
    KEEPWATCH_SERVER_ADMIN_TOKEN: adminToken,
    KEEPWATCH_REDIS_URL: `redis://:${PASSWORD}@sentinel/0`,
    KEEPWATCH_REDIS_SENTINEL_PASSWORD: SENTINEL_PASSWORD,
  };
  server = await startKeepwatch('server', dir, sections, secrets);
  serverLines = collectLines(server);
  worker = await startKeepwatch('worker', dir, sections, secrets);
  workerLines = collectLines(worker);
}, 60_000);

afterAll(async () => {
  await stopAll([server, worker]);
  await sentinel?.destroy();
  if (dir) await rm(dir, { recursive: true, force: true });
}, 30_000);

const api = (path: string, init: RequestInit = {}) =>
  fetch(`http://${address}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json', ...init.headers },
    signal: AbortSignal.timeout(10_000),
  });

/** One counted request: the admin API's profile list, which needs no Redis. */
async function request(): Promise<number> {
  const response = await api('/api/profiles');
  await response.arrayBuffer();
  return response.status;
}

async function countedRequests(): Promise<number> {
  const body = await (await fetch(`http://${address}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
  const line = body
    .split('\n')
    .find(
      (l) =>
        l.startsWith('pretix_view_requests_total{') &&
        l.includes('url_name="/api/profiles"') &&
        l.includes('status_code="200"'),
    );
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

async function health(): Promise<{ status: number; ms: number }> {
  const started = Date.now();
  const response = await fetch(`http://${address}/healthcheck/`, { signal: AbortSignal.timeout(10_000) });
  await response.arrayBuffer();
  return { status: response.status, ms: Date.now() - started };
}

describe('server and worker through a Sentinel failover', () => {
  it('keep serving, turn healthy again on the new master, lose no observation, and run a backup', async () => {
    expect((await health()).status).toBe(200);
    let sent = 0;
    for (let i = 0; i < 40; i++) {
      expect(await request()).toBe(200);
      sent++;
    }
    // Flushed (the scrape flushes the server's buffer first), then replicated.
    expect(await countedRequests()).toBe(sent);
    await sentinel.waitReplicated();

    // When the Sentinels switch masters, to the millisecond: their +switch-master message.
    const watcher = new Redis({ port: sentinel.sentinelPorts[0]!, password: SENTINEL_PASSWORD, lazyConnect: true });
    watcher.on('error', () => undefined);
    let switchedAt: number | undefined;
    await watcher.connect();
    await watcher.subscribe('+switch-master');
    watcher.on('message', () => (switchedAt ??= Date.now()));

    await sentinel.killMaster();
    const killedAt = Date.now();
    const failover = sentinel.waitForFailover(30_000).finally(() => watcher.disconnect());

    // While the master is gone: every request is served, every health answer comes within the
    // deadline; polled until it is 200 again.
    const checks: { status: number; ms: number; after: number }[] = [];
    let healthyAt: number | undefined;
    let stop = false;
    const during = (async () => {
      while (!stop) {
        expect(await request()).toBe(200);
        sent++;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    try {
      while (healthyAt === undefined) {
        const answer = await health();
        checks.push({ ...answer, after: Date.now() - killedAt });
        if (answer.status === 200 && checks.some((c) => c.status === 503)) healthyAt = Date.now();
        if (Date.now() - killedAt > 45_000)
          throw new Error(`not healthy again 45 s after the kill: ${JSON.stringify(checks)}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } finally {
      stop = true;
      await during;
    }
    await failover;
    if (switchedAt === undefined) throw new Error('no +switch-master from the Sentinel');
    expect(checks.filter((c) => c.status === 503).length).toBeGreaterThan(0);
    for (const check of checks) {
      expect([200, 503]).toContain(check.status);
      expect(check.ms).toBeLessThan(DEADLINE_MS + 500);
    }

    for (let i = 0; i < 20; i++) {
      expect(await request()).toBe(200);
      sent++;
    }
    // Buffered during the outage, delivered to the new master, counted once.
    const counted = await countedRequests();
    expect(counted).toBe(sent);

    // The worker took its connection to the new master by itself: a backup asked for now runs.
    const started = await api('/api/backups', { method: 'POST', body: JSON.stringify({ source: 'data' }) });
    expect(started.status).toBe(202);
    const { jobId } = (await started.json()) as { jobId: string };
    const jobDeadline = Date.now() + 60_000;
    let job: { state?: string; failedReason?: string } = {};
    while (job.state !== 'completed') {
      if (job.state === 'failed' || Date.now() > jobDeadline)
        throw new Error(`backup job ${jobId} did not complete: ${JSON.stringify(job)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
      job = (await (await api(`/api/jobs/${jobId}`)).json()) as typeof job;
    }

    server.assertRunning();
    worker.assertRunning();
    expect(serverLines.problems()).toEqual([]);
    expect(workerLines.problems()).toEqual([]);
    const messages = serverLines.lines.map((line) => (JSON.parse(line) as { msg?: string }).msg);
    expect(messages.filter((msg) => msg === 'redis unreachable; retrying').length).toBeGreaterThan(0);
    expect(messages).toContain('redis reachable again');

    const figures = {
      switchMasterSecondsAfterKill: (switchedAt - killedAt) / 1000,
      healthyAgainSecondsAfterKill: (healthyAt - killedAt) / 1000,
      healthyAgainSecondsAfterSwitch: (healthyAt - switchedAt) / 1000,
      slowestHealthAnswerMs: Math.max(...checks.map((c) => c.ms)),
      healthAnswers503: checks.filter((c) => c.status === 503).length,
      requestsSent: sent,
      requestsCounted: counted,
      observationsLost: sent - counted,
    };
    console.info(`sentinel failover: ${JSON.stringify(figures)}`);
  }, 120_000);
});
