import { describe, expect, it } from 'vitest';
import { BackupOptionsError } from '../../src/errors.js';
import { selectForRetention, type RetentionCandidate } from '../../src/retention/index.js';

/*
 * The expectations here are computed from the simulated calendar itself, not with the code under
 * test: each simulated backup knows its local date and time because the simulation made it from
 * them, weeks are counted as 7-day blocks from a Monday, and the Berlin offset comes from the EU
 * rule (last Sunday of March 01:00 UTC to last Sunday of October 01:00 UTC).
 */

interface SimBackup extends RetentionCandidate {
  localDay: string; // 2025-03-30
  week: number; // 7-day blocks since Monday 2024-12-30 (ISO 2025-W01)
  localMonth: string;
}

const DAY_MS = 86_400_000;
const FIRST_MONDAY = Date.UTC(2024, 11, 30);

function lastSunday(year: number, monthIndex: number): number {
  const last = new Date(Date.UTC(year, monthIndex + 1, 0));
  return last.getUTCDate() - last.getUTCDay();
}

/** Berlin's offset from UTC, in hours, at a local wall time that is neither skipped nor doubled. */
function berlinOffset(year: number, monthIndex: number, day: number, hour: number): number {
  const dstStart = lastSunday(year, 2);
  const dstEnd = lastSunday(year, 9);
  const afterStart = monthIndex > 2 || (monthIndex === 2 && (day > dstStart || (day === dstStart && hour >= 3)));
  const beforeEnd = monthIndex < 9 || (monthIndex === 9 && (day < dstEnd || (day === dstEnd && hour < 2)));
  return afterStart && beforeEnd ? 2 : 1;
}

