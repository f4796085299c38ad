import * as z from 'zod/mini';
import { BackupOptionsError } from '../errors.js';
import type { BackupLogger } from '../logger.js';
import { english, zodProblems } from '../zod-problems.js';

const MiB = 1024 * 1024;

/**
 * An S3-compatible bucket (AWS, Backblaze B2, Wasabi, Hetzner, Cloudflare R2, MinIO, Garage, …).
 * Everything comes in here: the package never reads `AWS_*` variables or `~/.aws` (the runtime
 * maps those to these options), and the SDK is told every setting it would otherwise look up.
 */
export interface S3StorageOptions {
  /** `BUCKET` of `s3://BUCKET/PREFIX`. */
  bucket: string;
  /**
   * `PREFIX` of `s3://BUCKET/PREFIX`: every key lives under it, so one bucket can hold several
   * instances' backups. `/`-separated names like keys.
   * @defaultValue '' (the bucket's root)
   */
  prefix?: string;
  /**
   * The S3 API's URL (`https://s3.eu-central-003.backblazeb2.com`, `http://nas:9000`); absent for AWS,
   * where `region` picks it. No credentials in it.
   * @defaultValue undefined (AWS)
   */
  endpoint?: string;
  /** Signing region; most other providers accept any value, some want theirs. @defaultValue 'us-east-1' */
  region?: string;
  /**
   * `https://host/BUCKET/key` instead of `https://BUCKET.host/key`: MinIO, Garage and most servers on
   * an IP address or a private name need it.
   * @defaultValue false
   */
  forcePathStyle?: boolean;
  /** The key pair (`remote_access_key_id`, `remote_secret_access_key`); the secret is never logged or shown. */
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /**
   * Bytes per multipart part. A write's memory levels off at a few times `partSizeBytes` ×
   * `queueSize` (measured: 8 MiB × 4 → about 110 MiB above the process with the client loaded,
   * the same for 300 MB and 900 MB; 16 MiB × 4 → about 180 MiB; `test/bench/storage-throughput.ts`),
   * and S3 allows 10 000 parts, so this also caps one object at 10 000 × `partSizeBytes`
   * (8 MiB: 78 GiB).
   * @defaultValue 8 MiB
   */
  partSizeBytes?: number;
  /** Parts uploaded at once. @defaultValue 4 */
  queueSize?: number;
  /** Attempts per request, the first included (the SDK's standard retry with backoff). @defaultValue 3 */
  maxAttempts?: number;
  /** To establish a connection. @defaultValue 10 000 */
  connectTimeoutMs?: number;
  /** A request fails when its socket is idle this long. @defaultValue 120 000 */
  idleTimeoutMs?: number;
  /** @defaultValue silent */
  logger?: BackupLogger;
}

export type ResolvedS3StorageOptions = Readonly<
  Required<Omit<S3StorageOptions, 'endpoint' | 'logger'>> & Pick<S3StorageOptions, 'endpoint' | 'logger'>
>;

const NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,254}$/;

const schema = z.strictObject({
  // AWS's rules are stricter (3-63 lower-case letters, digits, "." and "-"); other servers vary.
  bucket: z
    .string()
    .check(z.regex(/^[A-Za-z0-9][A-Za-z0-9._-]{1,254}$/, 'must be a bucket name (letters, digits, ".", "_", "-")')),
  prefix: z._default(
    z
      .pipe(
        z.string(),
        z.transform((p) => p.replace(/^\/+|\/+$/g, '')),
      )
      .check(
        z.refine((p) => p === '' || p.split('/').every((s) => NAME.test(s)), {
          message: 'must be "/"-separated names of A-Z, a-z, 0-9, ".", "_" and "-", none starting with "." or "-"',
        }),
      ),
    '',
  ),
  endpoint: z.optional(
    z.string().check(
      z.refine((value) => {
        try {
          const url = new URL(value);
          return (url.protocol === 'http:' || url.protocol === 'https:') && url.username === '' && url.password === '';
        } catch {
          return false;
        }
      }, 'must be an http:// or https:// URL without user or password'),
    ),
  ),
  region: z._default(
    z.string().check(z.regex(/^[A-Za-z0-9-]{1,64}$/, 'must be a region name such as us-east-1')),
    'us-east-1',
  ),
  forcePathStyle: z._default(z.boolean(), false),
  credentials: z.strictObject({
    accessKeyId: z.string().check(z.minLength(1, 'must not be empty')),
    secretAccessKey: z.string().check(z.minLength(1, 'must not be empty')),
    sessionToken: z.optional(z.string().check(z.minLength(1))),
  }),
  partSizeBytes: z._default(
    z
      .int()
      .check(
        z.minimum(5 * MiB, 'must be at least 5 MiB (S3 refuses smaller parts)'),
        z.maximum(5 * 1024 * MiB, 'must be at most 5 GiB (S3 refuses larger parts)'),
      ),
    8 * MiB,
  ),
  queueSize: z._default(z.int().check(z.minimum(1), z.maximum(64)), 4),
  maxAttempts: z._default(z.int().check(z.minimum(1), z.maximum(20)), 3),
  connectTimeoutMs: z._default(z.int().check(z.minimum(100), z.maximum(600_000)), 10_000),
  idleTimeoutMs: z._default(z.int().check(z.minimum(1000), z.maximum(3_600_000)), 120_000),
  logger: z.optional(z.custom<BackupLogger>((v) => typeof v === 'object' && v !== null, 'must be a logger')),
});

/** Merges defaults and validates once; every problem in one error, never a secret's value. */
export function resolveS3StorageOptions(options: S3StorageOptions): ResolvedS3StorageOptions {
  const result = schema.safeParse(options, english);
  if (!result.success) throw new BackupOptionsError('S3 storage options', zodProblems(result.error, 'S3 storage'));
  return Object.freeze({
    ...result.data,
    credentials: Object.freeze({ ...result.data.credentials }),
    endpoint: result.data.endpoint,
    logger: result.data.logger,
  });
}
