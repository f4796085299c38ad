import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '@keepwatch/config';
import { createLogger, openResources } from '@keepwatch/runtime';
import { buildApp } from '../src/build-app.js';
import { freePort } from '@keepwatch/test-support/net';

const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));

describe('graceful shutdown', () => {
  it('turns the health check 503 at once and lets requests in flight finish', async () => {
    const { config } = await loadConfig({ env: {} });
    const logger = createLogger({ name: 'test', level: 'silent' });
    const resources = openResources(config, logger);
    const built = await buildApp({ config, logger, resources, secret: 'x'.repeat(40) });
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let slowStarted!: () => void;
    const started = new Promise<void>((resolve) => {
      slowStarted = resolve;
    });
    built.app.get('/test-slow', async () => {
      slowStarted();
      await released;
      return 'finished';
    });
    await built.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = built.app.server.address() as { port: number };

    expect((await built.app.inject('/healthcheck/')).statusCode).toBe(200);
    const slow = fetch(`http://127.0.0.1:${port}/test-slow`, { signal: AbortSignal.timeout(10_000) });
    await started;

    let closed = false;
    const closing = built.close().then(() => {
      closed = true;
    });
    const health = await built.app.inject('/healthcheck/');
    expect(health.statusCode).toBe(503);
    expect(closed).toBe(false);

    release();
    const response = await slow;
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('finished');
    await closing;
    expect(closed).toBe(true);
    await resources.close();
  });

  it('exits 0 on SIGTERM, within its bound, saying it shut down cleanly', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kw-server-sigterm-'));
    const port = await freePort();
    const child = spawn(process.execPath, [main], {
      env: {
        PATH: process.env.PATH ?? '',
        KEEPWATCH_SERVER_LISTEN: `127.0.0.1:${port}`,
        KEEPWATCH_DATA_DIR: join(dir, 'data'),
        KEEPWATCH_BACKUP_DESTINATION: join(dir, 'backups'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const deadline = Date.now() + 10_000;
    while (!output.includes('Server listening') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(output).toContain('Server listening');
    expect((await fetch(`http://127.0.0.1:${port}/healthcheck/`)).status).toBe(200);

    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const started = Date.now();
    child.kill('SIGTERM');
    const code = await exited;
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(output).toContain('shut down cleanly');
  });
});
