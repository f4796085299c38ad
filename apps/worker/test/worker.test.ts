import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { QueueName } from '@keepwatch/jobs';
import { createMetricsExposition } from '@keepwatch/metrics';
import { UnrecoverableError } from 'bullmq';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { startWorker } from '../src/start-worker.js';
import { PG_URL } from '@keepwatch/test-support/postgres';
import { silentLogger, testQueue, testWorkerConfig, testWorkerEnv } from './helpers/worker-harness.js';

const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  // Workers before their queues, one at a time: a queue's close removes the prefix's keys, which a
  // worker still shutting down would write again.
  for (const fn of cleanups.reverse()) await fn().catch(() => undefined);
});

async function testConfig(extraEnv: Record<string, string> = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'kw-worker-'));
  const prefix = `kw-test-worker-${randomUUID()}:`;
  const loaded = await testWorkerConfig(dir, prefix, extraEnv);
  const { queue, events, close } = await testQueue(QueueName.maintenance, prefix);
  cleanups.push(close);
  return { loaded, queue, events };
}

describe('the worker', () => {
  it('fails a job nobody handles for good, naming it', async () => {
    const { loaded, queue, events } = await testConfig();
    const worker = await startWorker({ loaded, logger: silentLogger() });
    cleanups.push(() => worker.close());
    const job = await queue.add('no-such-job', {}, { attempts: 3 });
    await expect(job.waitUntilFinished(events, 10_000)).rejects.toThrow(/no handler for job "no-such-job"/);
    const failed = await queue.getJob(job.id!);
    expect(failed?.attemptsMade).toBe(1);
  });

  it('finishes the job in progress before it stops', async () => {
    const { loaded, queue, events } = await testConfig();
    let started!: () => void;
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    const worker = await startWorker({
      loaded,
      logger: silentLogger(),
      handlers: {
        slow: async () => {
          started();
          await new Promise((resolve) => setTimeout(resolve, 800));
          return 'finished';
        },
      },
    });
    const job = await queue.add('slow', {});
    const finished = job.waitUntilFinished(events, 10_000);
    await running;
    const closeStarted = Date.now();
    await worker.close();
    expect(Date.now() - closeStarted).toBeGreaterThan(500);
    expect(await finished).toBe('finished');
    expect(await (await queue.getJob(job.id!))?.getState()).toBe('completed');
  });

  it('records every job run as task metrics, expected errors apart', async () => {
    const { loaded, queue, events } = await testConfig({ KEEPWATCH_METRICS_ENABLED: 'true' });
    const worker = await startWorker({
      loaded,
      logger: silentLogger(),
      handlers: {
        'good-task': async () => 'ok',
        'bad-task': async () => {
          throw new Error('boom');
        },
        'hopeless-task': async () => {
          throw new UnrecoverableError('cannot ever work');
        },
      },
    });
    cleanups.push(() => worker.close());
    for (const name of ['good-task', 'good-task', 'bad-task', 'hopeless-task']) {
      const job = await queue.add(name, {});
      await job.waitUntilFinished(events, 10_000).catch(() => undefined);
    }
    const metrics = worker.context.metrics!;
    await metrics.flush();
    const families = await metrics.read();
    const runs = families.find((f) => f.name === 'pretix_task_runs_total')!;
    const count = (task: string, status: string) =>
      runs.values.find((v) => v.labels.task_name === task && v.labels.status === status)?.value;
    expect(count('good-task', 'success')).toBe(2);
    expect(count('bad-task', 'error')).toBe(1);
    expect(count('hopeless-task', 'expected-error')).toBe(1);
    // Durations are of successful runs only.
    const text = (await createMetricsExposition({ store: metrics }).render()).body;
    expect(text).toMatch(/pretix_task_duration_seconds_count\{task_name="good-task"\} 2\n/);
    expect(text).not.toMatch(/pretix_task_duration_seconds_count\{task_name="(bad|hopeless)-task"\}/);
  });

  it('schedules the model-instance count once however many workers start', async () => {
    const { loaded, queue } = await testConfig({
      KEEPWATCH_METRICS_ENABLED: 'true',
      KEEPWATCH_DATABASE_URL: `${PG_URL}/postgres`,
      KEEPWATCH_METRICS_MODELS_REFRESH: '1h',
    });
    const logger = silentLogger();
    const first = await startWorker({ loaded, logger });
    const second = await startWorker({ loaded, logger });
    cleanups.push(
      () => first.close(),
      () => second.close(),
    );
    const schedulers = await queue.getJobSchedulers();
    expect(schedulers.map((s) => s.key)).toEqual(['refresh-model-instances']);
    expect(schedulers[0]?.every).toBe(3_600_000);
  });

  it('shuts down cleanly on Ctrl-C under `pnpm start` (SIGINT from the terminal, SIGTERM from the launcher at once)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kw-worker-ctrl-c-'));
    const prefix = `kw-test-worker-${randomUUID()}:`;
    cleanups.push((await testQueue(QueueName.maintenance, prefix)).close);
    const child = spawn(process.execPath, [main], {
      env: { PATH: process.env.PATH ?? '', ...testWorkerEnv(dir, prefix) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    try {
      await vi.waitFor(() => expect(output).toContain('worker ready'), { timeout: 10_000, interval: 50 });
      child.kill('SIGINT');
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      clearTimeout(timer);
      child.kill('SIGKILL');
    }
    expect(output).toContain('shut down cleanly');
    expect(output).not.toContain('exiting now');
  });

  it('refuses to start without [redis] url, naming the setting', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kw-worker-noredis-'));
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [main], {
        env: {
          PATH: process.env.PATH ?? '',
          KEEPWATCH_DATA_DIR: join(dir, 'data'),
          KEEPWATCH_BACKUP_DESTINATION: join(dir, 'b'),
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stderr });
      });
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('[redis] url: the worker takes its jobs from Redis');
  });
});
