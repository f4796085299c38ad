import type { CpuProfile, CpuProfileCallFrame } from './cpu-profile.js';
import { ProfileFilterError, ProfileFormatError } from './errors.js';
import type { ProfileEntry } from './list-profiles.js';
import { readProfile } from './read-profile.js';

export interface TopFunctionsOptions {
  /** How many functions to return, heaviest first. @defaultValue 20 */
  limit?: number;
}

/** One function's time added up over the chosen profiles. */
export interface TopFunction {
  /** `(anonymous)` for a function without a name. */
  functionName: string;
  /** Script URL; empty for V8's own entries such as `(garbage collector)`. */
  url: string;
  /** 1-based, as editors show it; undefined when V8 gives none. */
  line: number | undefined;
  /** 1-based. */
  column: number | undefined;
  /** Time with this function on top of the stack (pstats' tottime). */
  selfMs: number;
  /** Time with this function anywhere on the stack, recursion counted once (pstats' cumtime). */
  totalMs: number;
  /** selfMs as a fraction of all non-idle sampled time. */
  selfShare: number;
  /** In how many of the profiles it was seen. */
  profiles: number;
}

export interface TopFunctionsReport {
  /** Profiles read and added up. */
  profiles: number;
  /**
   * Profiles left out because they could not be read: deleted by the quota between listing and
   * reading (a busy server evicts all the time), or damaged. One bad file does not hide the rest.
   */
  unreadable: { file: string; reason: string }[];
  /** Sampled time while the process was busy. */
  busyMs: number;
  /** Sampled time while the process waited (`(idle)`), left out of the ranking. */
  idleMs: number;
  functions: TopFunction[];
}

// `(root)` is the tree's root and never runs; `(idle)` is waiting, which says nothing about
// which code is slow. `(program)` and `(garbage collector)` are real work and stay.
const leftOut = new Set(['(root)', '(idle)']);

interface Tally {
  frame: CpuProfileCallFrame;
  selfUs: number;
  totalUs: number;
  profiles: number;
}

/**
 * Adds up self time per function across profiles and returns the heaviest first, the way
 * Python's pstats sorts by tottime. Accepts entries from `listProfiles` (read one at a time,
 * so memory holds one profile) or profiles already in memory.
 */
export async function topFunctions(
  profiles: ReadonlyArray<ProfileEntry | CpuProfile>,
  options: TopFunctionsOptions = {},
): Promise<TopFunctionsReport> {
  const limit = options.limit ?? 20;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new ProfileFilterError('limit', `must be a whole number above 0, got ${String(limit)}`);
  }
  const tallies = new Map<string, Tally>();
  let busyUs = 0;
  let idleUs = 0;
  let read = 0;
  const unreadable: TopFunctionsReport['unreadable'] = [];
  for (const item of profiles) {
    let profile: CpuProfile;
    try {
      profile = 'nodes' in item ? item : await readProfile(item.path);
    } catch (error) {
      if (!(error instanceof ProfileFormatError) || 'nodes' in item) throw error;
      const code = (error.cause as NodeJS.ErrnoException | undefined)?.code;
      unreadable.push({ file: item.file, reason: code === 'ENOENT' ? 'deleted since it was listed' : error.message });
      continue;
    }
    read += 1;
    const result = addProfile(profile, tallies);
    busyUs += result.busyUs;
    idleUs += result.idleUs;
  }
  const functions = [...tallies.values()]
    .filter((tally) => tally.selfUs > 0)
    .sort((a, b) => b.selfUs - a.selfUs || b.totalUs - a.totalUs)
    .slice(0, limit)
    .map(
      (tally): TopFunction => ({
        functionName: tally.frame.functionName || '(anonymous)',
        url: tally.frame.url,
        line: tally.frame.lineNumber >= 0 ? tally.frame.lineNumber + 1 : undefined,
        column: tally.frame.columnNumber >= 0 ? tally.frame.columnNumber + 1 : undefined,
        selfMs: tally.selfUs / 1000,
        totalMs: tally.totalUs / 1000,
        selfShare: busyUs > 0 ? tally.selfUs / busyUs : 0,
        profiles: tally.profiles,
      }),
    );
  return { profiles: read, unreadable, busyMs: busyUs / 1000, idleMs: idleUs / 1000, functions };
}

function keyOf(frame: CpuProfileCallFrame): string {
  return `${frame.functionName}\u0000${frame.url}\u0000${frame.lineNumber}\u0000${frame.columnNumber}`;
}

function addProfile(profile: CpuProfile, tallies: Map<string, Tally>): { busyUs: number; idleUs: number } {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);

  // A sample lasts until the next one, the last until endTime, as Chrome DevTools counts it.
  const selfUsByNode = new Map<number, number>();
  let time = profile.startTime;
  const times = profile.timeDeltas.map((delta) => (time += delta));
  for (let i = 0; i < profile.samples.length; i++) {
    const next = i + 1 < times.length ? times[i + 1]! : profile.endTime;
    const duration = Math.max(0, next - times[i]!);
    const id = profile.samples[i]!;
    selfUsByNode.set(id, (selfUsByNode.get(id) ?? 0) + duration);
  }

  let busyUs = 0;
  let idleUs = 0;
  const seenHere = new Set<string>();
  for (const [id, selfUs] of selfUsByNode) {
    const node = byId.get(id);
    if (node === undefined) continue;
    if (leftOut.has(node.callFrame.functionName) && node.callFrame.url === '') {
      if (node.callFrame.functionName === '(idle)') idleUs += selfUs;
      continue;
    }
    busyUs += selfUs;
    tallyOf(tallies, node.callFrame, seenHere).selfUs += selfUs;
    // Inclusive time: every distinct function on this stack, once even if it recurses.
    const onStack = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) {
      const frame = byId.get(at)?.callFrame;
      if (frame === undefined || (leftOut.has(frame.functionName) && frame.url === '')) continue;
      const key = keyOf(frame);
      if (onStack.has(key)) continue;
      onStack.add(key);
      tallyOf(tallies, frame, seenHere).totalUs += selfUs;
    }
  }
  return { busyUs, idleUs };
}

function tallyOf(tallies: Map<string, Tally>, frame: CpuProfileCallFrame, seenHere: Set<string>): Tally {
  const key = keyOf(frame);
  let tally = tallies.get(key);
  if (tally === undefined) {
    tally = { frame, selfUs: 0, totalUs: 0, profiles: 0 };
    tallies.set(key, tally);
  }
  if (!seenHere.has(key)) {
    seenHere.add(key);
    tally.profiles += 1;
  }
  return tally;
}
