import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startToolOutputPump } from '../src/pipeline/tool-output-pump.js';
import { tempDir } from './helpers/files.js';

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

describe('carrying one tool’s output into another through one reused buffer', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let input: string;
  let inputSha: string;

  beforeAll(async () => {
    dir = await tempDir('kw-pump');
    input = join(dir.path, 'input.bin');
    // Incompressible, so a slow gzip downstream holds the pump back for the whole run.
    const data = Buffer.alloc(40 * 1024 * 1024);
    for (let i = 0; i < data.length; i += 4) data.writeUInt32LE((Math.imul(i, 2654435761) ^ (i >>> 7)) >>> 0, i);
    await writeFile(input, data);
    inputSha = sha256(data);
  });

  afterAll(async () => {
    await dir?.remove();
  });

  it('delivers every byte in order under back-pressure, and shows each to the inspector as it passes', async () => {
    const output = join(dir.path, 'output.bin');
    // A consumer that starts late and then runs slower than the producer.
    const sink = spawn('sh', ['-c', 'sleep 0.3; gzip -1 | gzip -d > "$1"', 'sh', output], {
      stdio: ['pipe', 'ignore', 'inherit'],
    });
    const inspected = createHash('sha256');
    let carried = 0;
    const pump = await startToolOutputPump(sink.stdin as Socket, (chunk) => {
      carried += chunk.length;
      inspected.update(chunk);
    });
    spawn('cat', [input], { stdio: ['ignore', pump.toolEnd, 'inherit'] });
    pump.toolEnd.destroy();
    await pump.done;
    const [code] = await once(sink, 'close');
    expect(code).toBe(0);
    expect(carried).toBe(40 * 1024 * 1024);
    expect(inspected.digest('hex')).toBe(inputSha);
    expect(sha256(await readFile(output))).toBe(inputSha);
  });

  it('stops, without hanging, when the next tool dies part way, and the first tool meets a closed pipe', async () => {
    const sink = spawn('sh', ['-c', 'head -c 100000 > /dev/null; exit 7'], { stdio: ['pipe', 'ignore', 'inherit'] });
    sink.stdin.on('error', () => {});
    let carried = 0;
    const pump = await startToolOutputPump(sink.stdin as Socket, (chunk) => {
      carried += chunk.length;
    });
    const source = spawn('cat', [input], { stdio: ['ignore', pump.toolEnd, 'pipe'] });
    pump.toolEnd.destroy();
    const error = await pump.done.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    const [code, signal] = await once(source, 'close');
    // cat is stopped by the broken pipe (SIGPIPE) or says so and exits non-zero.
    expect(signal === 'SIGPIPE' || code !== 0).toBe(true);
    expect(carried).toBeLessThan(40 * 1024 * 1024);
  });
});
