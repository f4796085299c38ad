import type { Readable } from 'node:stream';
import { DigestStream } from './digest-stream.js';

/** A write's input: the caller's body, counted and hashed on the way into the storage. */
export interface BodyIntake {
  /** What the storage reads: the body's bytes, unchanged. */
  readonly stream: DigestStream;
  /**
   * The body's own failure (an error it emitted, or its end before the end), if it failed before
   * the write was torn down; the caller gets this error back unchanged, not a storage error.
   */
  failure(): unknown;
  /** Tears both streams down; what the body does after this is not its failure. */
  dispose(): void;
}

/**
 * Connects `body` to a `DigestStream` by hand rather than with `pipeline`: `pipeline` destroys
 * every stream with the first error, so a storage that failed (disk full, a reset connection)
 * would make the body emit that same error, and it would pass for the body's own.
 */
export function takeIn(body: Readable, signal?: AbortSignal): BodyIntake {
  const stream = new DigestStream();
  let failure: unknown;
  let disposed = false;
  const fail = (error: unknown): void => {
    if (disposed) return;
    failure ??= error;
    stream.destroy(error as Error);
  };
  body.on('error', fail);
  body.once('close', () => {
    if (!body.readableEnded)
      fail(Object.assign(new Error('the body closed before its end'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }));
  });
  const onAbort = (): void => {
    if (!disposed) stream.destroy(signal!.reason as Error);
  };
  if (signal?.aborted) onAbort();
  else signal?.addEventListener('abort', onAbort, { once: true });
  body.pipe(stream);
  return {
    stream,
    failure: () => failure,
    dispose() {
      if (disposed) return;
      disposed = true;
      signal?.removeEventListener('abort', onAbort);
      body.unpipe(stream);
      body.destroy();
      stream.destroy();
    },
  };
}
