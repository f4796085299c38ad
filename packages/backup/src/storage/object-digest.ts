import { pipeline } from 'node:stream/promises';
import { DigestStream } from './digest-stream.js';
import { StorageIntegrityError } from './errors.js';
import type { Storage } from './storage.js';

/** Reads the whole object and returns its size and SHA-256, as stored now. */
export async function digestObject(storage: Storage, key: string): Promise<{ size: number; sha256: string }> {
  const digest = new DigestStream();
  await pipeline(await storage.read(key), digest, async (source: AsyncIterable<Buffer>) => {
    for await (const _ of source);
  });
  return { size: digest.bytes, sha256: digest.digest() };
}

/**
 * Reads the object back and compares its SHA-256 with the one `write` returned (the manifest's):
 * the end-to-end check that what the storage holds is what was written.
 */
export async function verifyObject(storage: Storage, key: string, sha256: string): Promise<void> {
  const actual = await digestObject(storage, key);
  if (actual.sha256 !== sha256) throw new StorageIntegrityError(key, storage.label, sha256, actual.sha256);
}
