import { type ChildProcess, spawn } from 'node:child_process';
import { open as openFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { ListMultipartUploadsCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  StorageAccessDeniedError,
  StorageBucketMissingError,
  StorageIntegrityError,
  StorageUnavailableError,
  digestObject,
  s3Storage,
  verifyObject,
  type S3StorageOptions,
} from '../../src/storage/index.js';
import { tempDir } from '../helpers/files.js';
import { startS3Server, type TestS3Server } from '../helpers/s3-server.js';
import { manualStream, describeStorage, randomStream } from '../helpers/storage-conformance.js';

const BUCKET = 'kw-test-backups';
const MiB = 1024 * 1024;
// s3rver checks that the access key exists, never the signature: this secret is not verified.
const SECRET = 'kw-test-secret-never-shown';

const optionsFor = (server: TestS3Server, prefix: string, extra: Partial<S3StorageOptions> = {}): S3StorageOptions => ({
  bucket: BUCKET,
  prefix,
  endpoint: server.endpoint,
  region: 'us-east-1',
  forcePathStyle: true,
  credentials: { accessKeyId: server.accessKeyId, secretAccessKey: SECRET },
  // The smallest part S3 allows, so 20 MB is a multipart upload of five parts.
  partSizeBytes: 5 * MiB,
  ...extra,
});

/** A plain SDK client of the test's own, to look at the bucket the way S3 reports it. */
const lookAt = (server: TestS3Server): S3Client =>
  new S3Client({
    endpoint: server.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: SECRET },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });

/** Incomplete multipart uploads under `prefix`, as ListMultipartUploads reports them. */
async function incompleteUploads(client: S3Client, prefix: string): Promise<string[]> {
  const page = await client.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: prefix }));
  return (page.Uploads ?? []).map((u) => `${u.Key} ${u.UploadId}`).sort();
}

describeStorage('S3 (a real s3rver process)', async () => {
  const work = await tempDir('kw-storage-s3');
  const server = await startS3Server(join(work.path, 's3'), [BUCKET]);
  const client = lookAt(server);
  return {
    async open(name) {
      const options = optionsFor(server, `suite/${name}`);
      return {
        storage: s3Storage(options),
        spec: { kind: 's3', options },
        leftovers: () => incompleteUploads(client, `suite/${name}/`),
      };
    },
    async stop() {
      client.destroy();
      await server.stop();
      await work.remove();
    },
  };
});

