import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PipelineStage } from './compression.js';
import { rootCause, timed, type Failure } from '../root-cause.js';

type Part = Readable | Writable | PipelineStage;

/**
 * Something that runs alongside the chain without being one of its streams: the dump tool whose
 * stdout starts it, the restore tool whose stdin ends it.
 */
export interface ChainCompanion {
  /** Settles when it is done; a rejection fails the chain. */
  readonly exited: Promise<unknown>;
  /** Stops it; called when any other part of the chain fails. */
  abort(): void;
}

export interface ChainOptions {
  signal?: AbortSignal;
  /**
   * What feeds the chain from upstream (the dump tool): its failure comes before any other when
   * the root cause is chosen.
   */
  source?: ChainCompanion;
  /** Downstream of the chain or beside it (the restore tool, a compressor fed directly). @defaultValue [] */
  companions?: ChainCompanion[];
}

function isStage(part: Part): part is PipelineStage {
  return (
    'exited' in part && 'readable' in part && 'writable' in part && typeof (part as PipelineStage).abort === 'function'
  );
}

/**
 * Streams `parts` from the first to the last, with back-pressure throughout. Each tool stage
 * splits the chain: everything before it is piped into its stdin, its stdout into everything
 * after it.
 *
 * Whatever fails first (a stream, a stage's process, a companion, the signal) tears the whole
 * chain down at once: every stream destroyed, every stage and companion aborted. Waiting for a
 * broken pipe to travel back instead is not enough: a tool that exits without closing its stdin
 * (or before anyone wrote to it) leaves the tools upstream blocked on output nobody reads.
 *
 * Settles only once every stream, stage process and companion has settled, so nothing is still
 * running when it returns; rejects with the root cause (`rootCause`), not a broken-pipe echo.
 */
export async function runChain(parts: Part[], options: ChainOptions = {}): Promise<void> {
  const { signal, source, companions = [] } = options;
  const segments: (Readable | Writable)[][] = [[]];
  const stages: PipelineStage[] = [];
  for (const part of parts) {
    const current = segments.at(-1)!;
    if (!isStage(part)) current.push(part);
    else {
      stages.push(part);
      if (part.readable === (part.writable as unknown)) current.push(part.readable);
      else {
        current.push(part.writable);
        segments.push([part.readable]);
      }
    }
  }

  let tornDown = false;
  const tearDown = (): void => {
    if (tornDown) return;
    tornDown = true;
    for (const stream of segments.flat()) stream.destroy();
    source?.abort();
    for (const stage of stages) stage.abort();
    for (const companion of companions) companion.abort();
  };
  const watch = (promise: Promise<unknown>): Promise<Failure | undefined> =>
    timed(promise).then((failure) => {
      if (failure) tearDown();
      return failure;
    });

  // The pipelines see the signal too, but only while they run: a restore tool still applying the
  // last of its input after the streams ended must be stopped as well.
  let aborted: Failure | undefined;
  const onAbort = (): void => {
    aborted ??= { error: abortError(signal?.reason), at: performance.now() };
    tearDown();
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  // Pipeline order for the root cause: the source, the streams, the stages, the rest.
  const [sourceFailure, ...failures] = await Promise.all([
    source ? watch(source.exited) : undefined,
    ...segments.map((segment) => watch(pipeline(segment, signal ? { signal } : {}))),
    ...stages.map((stage) => watch(stage.exited)),
    ...companions.map((companion) => watch(companion.exited)),
  ]).finally(() => signal?.removeEventListener('abort', onAbort));
  const cause = rootCause([aborted, sourceFailure, ...failures]);
  if (cause !== undefined) throw cause;
}

/** What `pipeline` rejects with when its signal aborts, for callers that tell the two apart by name. */
function abortError(reason: unknown): Error {
  return Object.assign(new Error('The operation was aborted', { cause: reason }), {
    name: 'AbortError',
    code: 'ABORT_ERR',
  });
}

/**
 * Aborts what was started so far when setting up a chain fails half way (a target refusing its
 * credentials after the decompressor was spawned), and waits until all of it has exited.
 */
export async function abandon(parts: {
  streams?: (Readable | Writable)[];
  stages?: PipelineStage[];
  companions?: ChainCompanion[];
}): Promise<void> {
  for (const stream of parts.streams ?? []) stream.destroy();
  const running = [...(parts.stages ?? []), ...(parts.companions ?? [])];
  for (const part of running) part.abort();
  await Promise.allSettled(running.map((part) => part.exited));
}
