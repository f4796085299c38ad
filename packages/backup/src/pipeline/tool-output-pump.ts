import { mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer, type Socket } from 'node:net';
import type { Writable } from 'node:stream';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';

export interface ToolOutputPump {
  /** The tool's stdout: give it to `spawn`, then destroy it (the tool holds its own copy). */
  readonly toolEnd: Socket;
  /**
   * Resolves once the tool's output has ended and all of it was written to `into`, which is then
   * ended; rejects when either side fails (and destroys both).
   */
  readonly done: Promise<void>;
  /** Stops carrying: both sides destroyed. */
  destroy(): void;
}

/** 1 MB: what the dump tools write at a time under `stdbuf -o1M`. */
const BUFFER_BYTES = 1 << 20;

/**
 * Carries a tool's stdout into another tool's stdin through Node, for a source that must see its
 * own bytes as they pass (MySQL's row counter), at a fraction of a stream pipe's CPU. Node reads
 * into one reused buffer (`net.Socket`'s `onread`) instead of a fresh Buffer per read, shows each
 * piece to `inspect` synchronously, and writes it straight to `into`; while a write has not yet
 * reached the kernel, reading pauses, so the buffer is never overwritten under a pending write.
 * (Measured: 0.15 s of CPU instead of 0.6 s for a 225 MB dump.)
 *
 * `child_process` creates its pipes' sockets itself, with no `onread`, so the tool's stdout here
 * is one end of a Unix socket connection made for the purpose, in a private 0700 directory that
 * is gone once the two ends have met.
 */
export async function startToolOutputPump(into: Writable, inspect: (chunk: Buffer) => void): Promise<ToolOutputPump> {
  const dir = await mkdtemp(join(tmpdir(), 'keepwatch-pipe-'));
  const server = createServer();
  try {
    const path = join(dir, 'dump.sock');
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, resolve);
    });
    const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve));

    let paused = false;
    let ours: Socket | undefined;
    const afterWrite = (error?: Error | null): void => {
      if (error) return; // `into`'s 'error' tears down both
      if (paused) {
        paused = false;
        ours?.resume();
      }
    };
    ours = connect({
      path,
      onread: {
        buffer: Buffer.allocUnsafe(BUFFER_BYTES),
        callback(length: number, buffer: Uint8Array): boolean {
          const chunk = Buffer.from(buffer.buffer, buffer.byteOffset, length);
          inspect(chunk);
          into.write(chunk, afterWrite);
          // 0 once the kernel took all of it; otherwise wait for the write before reading again.
          if (into.writableLength > 0) paused = true;
          return !paused;
        },
      },
    });
    const reader = ours;
    // Failures surface through `done` (finished() below); until then they must not go unhandled.
    reader.on('error', () => {});
    const toolEnd = await Promise.race([accepted, new Promise<never>((_, reject) => reader.once('error', reject))]);
    const destroy = (): void => {
      reader.destroy();
      toolEnd.destroy();
      into.destroy();
    };
    // The next tool gone (zstd died): stop reading, so the dump tool meets a closed pipe.
    let ending = false;
    const onIntoError = (error: Error): void => void reader.destroy(error);
    const onIntoClose = (): void => {
      if (!ending)
        reader.destroy(
          Object.assign(new Error('the next tool closed its input'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }),
        );
    };
    into.once('error', onIntoError);
    into.once('close', onIntoClose);
    const done = (async () => {
      try {
        await finished(reader, { writable: false });
        ending = true;
        into.end();
        await finished(into, { readable: false });
      } catch (error) {
        destroy();
        throw error;
      } finally {
        into.off('error', onIntoError);
        into.off('close', onIntoClose);
      }
    })();
    done.catch(() => {});
    return { toolEnd, done, destroy };
  } finally {
    // Stops listening now (its callback would wait for the connection made here to end).
    server.close();
    await rm(dir, { recursive: true, force: true });
  }
}
