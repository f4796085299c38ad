import { describe, expect, it } from 'vitest';
import { SeriesBuffer, Slot } from '../src/series-buffer.js';
import { SeriesSlotCache } from '../src/series-names.js';

const slot = (field: string, float = false) => new Slot('k', field, float ? 'f' : 'i');

describe('SeriesBuffer', () => {
  it('keeps counting into known fields past the bound, and drops only observations needing new ones', () => {
    const [a, b, c, sum] = [slot('a'), slot('b'), slot('c'), slot('s', true)];
    const buffer = new SeriesBuffer(3);
    for (let i = 0; i < 1000; i++) expect(buffer.add(a, b, sum, 0.5)).toBe(true);
    expect(buffer.add(a, c)).toBe(false);
    expect(buffer.size).toBe(3);
    expect(buffer.droppedCount).toBe(1);
    const snapshot = buffer.take();
    expect(snapshot.deltas).toEqual([
      { key: 'k', field: 'a', op: 'i', value: 1000 },
      { key: 'k', field: 'b', op: 'i', value: 1000 },
      { key: 'k', field: 's', op: 'f', value: 500 },
    ]);
    expect(snapshot.dropped).toBe(1);
    // Taken means gone: the next snapshot holds only what came after.
    buffer.settle(snapshot);
    expect(buffer.add(a)).toBe(true);
    expect(buffer.take().deltas).toEqual([{ key: 'k', field: 'a', op: 'i', value: 1 }]);
    expect(buffer.take().deltas).toEqual([]);
  });

  it('counts a snapshot being written against the bound until it is settled', () => {
    const [a, b, c] = [slot('a'), slot('b'), slot('c')];
    const buffer = new SeriesBuffer(2);
    buffer.add(a, b);
    const inFlight = buffer.take();
    expect(buffer.size).toBe(0);
    expect(buffer.add(c)).toBe(false);
    buffer.settle(inFlight);
    expect(buffer.add(c)).toBe(true);
    expect(buffer.reserve(a, b)).toBeUndefined();
    expect(buffer.droppedCount).toBe(2);
  });
});

describe('SeriesSlotCache', () => {
  it('gives each label set the same slots every time, distinct from every other label set', () => {
    const cache = new SeriesSlotCache('hash', [0.1, 1], 2);
    const first = cache.get(['/a', 'GET', '200']);
    expect(cache.get(['/a', 'GET', '200'])).toBe(first);
    expect(first.value).toMatchObject({ key: 'hash', field: '["/a","GET","200"]', op: 'i' });
    expect(first.bucket(2)).toMatchObject({ key: 'hash', field: '["/a","GET","200"]\tle=+Inf', op: 'i' });
    expect(first.bucket(2)).toBe(first.bucket(2));
    expect(first.sum).toMatchObject({ key: 'hash', field: '["/a","GET","200"]\tsum', op: 'f' });
    // Values that would collide if joined naively stay apart.
    expect(cache.get(['a', 'b']).value.field).not.toBe(cache.get(['a\u0000b']).value.field);
    // Past maxEntries it starts over: same fields, new slots (two increments of one field are still its sum).
    expect(cache.get(['/a', 'GET', '200']).value.field).toBe(first.value.field);
  });
});
