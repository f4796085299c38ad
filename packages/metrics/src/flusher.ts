import { randomUUID } from 'node:crypto';
import { errorMessage } from '@keepwatch/errors';
import type { MetricsLogger } from './logger.js';
import type { BufferSnapshot, SeriesBuffer, Slot } from './series-buffer.js';

export interface FlusherOptions {
  buffer: SeriesBuffer;
  /** Applies a snapshot under a claim key at most once (see redis-writer.ts). */
  write: (claimKey: string, forget: readonly string[], snapshot: BufferSnapshot) => Promise<unknown>;
  /** Deletes claims of applied snapshots (on close, when no later write will carry them). */
  release: (claimKeys: readonly string[]) => Promise<unknown>;
  /** The claim key of a snapshot id. */
  claimKey: (id: string) => string;
  /** Whether a flush has something to write even with the buffer empty (families' metadata). */
  due?: () => boolean;
  /** 0: every observation is written at once while Redis answers. */
  intervalMs: number;
  logger: MetricsLogger;
}

interface Pending {
  claimKey: string;
  snapshot: BufferSnapshot;
}

/** How often write-every-observation mode retries what failed while Redis was away. */
const retryMs = 1000;

/**
 * Most writes in one script call. A snapshot of 100 000 series as one call passed 400 000
 * arguments through a JavaScript spread, which overflows the call stack ("Maximum call stack size
 * exceeded", for good: the same snapshot was retried unchanged), and would hold Redis for the
 * whole script; 5 000 writes are a few milliseconds of Redis each. Each part has a claim of its
 * own, so each still lands once.
 */
export const maxDeltasPerWrite = 5000;

/** A snapshot as parts of at most `maxDeltasPerWrite` writes; the dropped counts go with the first. */
export function snapshotParts(snapshot: BufferSnapshot, size = maxDeltasPerWrite): BufferSnapshot[] {
  if (snapshot.deltas.length <= size) return [snapshot];
  const parts: BufferSnapshot[] = [];
  for (let start = 0; start < snapshot.deltas.length; start += size) {
    const first = start === 0;
    parts.push({
      deltas: snapshot.deltas.slice(start, start + size),
      dropped: first ? snapshot.dropped : 0,
      droppedCardinality: first ? snapshot.droppedCardinality : 0,
    });
  }
  return parts;
}

/**
 * Moves the buffer to Redis: on a timer, on demand (a scrape, shutdown), or per observation
 * when the interval is 0. A snapshot whose write failed is kept as it is, under its claim, and
 * sent again before anything newer, so a write that did land but lost its reply is not counted
 * twice. Nothing here ever rejects: a metrics outage must never reach the app.
 */
export class Flusher {
  private readonly timer: NodeJS.Timeout;
  private current: Promise<boolean> | undefined;
  private readonly pending: Pending[] = [];
  private readonly immediate = new Set<Promise<void>>();
  /** Claims of applied snapshots, deleted in Redis by the next write. */
  private forget: string[] = [];
  private failing = false;

  constructor(private readonly options: FlusherOptions) {
    this.timer = setInterval(() => {
      // A tick while a flush hangs (Redis silent) would only queue more of the same.
      if (!this.current) void this.flush();
    }, options.intervalMs || retryMs);
    this.timer.unref();
  }

  /**
   * Adds an observation (1 to `counted` and `alsoCounted`, `amount` to `sum`); in
   * write-every-observation mode, while Redis answers, sends it now.
   */
  record(counted: Slot, alsoCounted?: Slot, sum?: Slot, amount = 0): void {
    const { buffer } = this.options;
    if (this.buffering) {
      buffer.add(counted, alsoCounted, sum, amount);
      return;
    }
    const snapshot = buffer.reserve(counted, alsoCounted, sum, amount);
    if (snapshot) this.sendNow(snapshot);
  }

