/**
 * One server of the profiler benchmark, run as a child process so that autocannon in the parent
 * does not share its event loop: `bare` (Fastify alone) or `rate=<fraction>` (with the profiler
 * plugin). Sends `{ port }` to the parent once listening and answers `stats` with the
 * profiler's counts, and `cpu` with the CPU time it has used.
 */
import Fastify from 'fastify';
import { createProfiler, profilerPlugin, type Profiler } from '@keepwatch/profiler';

const [mode = 'bare', directory = ''] = process.argv.slice(2);

// A small but not empty route: parameters, a computed body, JSON serialisation.
function item(id: string) {
  let checksum = 0;
  for (let i = 0; i < 200; i++) checksum = (checksum * 31 + id.charCodeAt(i % id.length)) % 1_000_003;
  return { id, checksum, tags: ['a', 'b', 'c'], updatedAt: '2025-03-14T10:15:02.123Z' };
}

async function main(): Promise<void> {
  const app = Fastify({ logger: false });
  let profiler: Profiler | undefined;
  if (mode.startsWith('rate=')) {
    profiler = createProfiler({ directory, rate: Number(mode.slice('rate='.length)) });
    await app.register(profilerPlugin, { profiler });
  }
  app.get('/items/:id', async (request) => item((request.params as { id: string }).id));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  process.on('message', async (message) => {
    if (message === 'cpu') {
      const { user, system } = process.cpuUsage();
      process.send?.({ cpuUs: user + system });
    } else if (message === 'stats') {
      await profiler?.idle();
      process.send?.({ stats: profiler?.stats() ?? null });
    } else if (message === 'close') {
      await app.close();
      await profiler?.close();
      process.disconnect();
    }
  });
  process.send?.({ port });
}

void main();
