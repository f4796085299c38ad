import { type ChildProcess, spawn } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort } from '@keepwatch/test-support/net';

/**
 * A real S3 API server (s3rver, `test/fixtures/s3rver-process.mjs`) as a process of the test's own
 * on a free loopback port, storing into `directory`. It checks that the access key exists
 * (`S3RVER`) but not the signature: any secret passes, so it cannot prove authentication.
 */
export interface TestS3Server {
  readonly endpoint: string;
  readonly directory: string;
  /** The one access key it knows; the secret may be anything. */
  readonly accessKeyId: 'S3RVER';
  /** Where s3rver keeps an object's bytes on disk (to damage it on purpose). */
  objectFile(bucket: string, key: string): string;
  /** The multipart uploads s3rver holds on disk (each a folder of parts), by upload id. */
  uploadsOnDisk(bucket: string): Promise<string[]>;
  /** Where s3rver keeps an incomplete multipart upload: its key, for uploads whose key starts with `prefix`. */
  uploadsUnder(bucket: string, prefix: string): Promise<string[]>;
  /**
   * What the server has received since it (last) started: every byte its sockets read (request
   * lines, headers, bodies) and the requests by method, counted in the server process.
   */
  stats(): Promise<S3ServerStats>;
  /** `kill -9`: the server is gone mid-whatever. */
  kill(): Promise<void>;
  /** Starts it again on the same port and directory, after `kill`. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface S3ServerStats {
  bytesReceived: number;
  requests: Record<string, number>;
}

const fixture = join(import.meta.dirname, '..', 'fixtures', 's3rver-process.mjs');

export async function startS3Server(directory: string, buckets: string[]): Promise<TestS3Server> {
  const port = await freePort();
  let child: ChildProcess | undefined;

  const launch = async (): Promise<void> => {
    const proc = spawn(process.execPath, [fixture, JSON.stringify({ port, directory, buckets })], {
      // The IPC channel makes the server exit when the test process dies, whatever kills it.
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    child = proc;
    let stderr = '';
    proc.stderr!.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        proc.kill('SIGKILL');
        reject(new Error(`s3rver did not start within 15 s: ${stderr}`));
      }, 15_000);
      proc.stdout!.once('data', () => {
        clearTimeout(timer);
        proc.stdout!.resume();
        resolve();
      });
      proc.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`s3rver exited (${code ?? signal}) before it listened: ${stderr}`));
      });
    });
    proc.removeAllListeners('exit');
  };

  const stopChild = async (signal: NodeJS.Signals): Promise<void> => {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
      proc.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      proc.kill(signal);
    });
  };

  await launch();
  const uploadsOnDisk = async (bucket: string): Promise<string[]> => {
    try {
      return (await readdir(join(directory, bucket, '._S3rver_uploads'))).sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    directory,
    accessKeyId: 'S3RVER',
    objectFile: (bucket, key) => join(directory, bucket, `${key}._S3rver_object`),
    uploadsOnDisk,
    async uploadsUnder(bucket, prefix) {
      const keys: string[] = [];
      for (const id of await uploadsOnDisk(bucket)) {
        const key = await readFile(join(directory, bucket, '._S3rver_uploads', id, 'key'), 'utf8').catch(() => '');
        if (key !== '' && key.startsWith(prefix)) keys.push(key);
      }
      return keys.sort();
    },
    stats() {
      const proc = child;
      if (!proc?.connected) return Promise.reject(new Error('s3rver is not running'));
      return new Promise<S3ServerStats>((resolve, reject) => {
        const timer = setTimeout(() => {
          proc.off('message', onMessage);
          reject(new Error('s3rver did not answer for its stats within 5 s'));
        }, 5000);
        const onMessage = (message: { type?: string } & S3ServerStats): void => {
          if (message?.type !== 'stats') return;
          clearTimeout(timer);
          proc.off('message', onMessage);
          resolve({ bytesReceived: message.bytesReceived, requests: message.requests });
        };
        proc.on('message', onMessage);
        proc.send({ type: 'stats' });
      });
    },
    kill: () => stopChild('SIGKILL'),
    restart: launch,
    stop: () => stopChild('SIGTERM'),
  };
}
