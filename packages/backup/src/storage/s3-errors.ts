import { isUnreachableCode } from '@keepwatch/errors';
import {
  StorageAccessDeniedError,
  StorageBucketMissingError,
  StorageFailedError,
  StorageNotFoundError,
  StorageUnavailableError,
} from './errors.js';

/** What an AWS SDK error carries (a service exception, or a network error from Node). */
interface SdkError {
  name?: string;
  code?: string;
  message?: string;
  Code?: string;
  $fault?: 'client' | 'server';
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: number };
  errors?: { code?: string }[];
}

const DENIED = new Set([
  'AccessDenied',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'InvalidToken',
  'AllAccessDisabled',
  'AccountProblem',
  'Forbidden',
]);
const BUSY = new Set([
  'SlowDown',
  'ServiceUnavailable',
  'InternalError',
  'RequestTimeout',
  'RequestTimeTooSkewed',
  'TimeoutError',
]);

export interface S3ErrorContext {
  /** `writing "database/…"` */
  action: string;
  /** The storage's label. */
  storage: string;
  bucket: string;
  /** Where the bucket is looked for, for the missing-bucket message. */
  endpoint: string;
  /** Set for operations on one object: a 404 then means that object is missing. */
  key?: string;
}

/** The storage error for an SDK failure; its message names what failed without any secret. */
export function s3Failure(error: unknown, context: S3ErrorContext): Error {
  const e = (error ?? {}) as SdkError;
  const name = e.Code ?? e.name ?? 'Error';
  const status = e.$metadata?.httpStatusCode;
  const networkCode = e.code ?? e.errors?.find((inner) => inner.code)?.code;
  const detail = describe(e, name, status, networkCode);
  const { action, storage } = context;
  if (name === 'NoSuchBucket') return new StorageBucketMissingError(context.bucket, context.endpoint, error);
  if (context.key !== undefined && (name === 'NoSuchKey' || name === 'NotFound' || status === 404))
    return new StorageNotFoundError(context.key, storage, error);
  if (DENIED.has(name) || status === 401 || status === 403)
    return new StorageAccessDeniedError(action, storage, detail, error);
  // A stream closed early is the server gone mid-upload, as a refused or reset socket is.
  const unreachable = isUnreachableCode(networkCode) || networkCode === 'ERR_STREAM_PREMATURE_CLOSE';
  if (unreachable || BUSY.has(name) || (status !== undefined && status >= 500))
    return new StorageUnavailableError(action, storage, detail, error);
  return new StorageFailedError(action, storage, detail, e.$retryable !== undefined || e.$fault === 'server', error);
}

function describe(e: SdkError, name: string, status: number | undefined, networkCode: string | undefined): string {
  // A HEAD answer has no body, so the SDK's message is just "UnknownError": the status says more.
  const message = e.message && e.message !== 'UnknownError' ? e.message : '';
  const parts = [networkCode ?? name, status ? `HTTP ${status}` : '', message].filter(Boolean);
  return parts.join(', ');
}
