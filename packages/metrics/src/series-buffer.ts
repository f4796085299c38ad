/**
 * The in-process buffer of deltas not yet in Redis.
 *
 * Memory is bounded by the number of distinct (hash, field) pairs, not by traffic: a delta for a
 * field already held only changes a number. While Redis is away the buffer keeps accumulating
 * into the fields it has, so counts stay exact for every series it already knows; an observation
 * that needs a field beyond the bound is dropped whole and counted in `dropped`.
 */

/**
 * One (hash, field) pair, created once per series by the name cache. It also carries its own
 * pending delta, so that adding an observation touches only the slots themselves: no map is
 * looked up or hashed on the request path. A slot belongs to the one buffer of the store whose
 * cache made it. Should the cache be rebuilt, a second slot for the same field only means two
 * increments of it in one flush.
 */
export class Slot {
  /** The delta not yet taken, and whether this slot is in its buffer's list: owned by the buffer. */
  delta = 0;
  held = false;

  constructor(
    readonly key: string,
    readonly field: string,
    /** true when deltas may be fractional (histogram sums): sent with HINCRBYFLOAT. */
    readonly float: boolean,
  ) {}
}

export interface BufferedDelta {
  readonly key: string;
  readonly field: string;
  readonly delta: number;
  readonly float: boolean;
}

export interface BufferSnapshot {
  readonly deltas: BufferedDelta[];
  readonly dropped: number;
}

export class SeriesBuffer {
  /** The slots with a delta since the last take. */
  private held: Slot[] = [];
  /** Fields taken by writes still in flight: they may come back, so they count against the bound. */
  private inFlight = 0;
  private droppedSinceTake = 0;
  private droppedTotal = 0;

  constructor(private readonly maxFields: number) {}

  /** Distinct fields held. */
  get size(): number {
    return this.held.length;
  }

  /** Observations dropped since this process started (also sent to Redis as a counter). */
  get droppedCount(): number {
    return this.droppedTotal;
  }

  get isEmpty(): boolean {
    return this.held.length === 0 && this.droppedSinceTake === 0;
  }

  /**
   * Adds one observation, all or none (a request's counter and histogram must not disagree
   * because only half of it fitted): 1 to `counted` and `alsoCounted`, `amount` to `sum`.
   * Positional rather than an array: this runs on every request and allocates nothing.
   */
  add(counted: Slot, alsoCounted?: Slot, sum?: Slot, amount = 0): boolean {
    const newFields =
      (counted.held ? 0 : 1) +
      (alsoCounted === undefined || alsoCounted.held ? 0 : 1) +
      (sum === undefined || sum.held ? 0 : 1);
    if (newFields > 0) {
      if (this.held.length + this.inFlight + newFields > this.maxFields) {
        this.drop();
        return false;
      }
      this.hold(counted);
      if (alsoCounted !== undefined) this.hold(alsoCounted);
      if (sum !== undefined) this.hold(sum);
    }
    counted.delta += 1;
    if (alsoCounted !== undefined) alsoCounted.delta += 1;
    if (sum !== undefined) sum.delta += amount;
    return true;
  }

  /**
   * For write-every-observation mode: one observation as a snapshot of its own, counted
   * against the bound until `settle`; undefined (and counted as dropped) when there is no room.
   */
  reserve(counted: Slot, alsoCounted?: Slot, sum?: Slot, amount = 0): BufferSnapshot | undefined {
    const deltas: BufferedDelta[] = [{ key: counted.key, field: counted.field, delta: 1, float: counted.float }];
    if (alsoCounted)
      deltas.push({ key: alsoCounted.key, field: alsoCounted.field, delta: 1, float: alsoCounted.float });
    if (sum) deltas.push({ key: sum.key, field: sum.field, delta: amount, float: sum.float });
    if (this.held.length + this.inFlight + deltas.length > this.maxFields) {
      this.drop();
      return undefined;
    }
    this.inFlight += deltas.length;
    return { deltas, dropped: 0 };
  }

  /** Takes everything buffered, leaving the buffer empty. */
  take(): BufferSnapshot {
    const deltas: BufferedDelta[] = [];
    for (const slot of this.held) {
      deltas.push({ key: slot.key, field: slot.field, delta: slot.delta, float: slot.float });
      slot.delta = 0;
      slot.held = false;
    }
    const snapshot = { deltas, dropped: this.droppedSinceTake };
    this.inFlight += deltas.length;
    this.held = [];
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

  private hold(slot: Slot): void {
    if (slot.held) return;
    slot.held = true;
    this.held.push(slot);
  }

  private drop(): void {
    this.droppedSinceTake++;
    this.droppedTotal++;
  }
}
