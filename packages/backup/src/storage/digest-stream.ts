import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

/** Passes bytes through unchanged, counting them and hashing them (SHA-256) on the way. */
export class DigestStream extends Transform {
  #hash: Hash = createHash('sha256');
  #bytes = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#hash.update(chunk);
    this.#bytes += chunk.length;
    callback(null, chunk);
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** Hex SHA-256 of everything that passed; call once, after the end. */
  digest(): string {
    return this.#hash.digest('hex');
  }
}
