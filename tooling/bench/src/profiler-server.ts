/**
 * The servers of the profiler benchmark, run in one child process so that autocannon in the
 * parent does not share their event loop, while they share one process's memory layout and CPU
 * placement (separate processes differed by 10–20 % with identical code on a shared machine).
 * Each argument `name:mode` starts one Fastify instance: mode `bare`, or `rate=<fraction>` with
 * the profiler plugin writing under `<directory>/<name>`. Sends `{ ports }` once listening,
 * answers `cpu` with the CPU time used and `stats` with each profiler's counts.
 */
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { createProfiler, type Profiler } from '@keepwatch/profiler';
import { profilerPlugin } from '@keepwatch/profiler/fastify';

const [directory = '', ...specs] = process.argv.slice(2);

// A small but not empty route: parameters, a computed body, JSON serialisation.
function item(id: string) {
  let checksum = 0;
  for (let i = 0; i < 200; i++) checksum = (checksum * 31 + id.charCodeAt(i % id.length)) % 1_000_003;
  return { id, checksum, tags: ['a', 'b', 'c'], updatedAt: '2025-03-14T10:15:02.123Z' };
}

async function startInstance(name: string, mode: string): Promise<{ app: FastifyInstance; profiler?: Profiler }> {
  const app = Fastify({ logger: false });
  let profiler: Profiler | undefined;
  if (mode.startsWith('rate=')) {
    profiler = createProfiler({ directory: join(directory, name), rate: Number(mode.slice('rate='.length)) });
    await app.register(profilerPlugin, { profiler });
  }
  app.get('/items/:id', async (request) => item((request.params as { id: string }).id));
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, profiler };
}

async function main(): Promise<void> {
  const instances = new Map<string, { app: FastifyInstance; profiler?: Profiler }>();
  for (const spec of specs) {
    const colon = spec.indexOf(':');
    const name = spec.slice(0, colon);
    instances.set(name, await startInstance(name, spec.slice(colon + 1)));
  }
  process.on('message', async (message) => {
    if (message === 'cpu') {
      const { user, system } = process.cpuUsage();
      process.send?.({ cpuUs: user + system });
    } else if (message === 'stats') {
      const stats: Record<string, unknown> = {};
      for (const [name, { profiler }] of instances) {
        await profiler?.idle();
        stats[name] = profiler?.stats() ?? null;
      }
      process.send?.({ stats });
    } else if (message === 'close') {
      for (const { app, profiler } of instances.values()) {
        await app.close();
        await profiler?.close();
      }
      process.disconnect();
    }
  });
  const ports: Record<string, number> = {};
  for (const [name, { app }] of instances) ports[name] = (app.server.address() as { port: number }).port;
  process.send?.({ ports });
}

void main();
