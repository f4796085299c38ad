import { describe, expect, it } from 'vitest';
import { loadConfig } from '@keepwatch/config';
import { createLogger, openResources } from '@keepwatch/runtime';
import { buildApp } from '../src/build-app.js';
import { spawnServer } from './helpers/server-process.js';

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
    const server = await spawnServer({});
    expect((await fetch(`${server.url}/healthcheck/`)).status).toBe(200);

    const started = Date.now();
    expect(await server.stop()).toBe(0);
    expect(Date.now() - started).toBeLessThan(5000);
    expect([...server.stdout, ...server.stderr].join('\n')).toContain('shut down cleanly');
  });
});
