import { describe, expect, it } from 'vitest';
import { createProfiler } from '../src/index.js';

describe('sampling decision', () => {
  it('chooses about the configured fraction, separately for requests and jobs', async () => {
    const profiler = createProfiler({ directory: '/nonexistent/never-written', rate: 0.1, taskRate: 0.5 });
    const draws = 50_000;
    let requests = 0;
    let tasks = 0;
    for (let i = 0; i < draws; i++) {
      if (profiler.shouldSample('request')) requests++;
      if (profiler.shouldSample('task')) tasks++;
    }
    // Binomial: the standard deviation at 0.1 is ~67 draws; ±6σ never fails by chance.
    expect(Math.abs(requests - 0.1 * draws)).toBeLessThan(400);
    expect(Math.abs(tasks - 0.5 * draws)).toBeLessThan(700);
    expect(profiler.stats().sessionsOpened).toBe(0);
    await profiler.close();
  });

  it('never chooses at 0 and always at 1', async () => {
    const never = createProfiler({ directory: '/nonexistent/never-written', rate: 0 });
    const always = createProfiler({ directory: '/nonexistent/never-written', rate: 1 });
    let chosenAtZero = 0;
    let chosenAtOne = 0;
    for (let i = 0; i < 10_000; i++) {
      if (never.shouldSample('request') || never.shouldSample('task')) chosenAtZero++;
      if (always.shouldSample('request')) chosenAtOne++;
    }
    expect(chosenAtZero).toBe(0);
    expect(chosenAtOne).toBe(10_000);
    await never.close();
    await always.close();
    // A closed profiler (shutting down) starts nothing new.
    expect(always.shouldSample('request')).toBe(false);
  });
});
