import { basename, join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@keepwatch/test-support/net';
import { startSshd, type TestSshd } from '@keepwatch/test-support/sshd';
import {
  StorageAccessDeniedError,
  StorageUnavailableError,
  sshStorage,
  type SshStorageOptions,
} from '../../src/storage/index.js';
import { allFiles, tempDir } from '../helpers/files.js';
import { describeStorage } from '../helpers/storage-conformance.js';

// The "remote" disk is a folder on this machine, so the test can look at it directly.
const temporaries = async (dir: string): Promise<string[]> =>
  (await allFiles(dir)).filter((path) => basename(path).startsWith('.'));

const sshOptionsFor = (sshd: TestSshd, path: string): SshStorageOptions => ({
  host: '127.0.0.1',
  port: sshd.port,
  user: 'root',
  path,
  identityFile: sshd.identityFile,
  knownHostsFile: sshd.knownHostsFile,
  env: { PATH: process.env.PATH },
});

describeStorage(
  'ssh to a real sshd',
  async () => {
    const work = await tempDir('kw-storage-ssh');
    const sshd = await startSshd(work.path);
    return {
      async open(name) {
        const options = sshOptionsFor(sshd, join(work.path, 'remote-disk', name));
        return {
          storage: sshStorage(options),
          spec: { kind: 'ssh', options },
          leftovers: () => temporaries(options.path),
        };
      },
      async stop() {
        await sshd.stop();
        await work.remove();
      },
    };
  },
  { timeout: 180_000 },
);

describe('ssh storage failures', { timeout: 60_000 }, () => {
  let work: Awaited<ReturnType<typeof tempDir>>;
  let sshd: TestSshd;
  beforeAll(async () => {
    work = await tempDir('kw-storage-ssh-fail');
    sshd = await startSshd(work.path);
  }, 30_000);
  afterAll(async () => {
    await sshd?.stop();
    await work?.remove();
  });

  it('a refused key is access denied, not worth retrying', async () => {
    const storage = sshStorage({
      ...sshOptionsFor(sshd, join(work.path, 'r')),
      identityFile: sshd.strangerIdentityFile,
    });
    const error = await storage.write('k', Readable.from(['x'])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageAccessDeniedError);
    expect((error as StorageAccessDeniedError).retryable).toBe(false);
    expect((error as Error).message).toContain(`root@127.0.0.1:${sshd.port}`);
  });

  it('a host nobody answers on is unavailable, worth retrying', async () => {
    const storage = sshStorage({ ...sshOptionsFor(sshd, join(work.path, 'r')), port: await freePort() });
    for (const attempt of [() => storage.list(), () => storage.write('k', Readable.from(['x']))]) {
      const error = await attempt().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StorageUnavailableError);
      expect((error as StorageUnavailableError).retryable).toBe(true);
      expect((error as Error).message).toMatch(/Connection refused/);
    }
  });
});