describe('S3 storage against s3rver: what can go wrong', { timeout: 120_000 }, () => {
  let work: Awaited<ReturnType<typeof tempDir>>;
  let server: TestS3Server;
  let client: S3Client;
  beforeAll(async () => {
    work = await tempDir('kw-storage-s3-failures');
    server = await startS3Server(join(work.path, 's3'), [BUCKET]);
    client = lookAt(server);
  }, 30_000);
  afterAll(async () => {
    client?.destroy();
    await server?.stop();
    await work?.remove();
  });

  it('a missing bucket is a clear error naming it, whatever the operation, and no secret shows', async () => {
    const storage = s3Storage({ ...optionsFor(server, 'x'), bucket: 'no-such-bucket' });
    try {
      for (const attempt of [
        () => storage.write('k', Readable.from([Buffer.from('x')])),
        () => storage.write('big', randomStream(12 * MiB).body),
        () => storage.list(),
        () => storage.stat('k'),
        () => storage.read('k'),
      ]) {
        const error = await attempt().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(StorageBucketMissingError);
        expect((error as Error).message).toBe(
          `bucket "no-such-bucket" does not exist at ${server.endpoint}: create it, or fix the bucket name or the endpoint`,
        );
        expect(JSON.stringify(error) + String((error as Error).stack)).not.toContain(SECRET);
      }
      expect(storage.label).toBe(`s3://no-such-bucket/x at ${server.endpoint}`);
    } finally {
      await storage.close();
    }
  });

  it('an access key the server does not know is refused: access denied, not retried, no secret shown', async () => {
    // The one credential check s3rver makes (the key id exists); a wrong secret it would accept.
    const storage = s3Storage({
      ...optionsFor(server, 'x'),
      credentials: { accessKeyId: 'KW-TEST-UNKNOWN', secretAccessKey: SECRET },
    });
    try {
      for (const attempt of [() => storage.write('k', Readable.from([Buffer.from('x')])), () => storage.list()]) {
        const error = await attempt().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(StorageAccessDeniedError);
        expect((error as StorageAccessDeniedError).retryable).toBe(false);
        expect((error as Error).message).toMatch(/was refused: InvalidAccessKeyId, HTTP 403/);
        expect(JSON.stringify(error) + String((error as Error).stack)).not.toContain(SECRET);
      }
    } finally {
      await storage.close();
    }
  });

  it('the server gone mid-upload: a clear error, nothing listed, and the next cleanup aborts the upload', async () => {
    const storage = s3Storage(optionsFor(server, 'gone', { maxAttempts: 2, connectTimeoutMs: 2000 }));
    try {
      const feed = manualStream();
      const writing = storage.write('database/day/big.bin', feed.body).catch((e: unknown) => e);
      for (let i = 0; i < 12; i++) feed.push(Buffer.alloc(MiB, i));
      // Until s3rver holds a part of the upload on disk.
      await vi.waitFor(
        async () => {
          const [upload] = await server.uploadsOnDisk(BUCKET);
          if (!upload) throw new Error('no upload yet');
        },
        { timeout: 30_000, interval: 100 },
      );
      await server.kill();
      for (let i = 0; i < 12; i++) feed.push(Buffer.alloc(MiB, i));
      feed.end();
      const error = await writing;
      expect(error).toBeInstanceOf(StorageUnavailableError);
      expect((error as Error).message).toMatch(
        new RegExp(
          `^writing "database/day/big.bin" on s3://${BUCKET}/gone at ${server.endpoint} failed, the storage is unavailable: (ECONNREFUSED|ECONNRESET|EPIPE)`,
        ),
      );

      await server.restart();
      expect(await storage.list()).toEqual([]);
      // The abort could not reach the server: the upload is left for the next run.
      expect(await incompleteUploads(client, 'gone/')).toHaveLength(1);
      expect(await storage.cleanupIncompleteUploads(new Date(Date.now() + 2000))).toEqual(['database/day/big.bin']);
      expect(await incompleteUploads(client, 'gone/')).toEqual([]);
      expect(await server.uploadsOnDisk(BUCKET)).toEqual([]);
    } finally {
      await storage.close();
    }
  });

  it('one flipped byte in a stored object is found by reading it back', async () => {
    const storage = s3Storage(optionsFor(server, 'corrupt'));
    try {
      const data = randomStream(3 * MiB);
      const written = await storage.write('database/day/x.pgdump.zst', data.body);
      await verifyObject(storage, written.key, written.sha256);

      const file = await openFile(server.objectFile(BUCKET, 'corrupt/database/day/x.pgdump.zst'), 'r+');
      try {
        const byte = Buffer.alloc(1);
        await file.read(byte, 0, 1, 1_234_567);
        byte[0] = byte[0]! ^ 0x01;
        await file.write(byte, 0, 1, 1_234_567);
      } finally {
        await file.close();
      }
      expect((await digestObject(storage, written.key)).size).toBe(written.size);
      const error = await verifyObject(storage, written.key, written.sha256).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StorageIntegrityError);
      expect((error as Error).message).toContain(`"database/day/x.pgdump.zst" in s3://${BUCKET}/corrupt`);
      expect((error as Error).message).toContain(`${written.sha256} was written`);
    } finally {
      await storage.close();
    }
  });

  it('kill -9 mid-upload: the upload is on s3rver’s disk, never listed, and gone after the next cleanup', async () => {
    const options = optionsFor(server, 'killed');
    const storage = s3Storage(options);
    let child: ChildProcess | undefined;
    try {
      child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          join(import.meta.dirname, '..', 'fixtures', 'storage-writer.ts'),
          JSON.stringify({ kind: 's3', options }),
        ],
        { cwd: join(import.meta.dirname, '..', '..'), stdio: ['ignore', 'ignore', 'pipe'] },
      );
      await vi.waitFor(
        async () => {
          if (child!.exitCode !== null) throw new Error('the writer exited early');
          if ((await incompleteUploads(client, 'killed/')).length === 0) throw new Error('no upload yet');
        },
        { timeout: 30_000, interval: 100 },
      );
      child.kill('SIGKILL');
      await new Promise((resolve) => child!.once('close', resolve));
      expect(await storage.list()).toEqual([]);
      expect(await server.uploadsOnDisk(BUCKET)).toHaveLength(1);
      expect(await storage.cleanupIncompleteUploads(new Date(Date.now() + 2000))).toEqual([
        'database/2026-11-25/killed.bin',
      ]);
      expect(await incompleteUploads(client, 'killed/')).toEqual([]);
      expect(await server.uploadsOnDisk(BUCKET)).toEqual([]);
    } finally {
      if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await storage.close();
    }
  });

  it('reads no AWS_* variable and no ~/.aws file: options are all it uses', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_REGION: 'nowhere-1',
      AWS_DEFAULT_REGION: 'nowhere-1',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
      AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9',
      AWS_ACCESS_KEY_ID: 'WRONG',
      AWS_SECRET_ACCESS_KEY: 'WRONG',
      AWS_USE_FIPS_ENDPOINT: 'true',
      AWS_USE_DUALSTACK_ENDPOINT: 'true',
      AWS_MAX_ATTEMPTS: 'nonsense',
      AWS_RETRY_MODE: 'nonsense',
      AWS_DEFAULTS_MODE: 'nonsense',
      AWS_REQUEST_CHECKSUM_CALCULATION: 'nonsense',
      AWS_S3_USE_ARN_REGION: 'nonsense',
      AWS_CONFIG_FILE: join(work.path, 'aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(work.path, 'aws-credentials'),
      AWS_PROFILE: 'nonexistent',
    });
    const storage = s3Storage(optionsFor(server, 'env'));
    try {
      await storage.write('k', Readable.from([Buffer.from('only the options count')]));
      expect(await text(await storage.read('k'))).toBe('only the options count');
    } finally {
      await storage.close();
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    }
  });
});
