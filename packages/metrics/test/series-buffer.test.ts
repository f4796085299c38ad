import { describe, expect, it } from 'vitest';
import { SeriesBuffer } from '../src/series-buffer.js';

const delta = (field: string, value = 1) => ({ key: 'k', field, delta: value, float: false });

describe('SeriesBuffer', () => {
  it('keeps counting into known fields past the bound, and drops only observations needing new ones', () => {
    const buffer = new SeriesBuffer(2);
    expect(buffer.add([delta('a'), delta('b')])).toBe(true);
    for (let i = 0; i < 1000; i++) expect(buffer.add([delta('a'), delta('b')])).toBe(true);
    expect(buffer.add([delta('a'), delta('c')])).toBe(false);
    expect(buffer.size).toBe(2);
    expect(buffer.droppedCount).toBe(1);
    const snapshot = buffer.take();
    expect(snapshot.deltas).toEqual([delta('a', 1001), delta('b', 1001)]);
    expect(snapshot.dropped).toBe(1);
  });

  it('counts a snapshot being written against the bound until it is settled', () => {
    const buffer = new SeriesBuffer(2);
    buffer.add([delta('a'), delta('b')]);
    const inFlight = buffer.take();
    expect(buffer.size).toBe(0);
    expect(buffer.add([delta('c')])).toBe(false);
    buffer.settle(inFlight);
    expect(buffer.add([delta('c')])).toBe(true);
    expect(buffer.reserve([delta('d'), delta('e')])).toBeUndefined();
    expect(buffer.droppedCount).toBe(2);
  });
});

describe('SeriesNameCache', () => {
  it('names each label set once, keeps label sets apart, and survives being cleared', async () => {
    const { SeriesNameCache } = await import('../src/series-names.js');
    const cache = new SeriesNameCache([0.1, 1], 2);
    const a = cache.get(['/a', 'GET', '200']);
    expect(cache.get(['/a', 'GET', '200'])).toBe(a);
    expect(a.labels).toBe('["/a","GET","200"]');
    expect(a.bucket(2)).toBe('["/a","GET","200"]\tle=+Inf');
    expect(a.sum).toBe('["/a","GET","200"]\tsum');
    // Label values that would collide if joined naively stay distinct.
    expect(cache.get(['a', 'b']).labels).not.toBe(cache.get(['a\u0000b']).labels);
    expect(cache.get(['/a', 'GET', '200']).labels).toBe(a.labels);
  });
});
