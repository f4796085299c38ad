/**
 * The in-process buffer of deltas not yet in Redis.
 *
 * Memory is bounded by the number of distinct (hash, field) pairs, not by traffic: a delta for a
 * field already held only changes a number. While Redis is away the buffer keeps accumulating
 * into the fields it has, so counts stay exact for every series it already knows; an observation
 * that needs a field beyond the bound is dropped whole and counted in `dropped`.
 */
export interface BufferedDelta {
  readonly key: string;
  readonly field: string;
  readonly delta: number;
  /** true when the delta may be fractional (histogram sums): sent with HINCRBYFLOAT. */
  readonly float: boolean;
}

export interface BufferSnapshot {
  readonly deltas: BufferedDelta[];
  readonly dropped: number;
}

interface Entry {
  delta: number;
  float: boolean;
}

export class SeriesBuffer {
  private readonly entries = new Map<string, Map<string, Entry>>();
  private fields = 0;
  /** Fields taken by writes still in flight: they may come back, so they count against the bound. */
  private inFlight = 0;
  private droppedSinceTake = 0;
  private droppedTotal = 0;

  constructor(private readonly maxFields: number) {}

  /** Distinct fields held. */
  get size(): number {
    return this.fields;
  }

  /** Observations dropped since this process started (also sent to Redis as a counter). */
  get droppedCount(): number {
    return this.droppedTotal;
  }

  get isEmpty(): boolean {
    return this.fields === 0 && this.droppedSinceTake === 0;
  }

  /**
   * Adds one observation's deltas, all or none: a request's counter and histogram must not
   * disagree because only half of it fitted.
   */
  add(deltas: readonly BufferedDelta[]): boolean {
    let newFields = 0;
    for (const d of deltas) if (!this.entries.get(d.key)?.has(d.field)) newFields++;
    if (this.fields + this.inFlight + newFields > this.maxFields) {
      this.drop();
      return false;
    }
    for (const d of deltas) this.put(d);
    return true;
  }

  /**
   * For write-every-observation mode: the observation's deltas as a snapshot of their own,
   * counted against the bound until `settle`; undefined (and counted as dropped)
   * when there is no room.
   */
  reserve(deltas: BufferedDelta[]): BufferSnapshot | undefined {
    if (this.fields + this.inFlight + deltas.length > this.maxFields) {
      this.drop();
      return undefined;
    }
    this.inFlight += deltas.length;
    return { deltas, dropped: 0 };
  }

  /** Takes everything buffered, leaving the buffer empty. */
  take(): BufferSnapshot {
    const deltas: BufferedDelta[] = [];
    for (const [key, fields] of this.entries) {
      for (const [field, entry] of fields) deltas.push({ key, field, delta: entry.delta, float: entry.float });
    }
    const snapshot = { deltas, dropped: this.droppedSinceTake };
    this.inFlight += deltas.length;
    this.entries.clear();
    this.fields = 0;
    this.droppedSinceTake = 0;
    return snapshot;
  }

  /**
   * A snapshot reached Redis: its fields no longer count against the bound. Until then (while
   * its write is retried) they do, so memory stays bounded during an outage.
   */
  settle(snapshot: BufferSnapshot): void {
    this.inFlight -= snapshot.deltas.length;
  }

  private drop(): void {
    this.droppedSinceTake++;
    this.droppedTotal++;
  }

  private put(d: BufferedDelta): void {
    let fields = this.entries.get(d.key);
    if (!fields) {
      fields = new Map();
      this.entries.set(d.key, fields);
    }
    const entry = fields.get(d.field);
    if (entry) {
      entry.delta += d.delta;
      entry.float ||= d.float;
    } else {
      fields.set(d.field, { delta: d.delta, float: d.float });
      this.fields++;
    }
  }
}
