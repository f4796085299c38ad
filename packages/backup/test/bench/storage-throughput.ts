// Memory and speed of a 300 MB write: to s3rver (a process of its own) with the S3 storage, and to
// the local storage, each in a fresh child process so its peak RSS (VmHWM) is its own.
//
//   cd packages/backup && node --import tsx test/bench/storage-throughput.ts [--mb 300] [--rounds 2]
//
// Not a test (vitest runs test/**/*.test.ts only): figures for the issue and the README.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { localStorage, s3Storage, type Storage } from '../../src/storage/index.js';
import { startS3Server } from '../helpers/s3-server.js';

const MiB = 1024 * 1024;

/** `size` bytes made on demand from 16 random 1 MiB blocks: the input costs no memory of its own. */
function source(size: number): Readable {
  const blocks = Array.from({ length: 16 }, () => randomBytes(MiB));
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= size) return this.push(null);
      const block = blocks[(sent / MiB) % blocks.length]!.subarray(0, Math.min(MiB, size - sent));
      sent += block.length;
      this.push(block);
    },
  });
}

const peakRssMiB = (): number => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))![1]) / 1024;

async function child(spec: { kind: 'local' | 's3'; mb: number; dir: string; endpoint?: string; partMiB?: number }) {
  const storage: Storage =
    spec.kind === 'local'
      ? localStorage({ directory: spec.dir })
      : s3Storage({
          bucket: 'kw-bench',
          endpoint: spec.endpoint,
          forcePathStyle: true,
          credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'unchecked' },
          partSizeBytes: (spec.partMiB ?? 16) * MiB,
        });
  const before = peakRssMiB();
  const started = process.hrtime.bigint();
  const result = await storage.write(`bench/${spec.kind}-${Date.now()}.bin`, source(spec.mb * MiB));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await storage.close();
  process.stdout.write(
    `${JSON.stringify({ seconds, mbPerSecond: result.size / MiB / seconds, peakRssMiB: peakRssMiB(), rssBeforeMiB: before })}\n`,
  );
}

async function main() {
  const { values } = parseArgs({
    options: { mb: { type: 'string', default: '300' }, rounds: { type: 'string', default: '2' } },
  });
  const mb = Number(values.mb);
  const rounds = Number(values.rounds);
  const work = await mkdtemp(join(tmpdir(), 'kw-bench-storage-'));
  const server = await startS3Server(join(work, 's3'), ['kw-bench']);
  try {
    const runs: Record<string, { seconds: number; mbPerSecond: number; peakRssMiB: number; rssBeforeMiB: number }[]> =
      {};
    const cases = [
      { name: 'local', spec: { kind: 'local' as const, mb, dir: join(work, 'local') } },
      {
        name: 's3 16 MiB parts x4',
        spec: { kind: 's3' as const, mb, dir: '', endpoint: server.endpoint, partMiB: 16 },
      },
      { name: 's3 8 MiB parts x4', spec: { kind: 's3' as const, mb, dir: '', endpoint: server.endpoint, partMiB: 8 } },
    ];
    for (let round = 0; round < rounds; round++) {
      for (const { name, spec } of cases) {
        const run = spawnSync(
          process.execPath,
          ['--import', 'tsx', import.meta.filename, '--child', JSON.stringify(spec)],
          {
            encoding: 'utf8',
            timeout: 600_000,
          },
        );
        if (run.status !== 0) throw new Error(`${name} failed: ${run.stderr}`);
        (runs[name] ??= []).push(JSON.parse(run.stdout.trim().split('\n').at(-1)!));
        await rm(join(work, 'local'), { recursive: true, force: true });
        await rm(join(work, 's3', 'kw-bench', 'bench'), { recursive: true, force: true });
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const local = median(runs.local!.map((r) => r.mbPerSecond));
    console.log(`${mb} MB, ${rounds} rounds, medians:`);
    for (const [name, list] of Object.entries(runs)) {
      const speed = median(list.map((r) => r.mbPerSecond));
      console.log(
        `${name.padEnd(20)} ${speed.toFixed(1).padStart(7)} MB/s  ×${(speed / local).toFixed(2)} of local  peak RSS ${Math.max(...list.map((r) => r.peakRssMiB)).toFixed(0)} MiB (${median(list.map((r) => r.rssBeforeMiB)).toFixed(0)} MiB before the write)`,
      );
    }
  } finally {
    await server.stop();
    await rm(work, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') await child(JSON.parse(process.argv[3]!));
else await main();
