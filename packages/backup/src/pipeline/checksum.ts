import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { ByteMeter } from './byte-meter.js';
import type { Destination } from '../catalog/destination.js';
import type { BackupManifest } from '../catalog/manifest.js';

export interface ChecksumResult {
  ok: boolean;
  expected: string;
  actual: string;
  storedBytes: number;
}

/** Reads the stored file once and compares its SHA-256 (and size) with the manifest. */
export async function checkChecksum(
  destination: Destination,
  manifest: BackupManifest,
  signal?: AbortSignal,
): Promise<ChecksumResult> {
  const meter = new ByteMeter({ sha256: true });
  const sink = new Writable({ write: (_chunk, _encoding, callback) => callback() });
  await pipeline(await destination.openFile(manifest), meter, sink, signal ? { signal } : {});
  const actual = meter.digest();
  const expected = manifest.checksum.value;
  return {
    ok: actual === expected && meter.bytes === manifest.storedBytes,
    expected,
    actual,
    storedBytes: meter.bytes,
  };
}
