export type { ByteRange, CleanupOptions, Storage, StorageObject, WriteOptions, WriteResult } from './storage.js';
export { localStorage, type LocalStorageOptions } from './local-storage.js';
export { sshStorage, type SshStorageOptions } from './ssh-storage.js';
export { s3Storage } from './s3-storage.js';
export { resolveS3StorageOptions, type ResolvedS3StorageOptions, type S3StorageOptions } from './s3-options.js';
export { digestObject, verifyObject } from './object-digest.js';
export { checkKey } from './storage-key.js';
export {
  StorageAccessDeniedError,
  StorageBucketMissingError,
  StorageFailedError,
  StorageIntegrityError,
  StorageKeyError,
  StorageNotFoundError,
  StorageRangeError,
  StorageUnavailableError,
} from './errors.js';
