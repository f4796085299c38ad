import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

/**
 * Counts the bytes that pass and, when asked, hashes them on the way, without holding any:
 * each chunk goes straight on, so back-pressure is the downstream's.
 */
export class ByteMeter extends Transform {
  bytes = 0;
  private readonly hash: Hash | undefined;

  constructor(options: { sha256?: boolean } = {}) {
    super();
    this.hash = options.sha256 ? createHash('sha256') : undefined;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    this.hash?.update(chunk);
    callback(null, chunk);
  }

  /** Hex SHA-256 of everything that passed; call once, after the stream finished. */
  digest(): string {
    if (!this.hash) throw new Error('ByteMeter was created without sha256');
    return this.hash.digest('hex');
  }
}
