import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PipelineStage } from './compression.js';

type Part = Readable | Writable | PipelineStage;

function isStage(part: Part): part is PipelineStage {
  return 'exited' in part && 'readable' in part && 'writable' in part && typeof (part as PipelineStage).abort === 'function';
}

/**
 * Streams `parts` from the first to the last, with back-pressure throughout. Each tool stage
 * splits the chain: everything before it is piped into its stdin, its stdout into everything
 * after it. The first failure destroys every stream of every segment, so no tool is left
 * waiting on a pipe, and is what this rejects with.
 */
export async function runChain(parts: Part[], signal?: AbortSignal): Promise<void> {
  const segments: (Readable | Writable)[][] = [[]];
  for (const part of parts) {
    const current = segments.at(-1)!;
    if (!isStage(part)) current.push(part);
    else if (part.readable === (part.writable as unknown)) current.push(part.readable);
    else {
      current.push(part.writable);
      segments.push([part.readable]);
    }
  }
  const all = segments.flat();
  let failed = false;
  await Promise.all(
    segments.map((segment) =>
      pipeline(segment, signal ? { signal } : {}).catch((error: unknown) => {
        if (!failed) {
          failed = true;
          for (const stream of all) stream.destroy();
        }
        throw error;
      }),
    ),
  );
}
