// Memory and speed of a 300 MB write: to s3rver (a process of its own) with the S3 storage, and to
// the local storage, each in a fresh child process so its peak RSS (VmHWM) is its own.
//
//   cd packages/backup && node --import tsx test/bench/storage-throughput.ts [--mb 300] [--rounds 2] [--s3 16x4,8x4] (s3rver's part MiB x queue)
//
// Not a test (vitest runs test/**/*.test.ts only): figures for the issue and the README.
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
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

/**
 * An S3 endpoint that answers the multipart calls and throws the bytes away: the client's own
 * ceiling, without s3rver's costs (it hashes every part and copies all of them into the object
 * when the upload completes).
 */
async function startSink(): Promise<{ endpoint: string; server: Server }> {
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://sink');
      const xml = (body: string) => {
        response.writeHead(200, { 'content-type': 'application/xml' });
        response.end(`<?xml version="1.0" encoding="UTF-8"?>\n${body}`);
      };
      if (request.method === 'GET') return xml('<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>');
      if (request.method === 'POST' && url.searchParams.has('uploads'))
        return xml('<InitiateMultipartUploadResult><UploadId>sink</UploadId></InitiateMultipartUploadResult>');
      if (request.method === 'POST')
        return xml('<CompleteMultipartUploadResult><ETag>"sink"</ETag></CompleteMultipartUploadResult>');
      response.writeHead(200, { etag: '"sink"' });
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { endpoint: `http://127.0.0.1:${(server.address() as { port: number }).port}`, server };
}

const peakRssMiB = (): number => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))![1]) / 1024;

async function child(spec: {
  kind: 'local' | 's3';
  mb: number;
  dir: string;
  endpoint?: string;
  partMiB?: number;
  queueSize?: number;
}) {
  const storage: Storage =
    spec.kind === 'local'
      ? localStorage({ directory: spec.dir })
      : s3Storage({
          bucket: 'kw-bench',
          endpoint: spec.endpoint,
          forcePathStyle: true,
          credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'unchecked' },
          partSizeBytes: (spec.partMiB ?? 8) * MiB,
          queueSize: spec.queueSize ?? 4,
        });
  // Loads the SDK (on first use) and opens a connection, so the delta is the write's own.
  await storage.list('bench/');
  const before = peakRssMiB();
  // RSS over the write, to see that it levels off instead of growing with the stream.
  const samples: number[] = [];
  const sampler = setInterval(() => samples.push(process.memoryUsage().rss / MiB), 200);
  const started = process.hrtime.bigint();
  const result = await storage.write(`bench/${spec.kind}-${Date.now()}.bin`, source(spec.mb * MiB));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  clearInterval(sampler);
  await storage.close();
  const third = Math.max(1, Math.floor(samples.length / 3));
  const thirds = [0, 1, 2].map((i) => Math.round(Math.max(0, ...samples.slice(i * third, (i + 1) * third))));
  process.stdout.write(
    `${JSON.stringify({ seconds, mbPerSecond: result.size / MiB / seconds, peakRssMiB: peakRssMiB(), rssBeforeMiB: before, thirds })}\n`,
  );
}

async function main() {
  const { values } = parseArgs({
    options: {
      mb: { type: 'string', default: '300' },
      rounds: { type: 'string', default: '2' },
      // S3 part size (MiB) x queue size, each a case
      s3: { type: 'string', default: '16x4,8x4' },
    },
  });
  const mb = Number(values.mb);
  const rounds = Number(values.rounds);
  const work = await mkdtemp(join(tmpdir(), 'kw-bench-storage-'));
  const server = await startS3Server(join(work, 's3'), ['kw-bench']);
  const sink = await startSink();
  try {
    type Run = { seconds: number; mbPerSecond: number; peakRssMiB: number; rssBeforeMiB: number; thirds: number[] };
    const runs: Record<string, Run[]> = {};
    const cases = [
      { name: 'local', spec: { kind: 'local' as const, mb, dir: join(work, 'local') } },
      ...values.s3.split(',').map((shape) => {
        const [partMiB, queueSize] = shape.split('x').map(Number);
        return {
          name: `s3rver ${partMiB} MiB x${queueSize}`,
          spec: { kind: 's3' as const, mb, dir: '', endpoint: server.endpoint, partMiB, queueSize },
        };
      }),
      {
        name: 'sink 8 MiB x4',
        spec: { kind: 's3' as const, mb, dir: '', endpoint: sink.endpoint, partMiB: 8, queueSize: 4 },
      },
    ];
    for (let round = 0; round < rounds; round++) {
      for (const { name, spec } of cases) {
        // Not spawnSync: this process serves the sink meanwhile.
        const proc = spawn(
          process.execPath,
          ['--import', 'tsx', import.meta.filename, '--child', JSON.stringify(spec)],
          {
            stdio: ['ignore', 'pipe', 'pipe'],
            timeout: 600_000,
          },
        );
        let stdout = '';
        let stderr = '';
        proc.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
        });
        proc.stderr.on('data', (chunk: Buffer) => {
          stderr += chunk.toString();
        });
        const status = await new Promise<number | null>((resolve) => proc.once('close', resolve));
        if (status !== 0) throw new Error(`${name} failed: ${stderr}`);
        runs[name] = [...(runs[name] ?? []), JSON.parse(stdout.trim().split('\n').at(-1)!)];
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
        `${name.padEnd(20)} ${speed.toFixed(1).padStart(7)} MB/s  ×${(speed / local).toFixed(2)} of local  peak RSS ${Math.max(...list.map((r) => r.peakRssMiB)).toFixed(0)} MiB (${median(list.map((r) => r.rssBeforeMiB)).toFixed(0)} MiB before the write, client loaded; max per third of the write ${list.at(-1)!.thirds.join('/')} MiB)`,
      );
    }
  } finally {
    sink.server.close();
    await server.stop();
    await rm(work, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') await child(JSON.parse(process.argv[3]!));
else await main();
