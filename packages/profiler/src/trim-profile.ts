import type { CpuProfile } from './cpu-profile.js';

/**
 * Cuts a profile down to the samples taken between `fromUs` and `toUs`.
 *
 * `Profiler.start` spends milliseconds logging the process's existing code and `Profiler.stop`
 * spends more building the profile; V8 samples both, so without this every profile would show
 * the profiler itself (the inspector's `dispatch`) among the heaviest functions. The bounds come
 * from `process.hrtime`, which reads the same monotonic clock as V8's profile timestamps; if a
 * platform ever differs, the bounds fall outside the profile and it is returned whole.
 */
export function trimProfile(profile: CpuProfile, fromUs: number, toUs: number): CpuProfile {
  const slackUs = 1_000_000;
  if (
    !(fromUs <= toUs) ||
    fromUs < profile.startTime - slackUs ||
    toUs > profile.endTime + slackUs ||
    fromUs > profile.endTime
  ) {
    return profile;
  }
  const start = Math.max(fromUs, profile.startTime);
  const end = Math.min(toUs, profile.endTime);
  const samples: number[] = [];
  const timeDeltas: number[] = [];
  let time = profile.startTime;
  let previous = start;
  for (let i = 0; i < profile.samples.length; i++) {
    time += profile.timeDeltas[i]!;
    if (time < start) continue;
    if (time > end) break;
    samples.push(profile.samples[i]!);
    timeDeltas.push(time - previous);
    previous = time;
  }
  const hits = new Map<number, number>();
  for (const id of samples) hits.set(id, (hits.get(id) ?? 0) + 1);
  return {
    ...profile,
    nodes: profile.nodes.map((node) => ({ ...node, hitCount: hits.get(node.id) ?? 0 })),
    startTime: start,
    endTime: end,
    samples,
    timeDeltas,
  };
}
