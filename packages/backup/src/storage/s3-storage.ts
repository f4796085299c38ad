import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { GetObjectCommandOutput, S3Client } from '@aws-sdk/client-s3';
import { silentLogger } from '../logger.js';
import { resolveRange } from './byte-range.js';
import { ByteWindow } from './byte-window.js';
import { takeIn } from './body-intake.js';
import { StorageFailedError } from './errors.js';
import { s3Failure } from './s3-errors.js';
import { resolveS3StorageOptions, type S3StorageOptions } from './s3-options.js';
import { checkKey, compareKeys, isKey, splitPrefix } from './storage-key.js';
import type { Storage, StorageObject } from './storage.js';

/**
 * Why the AWS SDK (`@aws-sdk/client-s3` with `@aws-sdk/lib-storage`'s `Upload`) and not rclone as a
 * process: the upload streams inside this process with memory bounded by part size × queue
 * size, and the SHA-256 is taken on the same pass; failures arrive as S3's own error codes
 * (`NoSuchBucket`, `AccessDenied`, a status, a socket error) rather than stderr to parse; the
 * credentials stay in memory instead of rclone's environment or a config file that a `kill -9`
 * could leave behind; and there is no second binary to install and keep at a known version on
 * every host (Debian's rclone lags upstream by a year or more). It is AWS's own client, released
 * weekly. The price is its size: it is loaded only when an S3 storage is first used, so
 * processes that never touch S3 (a bare `keepwatch backup list`) do not pay for it.
 *
 * Checksums: the SDK would add CRC32 headers to every upload by default (`WHEN_SUPPORTED`),
 * which several S3-compatible servers reject or mis-handle (boto/s3transfer#327 with Backblaze
 * B2; rqlite/rqlite#2701 lists MinIO, R2, OVH and the projects that turned it off). Both are
 * `WHEN_REQUIRED` here; integrity is checked end to end instead, by the SHA-256 every `write`
 * returns (kept in the manifest) against what `verifyObject` reads back.
 */
type Sdk = typeof import('@aws-sdk/client-s3') & Pick<typeof import('@aws-sdk/lib-storage'), 'Upload'>;

let sdkLoading: Promise<Sdk> | undefined;
function loadSdk(): Promise<Sdk> {
  sdkLoading ??= Promise.all([import('@aws-sdk/client-s3'), import('@aws-sdk/lib-storage')]).then(([s3, lib]) => ({
    ...s3,
    Upload: lib.Upload,
  }));
  return sdkLoading;
}

const MAX_PARTS = 10_000;

/**
 * An S3-compatible bucket. A write is one multipart upload (or one PUT when it fits in a part),
 * which S3 makes visible only when it completes; a failed write aborts its upload, and one whose
 * process was killed is aborted by the next `cleanupIncompleteUploads`.
 */
