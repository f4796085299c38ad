import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@keepwatch/test-support/net';
import { startRedisCluster, type RedisClusterSetup } from '@keepwatch/test-support/redis-cluster';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IniSections, type KeepwatchProcess, startKeepwatch } from '../src/keepwatch.js';
import { collectLines, exampleRedisSection, type ProcessLines } from '../src/redis-ha.js';
import { stopAll } from '../src/service.js';

/*
 * Issue 20, Cluster: the built server and two workers configured through deploy/redis/cluster.ini
 * (`[redis] cluster_nodes`) against three cluster masters of this test's own. A backup of the
 * data directory is scheduled every 3 seconds; the job schedulers, the queues, the lock and the
 * metrics all live on the Cluster.
 */

const PASSWORD = `pw-${randomUUID()}`;
const TICK_MS = 3000;
const adminToken = randomBytes(16).toString('hex');
let cluster: RedisClusterSetup;
let dir: string;
let address: string;
const processes: KeepwatchProcess[] = [];
const lines: ProcessLines[] = [];

beforeAll(async () => {
  cluster = await startRedisCluster({ password: PASSWORD });
  dir = await mkdtemp(join(tmpdir(), 'kw-deploy-cluster-'));
  address = `127.0.0.1:${await freePort()}`;
  const sections: IniSections = {
    server: { listen: address },
    log: { level: 'info' },
    data: { dir: join(dir, 'data') },
    redis: await exampleRedisSection('cluster', {
      cluster_nodes: cluster.nodes,
      prefix: `kw-test-deploy-cluster-${randomUUID()}:`,
    }),
    metrics: { enabled: true, flush_interval: '200ms' },
    backup: { destination: join(dir, 'backups'), schedule: '*/3 * * * * *' },
  };
  const secrets = { KEEPWATCH_SERVER_ADMIN_TOKEN: adminToken, KEEPWATCH_REDIS_URL: `redis://:${PASSWORD}@cluster` };
  for (const kind of ['server', 'worker', 'worker'] as const) {
    const started = await startKeepwatch(kind, dir, sections, secrets);
    processes.push(started);
    lines.push(collectLines(started));
  }
}, 90_000);

afterAll(async () => {
  await stopAll(processes);
  await cluster?.destroy();
  if (dir) await rm(dir, { recursive: true, force: true });
}, 30_000);

const api = (path: string, init: RequestInit = {}) =>
  fetch(`http://${address}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json', ...init.headers },
    signal: AbortSignal.timeout(10_000),
  });

async function sample(name: string, labels: string[]): Promise<number> {
  const body = await (await fetch(`http://${address}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
  const line = body.split('\n').find((l) => l.startsWith(`${name}{`) && labels.every((label) => l.includes(label)));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

async function snapshots(): Promise<{ id: string; finishedAt: string }[]> {
  return ((await (await api('/api/backups')).json()) as { snapshots: { id: string; finishedAt: string }[] }).snapshots;
}

async function until<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('a server and two workers on a Redis Cluster', () => {
  it('are healthy, and /metrics sums the requests exactly', async () => {
    expect((await fetch(`http://${address}/healthcheck/`)).status).toBe(200);
    for (let i = 0; i < 25; i++) expect((await api('/api/profiles')).status).toBe(200);
    expect(await sample('pretix_view_requests_total', ['url_name="/api/profiles"', 'status_code="200"'])).toBe(25);
  });

  it('run a scheduled backup exactly once per tick across both workers', async () => {
    const ran = await until('four scheduled backups', 30_000, async () => {
      const found = await snapshots();
      return found.length >= 4 ? found : undefined;
    });
    // A snapshot's id carries the second it started (data-20261125T031500Z-ab12cd): the tick's.
    const ticks = new Map<number, string[]>();
    for (const { id } of ran) {
      const [, stamp] = /^data-(\d{8}T\d{6}Z)-/.exec(id) ?? [];
      if (!stamp) throw new Error(`unexpected snapshot id ${id}`);
      const iso = `${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 11)}:${stamp.slice(11, 13)}:${stamp.slice(13)}`;
      const tick = Math.floor(Date.parse(iso) / TICK_MS);
      ticks.set(tick, [...(ticks.get(tick) ?? []), id]);
    }
    for (const [tick, ids] of ticks) expect(ids, `tick ${new Date(tick * TICK_MS).toISOString()}`).toHaveLength(1);
    // And no tick went without: the ticks seen follow each other.
    const seen = [...ticks.keys()].sort((a, b) => a - b);
    expect(seen.at(-1)! - seen[0]! + 1).toBe(seen.length);
    const ranBy = lines
      .slice(1)
      .map((worker) => worker.lines.filter((line) => line.includes('"msg":"backup job started"')).length);
    console.info(
      `cluster schedule: ${ran.length} scheduled backups in ${ticks.size} ticks; per worker ${ranBy.join(' + ')}`,
    );
  }, 60_000);

  it('complete a backup asked for through the API, and count every backup run once', async () => {
    const started = await api('/api/backups', { method: 'POST', body: JSON.stringify({ source: 'data' }) });
    expect(started.status).toBe(202);
    const { jobId } = (await started.json()) as { jobId: string };
    const job = await until(`backup job ${jobId}`, 60_000, async () => {
      const state = (await (await api(`/api/jobs/${jobId}`)).json()) as { state?: string };
      if (state.state === 'failed') throw new Error(`backup job failed: ${JSON.stringify(state)}`);
      return state.state === 'completed' ? state : undefined;
    });
    expect(job.state).toBe('completed');
    // Every backup the two workers ran (each a snapshot) is one pretix_task_runs_total, summed
    // in Redis; read between two ticks, once both workers have flushed.
    await until('task runs matching the snapshots', 20_000, async () => {
      const before = (await snapshots()).length;
      const runs = await sample('pretix_task_runs_total', ['task_name="backup"', 'status="success"']);
      return runs === before && (await snapshots()).length === before ? true : undefined;
    });
    for (const process of processes) process.assertRunning();
    for (const output of lines) expect(output.problems()).toEqual([]);
  }, 90_000);
});
