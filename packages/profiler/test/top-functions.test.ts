import { describe, expect, it } from 'vitest';
import { ProfileFilterError, formatTopTable, topFunctions } from '../src/index.js';
import { syntheticProfile } from './helpers/synthetic-profile.js';

describe('topFunctions', () => {
  it('adds self time per function across profiles, heaviest first, idle left out', async () => {
    const first = syntheticProfile([
      ['handler', 'parse'],
      ['handler', 'parse'],
      ['handler', 'render'],
      ['(idle)'],
      ['(garbage collector)'],
    ]);
    const second = syntheticProfile([['handler', 'render'], ['handler', 'render'], ['handler', 'render'], ['handler']]);
    const report = await topFunctions([first, second]);

    expect(report.profiles).toBe(2);
    expect(report.idleMs).toBe(1);
    expect(report.busyMs).toBe(8);
    expect(report.functions.map((f) => [f.functionName, f.selfMs, f.totalMs, f.profiles])).toEqual([
      ['render', 4, 4, 2],
      ['parse', 2, 2, 1],
      ['handler', 1, 7, 2],
      ['(garbage collector)', 1, 1, 1],
    ]);
    expect(report.functions[0]!.selfShare).toBeCloseTo(4 / 8);
    expect(report.functions[0]!).toMatchObject({ url: 'file:///app/dist/app.js', line: 7, column: 5 });
    expect(report.functions[3]!).toMatchObject({ url: '', line: undefined });
  });

  it('counts a recursive function once per sample in its total time', async () => {
    const profile = syntheticProfile([
      ['walk', 'walk', 'walk'],
      ['walk', 'walk'],
      ['walk', 'leaf'],
    ]);
    const report = await topFunctions([profile]);
    const walk = report.functions.find((f) => f.functionName === 'walk')!;
    expect(walk.selfMs).toBe(2);
    expect(walk.totalMs).toBe(3);
  });

  it('keeps to the limit and rejects a bad one', async () => {
    const profile = syntheticProfile([['a'], ['b'], ['b'], ['c'], ['c'], ['c']]);
    const report = await topFunctions([profile], { limit: 2 });
    expect(report.functions.map((f) => f.functionName)).toEqual(['c', 'b']);
    await expect(topFunctions([profile], { limit: 0 })).rejects.toBeInstanceOf(ProfileFilterError);
  });

  it('prints a table a person can read, heaviest first', async () => {
    const profile = syntheticProfile([
      ['handler', 'render'],
      ['handler', 'render'],
      ['handler', 'parse'],
    ]);
    const text = formatTopTable(await topFunctions([profile]));
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('1 profile, 3.0 ms busy (0.0 ms idle left out)');
    expect(lines[2]).toMatch(/^\s*self ms\s+self %\s+total ms\s+profiles\s+function\s+location$/);
    expect(lines[3]).toMatch(/^\s*2\.0\s+66\.7%\s+2\.0\s+1\s+render\s+\/app\/dist\/app\.js:7:5$/);
    expect(lines[4]).toMatch(/parse/);
    expect(formatTopTable(await topFunctions([]))).toContain('no samples');
  });
});