  /** Adds `amount` to an adding slot (a counter), or sends it at once in write-every-observation mode. */
  recordAmount(slot: Slot, amount: number): void {
    const { buffer } = this.options;
    if (this.buffering) {
      buffer.addTo(slot, amount);
      return;
    }
    const snapshot = buffer.reserveOne(slot, amount);
    if (snapshot) this.sendNow(snapshot);
  }

  /**
   * Writes `value` to a setting slot (a gauge): `combine` merges it with a value still held from
   * before the last flush (the larger of the two, say); in write-every-observation mode Redis
   * does that. A process's own gauge has put its new value in the slot already (`own`).
   */
  recordSet(slot: Slot, value: number, combine: (held: number, value: number) => number, own: boolean): void {
    const { buffer } = this.options;
    if (this.buffering) {
      const held = slot.held;
      if (buffer.mark(slot) && !own) slot.delta = held ? combine(slot.delta, value) : value;
      return;
    }
    const snapshot = buffer.reserveOne(slot, value);
    if (snapshot) this.sendNow(snapshot);
  }

  /** Whether observations go to the buffer (they do unless every observation is written at once and Redis answers). */
  private get buffering(): boolean {
    return this.options.intervalMs > 0 || this.failing || this.pending.length > 0;
  }

  private sendNow(snapshot: BufferSnapshot): void {
    const write = this.send({ claimKey: this.options.claimKey(randomUUID()), snapshot }).then(() => undefined);
    this.immediate.add(write);
    void write.finally(() => this.immediate.delete(write));
  }

  /**
   * Sends what failed before, then everything buffered, after any flush in flight; resolves
   * true when it all reached Redis, false when some of it is still waiting.
   */
  flush(): Promise<boolean> {
    const run = async (): Promise<boolean> => {
      // Per-observation writes in flight may fail into `pending`: wait for them first.
      await Promise.all([...this.immediate]);
      if (!(await this.sendPending())) return false;
      if (this.options.buffer.isEmpty && !this.options.due?.()) return true;
      for (const snapshot of snapshotParts(this.options.buffer.take())) {
        this.pending.push({ claimKey: this.options.claimKey(randomUUID()), snapshot });
      }
      return this.sendPending();
    };
    const next = (this.current ?? Promise.resolve(true)).then(run);
    this.current = next;
    void next.then(() => {
      if (this.current === next) this.current = undefined;
    });
    return next;
  }

  /**
   * Stops the timer and makes a last flush, then deletes the claims it leaves; resolves true when
   * everything reached Redis. Not bounded here: the store bounds its whole close by one deadline.
   */
  async close(): Promise<boolean> {
    clearInterval(this.timer);
    const flushed = await this.flush();
    const forget = this.forget.splice(0);
    if (forget.length > 0) await this.options.release(forget).catch(() => undefined);
    return flushed;
  }

  /** Sends what waits, oldest first; stops (false) at the first that does not reach Redis. */
  private async sendPending(): Promise<boolean> {
    while (this.pending.length > 0) {
      if (!(await this.send(this.pending.shift()!))) return false;
    }
    return true;
  }

  private async send(item: Pending): Promise<boolean> {
    const forget = this.forget.splice(0);
    try {
      await this.options.write(item.claimKey, forget, item.snapshot);
      this.options.buffer.settle(item.snapshot);
      this.forget.push(item.claimKey);
      if (this.failing && this.pending.length === 0) {
        this.failing = false;
        this.options.logger.info({ buffered: this.options.buffer.size }, 'metrics: Redis reachable again');
      }
      return true;
    } catch (error) {
      this.forget.push(...forget);
      // Back in front of the queue, unchanged: its claim makes a second delivery harmless.
      this.pending.unshift(item);
      if (!this.failing) {
        this.failing = true;
        // Once per outage: a log line per second per process would bury the cause.
        this.options.logger.warn(
          { err: errorMessage(error), buffered: this.options.buffer.size },
          'metrics: cannot write to Redis, keeping observations in memory',
        );
      }
      return false;
    }
  }
}
