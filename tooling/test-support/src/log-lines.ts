import { Writable } from 'node:stream';

/** What a logger wrote, parsed line by line as a log shipper reads it. */
export interface LogLines {
  /** Give it to the logger: `pino(options, stream)`, `createLogger({ destination: stream })`. */
  readonly stream: Writable;
  /** Every JSON line written so far, parsed; a line that is not JSON fails the write. */
  readonly lines: Record<string, unknown>[];
}

/**
 * A destination for a pino logger that keeps every line it is given, parsed: a test asserts on
 * what was really written (pino's own tests do the same with a sink stream), not on calls.
 */
export function logLines(): LogLines {
  const lines: Record<string, unknown>[] = [];
  let partial = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      const parts = (partial + chunk.toString()).split('\n');
      partial = parts.pop()!;
      try {
        for (const line of parts.filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
        callback();
      } catch (error) {
        callback(error as Error);
      }
    },
  });
  return { stream, lines };
}
