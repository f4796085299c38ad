import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MetricsStore, createMetricsExposition, createMetricsStore } from '../src/index.js';
import { freePort } from '@keepwatch/test-support/net';
import { sampleValue } from './helpers/samples.js';
import { waitFor } from './helpers/wait-for.js';

const run = promisify(execFile);

// A three-node Redis Cluster of this file's own (no replicas, no persistence), on free ports.
let dir: string;
const nodes: ChildProcess[] = [];
const ports: number[] = [];
let cluster: Cluster;
let store: MetricsStore;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kw-metrics-cluster-'));
  for (let i = 0; i < 3; i++) {
    const port = await freePort();
    ports.push(port);
    nodes.push(
      spawn(
        'redis-server',
        [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          join(dir, `nodes-${port}.conf`),
          '--save',
          '',
          '--appendonly',
          'no',
          '--dir',
          dir,
        ],
        { stdio: 'ignore' },
      ),
    );
  }
  for (const port of ports) {
    await waitFor(`redis-server on ${port}`, async () =>
      (await run('redis-cli', ['-p', String(port), 'ping'])).stdout.trim() === 'PONG' ? true : undefined,
    );
  }
  await run(
    'redis-cli',
    ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'],
    { timeout: 20_000 },
  );
  await waitFor(
    'cluster_state:ok',
    async () => {
      const { stdout } = await run('redis-cli', ['-p', String(ports[0]), 'cluster', 'info']);
      return stdout.includes('cluster_state:ok') ? true : undefined;
    },
    20_000,
    200,
  );
  cluster = new Cluster([{ host: '127.0.0.1', port: ports[0]! }], { clusterRetryStrategy: () => null });
  cluster.on('error', () => undefined);
});

afterAll(async () => {
  await store?.close();
  cluster?.disconnect();
  for (const node of nodes) {
    if (node.exitCode === null) {
      const exited = new Promise((resolve) => node.once('exit', resolve));
      node.kill('SIGKILL');
      await exited;
    }
  }
  if (dir) await rm(dir, { recursive: true, force: true });
}, 20_000);

describe('on Redis Cluster', () => {
  it('flushes, reads and renders through one slot (the hash tag)', async () => {
    store = createMetricsStore({ redis: cluster, keyPrefix: 'test:metrics:cluster:', flushIntervalMs: 3_600_000 });
    for (let i = 0; i < 4; i++)
      store.observeView({ urlName: '/orders/:id', method: 'GET', statusCode: 200, durationSeconds: 0.02 });
    store.observeTask({ taskName: 'backup', status: 'success', durationSeconds: 3 });
    await store.setModelInstances({ orders: 42 });
    expect(await store.flush()).toBe(true);

    const { body } = await createMetricsExposition({ store }).render();
    expect(
      sampleValue(body, 'pretix_view_requests_total', { url_name: '/orders/:id', method: 'GET', status_code: '200' }),
    ).toBe(4);
    expect(sampleValue(body, 'pretix_task_duration_seconds_count', { task_name: 'backup' })).toBe(1);
    expect(sampleValue(body, 'pretix_model_instances', { model: 'orders' })).toBe(42);
    expect(body).toMatch(/^process_resident_memory_bytes\{instance="[^"]+"\} \d+/m);
  }, 30_000);
});