export function s3Storage(options: S3StorageOptions): Storage {
  const opts = resolveS3StorageOptions(options);
  const logger = opts.logger ?? silentLogger;
  const base = opts.prefix === '' ? '' : `${opts.prefix}/`;
  const where = opts.endpoint ? new URL(opts.endpoint).origin : `AWS ${opts.region}`;
  const label = `s3://${opts.bucket}/${opts.prefix} at ${where}`;
  const context = (action: string, key?: string) => ({
    action,
    storage: label,
    bucket: opts.bucket,
    endpoint: where,
    key,
  });

  let client: S3Client | undefined;
  const connect = async (): Promise<{ sdk: Sdk; client: S3Client }> => {
    const sdk = await loadSdk();
    client ??= new sdk.S3Client({
      region: opts.region,
      endpoint: opts.endpoint,
      forcePathStyle: opts.forcePathStyle,
      credentials: { ...opts.credentials },
      maxAttempts: opts.maxAttempts,
      retryMode: 'standard',
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      requestHandler: { connectionTimeout: opts.connectTimeoutMs, requestTimeout: opts.idleTimeoutMs },
      // Every setting the SDK would otherwise read from AWS_* variables or ~/.aws, given here.
      defaultsMode: 'standard',
      ignoreConfiguredEndpointUrls: true,
      useFipsEndpoint: false,
      useDualstackEndpoint: false,
      useArnRegion: false,
      disableS3ExpressSessionAuth: false,
      authSchemePreference: async () => [],
      sigv4aSigningRegionSet: async () => undefined,
      userAgentAppId: async () => undefined,
    });
    return { sdk, client };
  };
  const objectKey = (key: string): string => `${base}${checkKey(key).join('/')}`;

  const abortUpload = async (key: string, uploadId: string): Promise<void> => {
    const { sdk, client } = await connect();
    try {
      await client.send(
        new sdk.AbortMultipartUploadCommand({ Bucket: opts.bucket, Key: objectKey(key), UploadId: uploadId }),
      );
    } catch (error) {
      logger.warn(
        { err: s3Failure(error, context(`aborting the upload of "${key}"`, key)), storage: label, key },
        'storage: could not abort an incomplete upload; cleanupIncompleteUploads will',
      );
    }
  };

  const stat = async (key: string): Promise<StorageObject> => {
    const Key = objectKey(key);
    const { sdk, client } = await connect();
    try {
      const head = await client.send(new sdk.HeadObjectCommand({ Bucket: opts.bucket, Key }));
      return { key, size: head.ContentLength ?? 0, modifiedAt: head.LastModified ?? new Date(0) };
    } catch (error) {
      const failure = s3Failure(error, context(`stat of "${key}"`, key));
      // A HEAD has no body to say which is missing, the key or the bucket; one more request tells.
      if (failure.name === 'StorageNotFoundError') await checkBucket(sdk, client, `stat of "${key}"`);
      throw failure;
    }
  };

  const checkBucket = async (sdk: Sdk, s3: S3Client, action: string): Promise<void> => {
    try {
      await s3.send(new sdk.HeadBucketCommand({ Bucket: opts.bucket }));
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      throw s3Failure(
        status === 404 ? Object.assign(error as object, { Code: 'NoSuchBucket' }) : error,
        context(action),
      );
    }
  };

  return {
    label,

    async write(key, body, writeOptions = {}) {
      const Key = objectKey(key);
      const { signal } = writeOptions;
      const { sdk, client } = await connect();
      const intake = takeIn(body, signal);
      // lib-storage reports the first failure of its part uploaders, and once one has failed the
      // others stop with a plain AbortError (their shared reader is closed): the request that
      // failed first is what the error must say, so it is recorded here.
      let requestError: unknown;
      const recording = new Proxy(client, {
        get(target, property, receiver) {
          if (property !== 'send') return Reflect.get(target, property, receiver);
          return (...args: Parameters<S3Client['send']>) =>
            (target.send as (...a: unknown[]) => Promise<unknown>)(...args).catch((error: unknown) => {
              requestError ??= error;
              throw error;
            });
        },
      });
      // leavePartsOnError: lib-storage would abort the upload itself, but an abort that fails
      // (the server is gone) would then replace the error that matters; this code aborts instead.
      const upload = new sdk.Upload({
        client: recording,
        params: { Bucket: opts.bucket, Key, Body: intake.stream },
        partSize: opts.partSizeBytes,
        queueSize: opts.queueSize,
        leavePartsOnError: true,
      });
      try {
        await upload.done();
      } catch (error) {
        intake.dispose();
        if (upload.uploadId) await abortUpload(key, upload.uploadId);
        if (signal?.aborted) throw signal.reason;
        if (intake.failure() !== undefined) throw intake.failure();
        if (/Exceeded \d+ parts/.test((error as Error).message ?? '')) {
          throw new StorageFailedError(
            `writing "${key}"`,
            label,
            `more than ${MAX_PARTS} parts of ${opts.partSizeBytes} bytes: raise partSizeBytes`,
            false,
            error,
          );
        }
        throw s3Failure(requestError ?? error, context(`writing "${key}"`));
      }
      intake.dispose();
      return { key, size: intake.stream.bytes, sha256: intake.stream.digest() };
    },

    async read(key, range) {
      const Key = objectKey(key);
      const { sdk, client } = await connect();
      let wanted: { start: number; end: number; length: number } | undefined;
      if (range !== undefined) {
        wanted = resolveRange(range, (await stat(key)).size, key, label);
        if (wanted.length === 0) return Readable.from([]);
      }
      let response: GetObjectCommandOutput;
      try {
        response = await client.send(
          new sdk.GetObjectCommand({
            Bucket: opts.bucket,
            Key,
            Range: wanted ? `bytes=${wanted.start}-${wanted.end}` : undefined,
          }),
        );
      } catch (error) {
        throw s3Failure(error, context(`reading "${key}"`, key));
      }
      // Where the answer starts: what Content-Range says, or 0 from a server that ignored the
      // range (HTTP allows that). s3rver answers `bytes=0-0` with the whole object, so bytes
      // past the range are dropped too; a short answer is an error, never fewer bytes.
      const served = /^bytes (\d+)-/.exec(response.ContentRange ?? '');
      const from = served ? Number(served[1]) : 0;
      const skip = wanted ? wanted.start - from : 0;
      if (skip < 0) {
        (response.Body as Readable | undefined)?.destroy();
        throw new StorageFailedError(
          `reading "${key}"`,
          label,
          `asked for bytes from ${wanted!.start}, the server answered from ${from}`,
          true,
        );
      }
      const length = wanted?.length ?? response.ContentLength;
      const window = new ByteWindow(skip, length, (got) =>
        s3Failure(
          Object.assign(new Error(`the answer had ${got} of ${length} bytes`), { code: 'ERR_STREAM_PREMATURE_CLOSE' }),
          context(`reading "${key}"`),
        ),
      );
      pipeline(response.Body as Readable, window).catch((error: unknown) => {
        if (!window.destroyed) window.destroy(s3Failure(error, context(`reading "${key}"`)));
      });
      return window;
    },

    stat,

    async list(prefix = '') {
      splitPrefix(prefix);
      const { sdk, client } = await connect();
      const found: StorageObject[] = [];
      try {
        for await (const page of sdk.paginateListObjectsV2(
          { client },
          { Bucket: opts.bucket, Prefix: `${base}${prefix}` },
        )) {
          for (const object of page.Contents ?? []) {
            const key = object.Key?.slice(base.length) ?? '';
            if (!isKey(key)) continue; // not a name this storage writes
            found.push({ key, size: object.Size ?? 0, modifiedAt: object.LastModified ?? new Date(0) });
          }
        }
      } catch (error) {
        throw s3Failure(error, context(`listing "${prefix}"`));
      }
      return found.sort((a, b) => compareKeys(a.key, b.key));
    },

    async delete(key) {
      const Key = objectKey(key);
      const { sdk, client } = await connect();
      try {
        await client.send(new sdk.DeleteObjectCommand({ Bucket: opts.bucket, Key }));
      } catch (error) {
        throw s3Failure(error, context(`deleting "${key}"`));
      }
    },

    async cleanupIncompleteUploads(olderThan, cleanupOptions = {}) {
      const prefix = cleanupOptions.prefix ?? '';
      splitPrefix(prefix);
      const { sdk, client } = await connect();
      const removed: string[] = [];
      try {
        let KeyMarker: string | undefined;
        let UploadIdMarker: string | undefined;
        do {
          const page = await client.send(
            new sdk.ListMultipartUploadsCommand({
              Bucket: opts.bucket,
              Prefix: `${base}${prefix}`,
              KeyMarker,
              UploadIdMarker,
            }),
          );
          for (const upload of page.Uploads ?? []) {
            if (!upload.Key || !upload.UploadId || !upload.Initiated || upload.Initiated >= olderThan) continue;
            try {
              await client.send(
                new sdk.AbortMultipartUploadCommand({
                  Bucket: opts.bucket,
                  Key: upload.Key,
                  UploadId: upload.UploadId,
                }),
              );
            } catch (error) {
              // Completed or aborted by someone else since the listing: gone either way.
              if ((error as { name?: string }).name !== 'NoSuchUpload') throw error;
            }
            removed.push(upload.Key.slice(base.length));
          }
          const more = page.IsTruncated === true;
          KeyMarker = more ? page.NextKeyMarker : undefined;
          UploadIdMarker = more ? page.NextUploadIdMarker : undefined;
        } while (KeyMarker !== undefined);
      } catch (error) {
        throw s3Failure(error, context('removing incomplete uploads'));
      }
      if (removed.length > 0) logger.info({ storage: label, removed }, 'storage: aborted incomplete uploads');
      return removed;
    },

    async close() {
      client?.destroy();
      client = undefined;
    },
  };
}
