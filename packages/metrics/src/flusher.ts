import { errorMessage } from '@keepwatch/errors';
import type { MetricsLogger } from './logger.js';
import type { BufferSnapshot, BufferedDelta, SeriesBuffer } from './series-buffer.js';

export interface FlusherOptions {
  buffer: SeriesBuffer;
  write: (snapshot: BufferSnapshot) => Promise<void>;
  /** 0: every observation is written at once. */
  intervalMs: number;
  logger: MetricsLogger;
}

/** How often write-every-observation mode retries what failed while Redis was away. */
const retryMs = 1000;

/**
 * Moves the buffer to Redis: on a timer, on demand (a scrape, shutdown), or per observation
 * when the interval is 0. One buffered flush is in flight at a time; a failed write goes back
 * into the buffer. Nothing here ever rejects: a metrics outage must never reach the app.
 */
export class Flusher {
  private readonly timer: NodeJS.Timeout;
  private current: Promise<boolean> | undefined;
  private readonly immediate = new Set<Promise<void>>();
  private failing = false;

  constructor(private readonly options: FlusherOptions) {
    this.timer = setInterval(() => {
      // A tick while a flush hangs (Redis silent) would only queue more of the same.
      if (!this.current) void this.flush();
    }, options.intervalMs || retryMs);
    this.timer.unref();
  }

  /** Adds an observation; in write-every-observation mode also sends it now. */
  record(deltas: BufferedDelta[]): void {
    const { buffer } = this.options;
    if (this.options.intervalMs > 0) {
      buffer.add(deltas);
      return;
    }
    const snapshot = buffer.reserve(deltas);
    if (!snapshot) return;
    const write = this.send(snapshot).then(() => undefined);
    this.immediate.add(write);
    void write.finally(() => this.immediate.delete(write));
  }

  /**
   * Sends everything buffered, after any flush in flight; resolves true when it all reached
   * Redis, false when it went back into the buffer.
   */
  flush(): Promise<boolean> {
    const run = async (): Promise<boolean> => {
      // Per-observation writes in flight may fail back into the buffer: wait for them first.
      await Promise.all([...this.immediate]);
      if (this.options.buffer.isEmpty) return true;
      return this.send(this.options.buffer.take());
    };
    const next = (this.current ?? Promise.resolve(true)).then(run);
    this.current = next;
    void next.then(() => {
      if (this.current === next) this.current = undefined;
    });
    return next;
  }

  /** Stops the timer and makes a last flush, waiting at most `timeoutMs`. */
  async close(timeoutMs: number): Promise<boolean> {
    clearInterval(this.timer);
    let timeout: NodeJS.Timeout | undefined;
    const deadline = new Promise<false>((resolve) => {
      timeout = setTimeout(() => resolve(false), timeoutMs);
    });
    try {
      return await Promise.race([this.flush(), deadline]);
    } finally {
      clearTimeout(timeout);
    }
  }

  private async send(snapshot: BufferSnapshot): Promise<boolean> {
    try {
      await this.options.write(snapshot);
      this.options.buffer.settle(snapshot);
      if (this.failing) {
        this.failing = false;
        this.options.logger.info({ buffered: this.options.buffer.size }, 'metrics: Redis reachable again, buffer flushed');
      }
      return true;
    } catch (error) {
      this.options.buffer.restore(snapshot);
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
