import { Transform, type TransformCallback } from 'node:stream';

/**
 * Passes on `length` bytes after the first `skip` (all of them when `length` is unknown), drops
 * the rest, and fails instead of ending when fewer arrived.
 */
export class ByteWindow extends Transform {
  #position = 0;
  #passed = 0;
  constructor(
    private readonly skip: number,
    private readonly length: number | undefined,
    private readonly short: (got: number) => Error,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const start = Math.max(0, this.skip - this.#position);
    this.#position += chunk.length;
    const room = this.length === undefined ? chunk.length : this.length - this.#passed;
    const piece = chunk.subarray(start, start + Math.max(0, room));
    this.#passed += piece.length;
    callback(null, piece.length > 0 ? piece : undefined);
  }

  override _flush(callback: TransformCallback): void {
    callback(this.length !== undefined && this.#passed !== this.length ? this.short(this.#passed) : null);
  }
}
