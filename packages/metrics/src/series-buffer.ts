/**
 * The in-process buffer of writes not yet in Redis.
 *
 * Memory is bounded by the number of distinct (hash, field) pairs, not by traffic: a delta for a
 * field already held only changes a number. While Redis is away the buffer keeps accumulating
 * into the fields it has, so counts stay exact for every series it already knows; an observation
 * that needs a field beyond the bound is dropped whole and counted in `dropped`.
 */

/**
 * What a flush does with a slot's value in Redis: `i` adds it (HINCRBY), `f` adds a fraction
 * (HINCRBYFLOAT), `s` replaces the stored value, `x` keeps the larger of the two, `n` the smaller.
 */
export type SlotOp = 'i' | 'f' | 's' | 'x' | 'n';

/**
 * One (hash, field) pair, created once per series by the name cache. It also carries its own
 * pending delta, so that adding an observation touches only the slots themselves: no map is
 * looked up or hashed on the request path. A slot belongs to the one buffer of the store whose
 * cache made it. Should the cache be rebuilt, a second slot for the same field only means two
 * increments of it in one flush.
 */
export class Slot {
  /**
   * Adding slots: the delta not yet taken. Setting slots: the value to write (a process's own
   * gauge keeps its value here between flushes). Owned by the buffer and the family using the slot.
   */
  delta = 0;
  /** Whether the slot is in its buffer's list: owned by the buffer. */
  held = false;
  /** When a stamped slot was last set (ms since the epoch); 0 until then. */
  at = 0;

  constructor(
    readonly key: string,
    readonly field: string,
    readonly op: SlotOp = 'i',
    /** Written as `<value> <at>`, for a gauge whose latest value across processes wins. */
    readonly stamped = false,
  ) {}
}

/** One write of a snapshot: what `op` does to `field` of hash `key` with `value`. */
export interface BufferedDelta {
  readonly key: string;
  readonly field: string;
  readonly op: SlotOp;
  readonly value: number | string;
}

export interface BufferSnapshot {
  readonly deltas: BufferedDelta[];
  /** Observations dropped because the buffer was full. */
  readonly dropped: number;
  /** Observations dropped because their family had reached its cap on label sets. */
  readonly droppedCardinality: number;
}

const adds = (op: SlotOp): boolean => op === 'i' || op === 'f';

export class SeriesBuffer {
  /** The slots with a delta since the last take. */
  private held: Slot[] = [];
  /** Fields taken by writes still in flight: they may come back, so they count against the bound. */
  private inFlight = 0;
  private droppedSinceTake = 0;
  private cardinalitySinceTake = 0;
  private droppedTotal = 0;

  constructor(private readonly maxFields: number) {}

  /** Distinct fields held. */
  get size(): number {
    return this.held.length;
  }

  /** Observations dropped since this process started, for either reason (also sent to Redis). */
  get droppedCount(): number {
    return this.droppedTotal;
  }

  get isEmpty(): boolean {
    return this.held.length === 0 && this.droppedSinceTake === 0 && this.cardinalitySinceTake === 0;
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

  /** Adds `amount` to one adding slot (a counter's `inc`); false (and counted) when there is no room. */
  addTo(slot: Slot, amount: number): boolean {
    if (!slot.held) {
      if (this.held.length + this.inFlight >= this.maxFields) {
        this.drop();
        return false;
      }
      this.hold(slot);
    }
    slot.delta += amount;
    return true;
  }

  /**
   * Holds a setting slot, whose new value the caller puts in `delta` (combining it with the value
   * still held, when the slot was held already); false (and counted) when there is no room.
   */
  mark(slot: Slot): boolean {
    if (slot.held) return true;
    if (this.held.length + this.inFlight >= this.maxFields) {
      this.drop();
      return false;
    }
    this.hold(slot);
    return true;
  }

  /**
   * Holds slots whatever the bound: a process's own gauges, written again in full before their
   * TTL runs out. Their values are in memory already, so this adds no memory.
   */
  holdAll(slots: Iterable<Slot>): void {
    for (const slot of slots) this.hold(slot);
  }

  /** An observation a family refused (its cap on label sets was reached). */
  dropForCardinality(): void {
    this.cardinalitySinceTake++;
    this.droppedTotal++;
  }

  /**
   * For write-every-observation mode: one observation as a snapshot of its own, counted
   * against the bound until `settle`; undefined (and counted as dropped) when there is no room.
   */
  reserve(counted: Slot, alsoCounted?: Slot, sum?: Slot, amount = 0): BufferSnapshot | undefined {
    const deltas: BufferedDelta[] = [{ key: counted.key, field: counted.field, op: counted.op, value: 1 }];
    if (alsoCounted) deltas.push({ key: alsoCounted.key, field: alsoCounted.field, op: alsoCounted.op, value: 1 });
    if (sum) deltas.push({ key: sum.key, field: sum.field, op: sum.op, value: amount });
    return this.reserveDeltas(deltas);
  }

  /** Write-every-observation mode for one slot: `value` is the delta (adding) or the value (setting). */
  reserveOne(slot: Slot, value: number): BufferSnapshot | undefined {
    return this.reserveDeltas([{ key: slot.key, field: slot.field, op: slot.op, value: format(slot, value) }]);
  }

  private reserveDeltas(deltas: BufferedDelta[]): BufferSnapshot | undefined {
    if (this.held.length + this.inFlight + deltas.length > this.maxFields) {
      this.drop();
      return undefined;
    }
    this.inFlight += deltas.length;
    return { deltas, dropped: 0, droppedCardinality: 0 };
  }

  /** Takes everything buffered, leaving the buffer empty. */
  take(): BufferSnapshot {
    const deltas: BufferedDelta[] = [];
    for (const slot of this.held) {
      deltas.push({ key: slot.key, field: slot.field, op: slot.op, value: format(slot, slot.delta) });
      // A setting slot keeps its value: a process's own gauge is written again in full later.
      if (adds(slot.op)) slot.delta = 0;
      slot.held = false;
    }
    const snapshot = { deltas, dropped: this.droppedSinceTake, droppedCardinality: this.cardinalitySinceTake };
    this.inFlight += deltas.length;
    this.held = [];
    this.droppedSinceTake = 0;
    this.cardinalitySinceTake = 0;
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

function format(slot: Slot, value: number): number | string {
  return slot.stamped ? `${value} ${slot.at}` : value;
}