/** A deterministic generator, so a failure reproduces. */
function lcg(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

const TIMES: [number, number][] = [
  [0, 30],
  [3, 0],
  [12, 0],
  [23, 30],
];

/** 420 days from 2025-01-01 in Berlin: gaps, a 12-day outage, 1 to 4 backups on a day. */
function simulate(): SimBackup[] {
  const random = lcg(42);
  const out: SimBackup[] = [];
  for (let n = 0; n < 420; n++) {
    const date = new Date(Date.UTC(2025, 0, 1) + n * DAY_MS);
    const [y, m, d] = [date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()];
    const localDay = `${y}-${String(m + 1).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
    // Both DST days have a backup just after local midnight (still the day before in UTC) and
    // one at noon.
    const dstDay = localDay === '2025-03-30' || localDay === '2025-10-26';
    const skipped = random() < 0.15;
    const times = TIMES.filter(() => random() < 0.55);
    if (dstDay) times.splice(0, times.length, TIMES[0]!, TIMES[2]!);
    else if ((n >= 200 && n < 212) || skipped) continue; // an outage, a missed day
    if (times.length === 0) times.push(TIMES[1]!);
    for (const [hour, minute] of times) {
      const offset = berlinOffset(y, m, d, hour);
      const finishedAt = new Date(Date.UTC(y, m, d, hour - offset, minute));
      out.push({
        id: `data-${localDay}-${String(hour).padStart(2, '0')}${String(minute).padStart(2, '0')}`,
        finishedAt,
        state: 'complete',
        localDay,
        week: Math.floor((Date.UTC(y, m, d) - FIRST_MONDAY) / (7 * DAY_MS)),
        localMonth: localDay.slice(0, 7),
      });
    }
  }
  return out;
}

/** The newest backup of each of the `count` most recent groups, grouping by `key`. */
function newestOfRecentGroups(backups: SimBackup[], key: (b: SimBackup) => string | number, count: number): string[] {
  const groups = new Map<string | number, SimBackup[]>();
  for (const b of backups) groups.set(key(b), [...(groups.get(key(b)) ?? []), b]);
  const newestFirst = [...groups.values()]
    .map((members) => members.reduce((a, b) => (b.finishedAt > a.finishedAt ? b : a)))
    .sort((a, b) => b.finishedAt.getTime() - a.finishedAt.getTime());
  return newestFirst.slice(0, count).map((b) => b.id);
}

describe('selectForRetention over 420 simulated days in Europe/Berlin', () => {
  const backups = simulate();
  const policy = { keepLast: 3, keepDaily: 10, keepWeekly: 8, keepMonthly: 12 };

  it('keeps exactly the newest 3, one per each of the last 10 backup days, 8 ISO weeks and 12 months', () => {
    expect(backups.length).toBeGreaterThan(500);
    const newestFirst = [...backups].sort((a, b) => b.finishedAt.getTime() - a.finishedAt.getTime());
    const expected = new Set([
      ...newestFirst.slice(0, 3).map((b) => b.id),
      ...newestOfRecentGroups(backups, (b) => b.localDay, 10),
      ...newestOfRecentGroups(backups, (b) => b.week, 8),
      ...newestOfRecentGroups(backups, (b) => b.localMonth, 12),
    ]);

    const { keep, remove } = selectForRetention(backups, policy, { timeZone: 'Europe/Berlin' });

    expect(new Set(keep.keys())).toEqual(expected);
    expect(remove.length + keep.size).toBe(backups.length);
    expect(remove.filter((id) => keep.has(id))).toEqual([]);
    // Oldest first, so an interrupted prune deletes the least valuable backups first.
    const removedTimes = remove.map((id) => backups.find((b) => b.id === id)!.finishedAt.getTime());
    expect(removedTimes).toEqual([...removedTimes].sort((a, b) => a - b));
  });

  it('counts the 00:30 backup of a DST day in its Berlin day, though UTC still says the day before', () => {
    for (const day of ['2025-03-30', '2025-10-26']) {
      const early = backups.find((b) => b.id === `data-${day}-0030`)!;
      expect(early.finishedAt.toISOString().slice(0, 10)).not.toBe(day);
      const upTo = backups.filter((b) => b.localDay <= day);
      const berlinDays = newestOfRecentGroups(upTo, (b) => b.localDay, 2);
      const utcDays = newestOfRecentGroups(upTo, (b) => b.finishedAt.toISOString().slice(0, 10), 2);
      // In Berlin the day's noon backup stands for it; in UTC the 00:30 one stands for the day before.
      expect(berlinDays).not.toContain(early.id);
      expect(utcDays).toContain(early.id);
      const inBerlin = selectForRetention(upTo, { keepDaily: 2 }, { timeZone: 'Europe/Berlin' });
      const inUtc = selectForRetention(upTo, { keepDaily: 2 }, { timeZone: 'UTC' });
      expect([...inBerlin.keep.keys()].sort()).toEqual([...berlinDays].sort());
      expect([...inUtc.keep.keys()].sort()).toEqual([...utcDays].sort());
    }
  });

  it('never removes a backup in progress, not even a stale one, and does not count it', () => {
    const stale: RetentionCandidate = {
      id: 'data-stale',
      finishedAt: new Date('2025-02-01T00:00:00Z'),
      state: 'in-progress',
    };
    const running: RetentionCandidate = {
      id: 'data-running',
      finishedAt: new Date('2026-03-01T00:00:00Z'),
      state: 'in-progress',
    };
    const withRunning = [...backups, stale, running];
    const { keep, remove } = selectForRetention(withRunning, { keepLast: 1 }, { timeZone: 'Europe/Berlin' });
    expect(keep.get('data-stale')).toEqual(['in-progress']);
    expect(keep.get('data-running')).toEqual(['in-progress']);
    const newest = [...backups].sort((a, b) => b.finishedAt.getTime() - a.finishedAt.getTime())[0]!;
    expect(keep.get(newest.id)).toEqual(['last', 'newest']);
    expect(keep.size).toBe(3);
    expect(remove).toHaveLength(backups.length - 1);
  });
});

describe('selectForRetention rules', () => {
  const at = (iso: string, id = iso): RetentionCandidate => ({ id, finishedAt: new Date(iso), state: 'complete' });

  it('keeps everything when no rule has a count, and says why', () => {
    const list = [at('2026-01-01T00:00:00Z'), at('2026-01-02T00:00:00Z')];
    for (const policy of [{}, { keepLast: 0, keepDaily: 0, keepWeekly: 0, keepMonthly: 0 }]) {
      const { keep, remove } = selectForRetention(list, policy);
      expect(remove).toEqual([]);
      expect([...keep.values()]).toEqual([['no-policy'], ['no-policy']]);
    }
  });

  it('counts only days that have backups: after an outage keepDaily 3 still keeps 3', () => {
    const list = [
      at('2026-01-01T10:00:00Z'),
      at('2026-01-02T10:00:00Z'),
      at('2026-01-03T10:00:00Z'),
      at('2026-01-03T20:00:00Z'),
      at('2026-02-20T10:00:00Z'),
    ];
    const { keep, remove } = selectForRetention(list, { keepDaily: 3 });
    expect([...keep.keys()]).toEqual(['2026-01-02T10:00:00Z', '2026-01-03T20:00:00Z', '2026-02-20T10:00:00Z']);
    expect(remove).toEqual(['2026-01-01T10:00:00Z', '2026-01-03T10:00:00Z']);
  });

  it('uses ISO weeks: 2020-12-31 (Thursday) and 2021-01-03 (Sunday) are both 2020-W53', () => {
    const list = [
      at('2020-12-27T12:00:00Z'),
      at('2020-12-31T12:00:00Z'),
      at('2021-01-03T12:00:00Z'),
      at('2021-01-04T12:00:00Z'),
    ];
    const { keep } = selectForRetention(list, { keepWeekly: 3 });
    // 2020-12-27 is 2020-W52, 2020-12-28…2021-01-03 is 2020-W53, 2021-01-04 is 2021-W01.
    expect([...keep.keys()]).toEqual(['2020-12-27T12:00:00Z', '2021-01-03T12:00:00Z', '2021-01-04T12:00:00Z']);
  });

  it('lists every problem of a bad policy and a bad time zone in one error', () => {
    let error: unknown;
    try {
      selectForRetention([], { keepLast: -1, keepDaily: 1.5 });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(BackupOptionsError);
    expect((error as Error).message).toMatch(/keepLast: must be 0 or more/);
    expect((error as Error).message).toMatch(/keepDaily: must be a whole number/);
    expect(() => selectForRetention([], { keepDaily: 1 }, { timeZone: 'Mars/Olympus' })).toThrow(
      /timeZone: must be an IANA time zone/,
    );
    expect(() =>
      selectForRetention([at('2026-01-01T00:00:00Z', 'a'), at('2026-01-02T00:00:00Z', 'a')], { keepLast: 1 }),
    ).toThrow(/\[1\]\.id: "a" appears twice/);
  });
});
