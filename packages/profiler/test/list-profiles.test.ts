import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ProfileFilterConflictError,
  ProfileFilterError,
  ProfileFormatError,
  ProfileNotFoundError,
  createProfiler,
  formatProfileTable,
  formatTopTable,
  listProfiles,
  parseSince,
  profileFilter,
  profileTask,
  readProfile,
  resolveProfilePath,
  topFunctions,
  type ProfileQuery,
  type Profiler,
} from '../src/index.js';
import { burnCpuWithFibonacci } from './helpers/cpu-work.js';
import { makeTempDir } from './helpers/temp-dir.js';

let dir: Awaited<ReturnType<typeof makeTempDir>>;
let profiler: Profiler;
let startedAt: Date;

// Three real profiles, one request and two tasks, written through the profiler as in production.
beforeAll(async () => {
  dir = await makeTempDir('list');
  profiler = createProfiler({ directory: dir.profiles, rate: 1, taskRate: 1, maxOverhead: 1 });
  startedAt = new Date();
  const capture = profiler.start({ kind: 'request', name: '/users/:id', method: 'GET' })!;
  burnCpuWithFibonacci(15);
  capture.finish(200);
  await profiler.idle();
  await profileTask(profiler, 'backup-database', () => burnCpuWithFibonacci(15));
  await profiler.idle();
  await profileTask(profiler, 'maintenance', () => burnCpuWithFibonacci(15));
  await profiler.idle();
});

afterAll(async () => {
  await profiler.close();
  await dir.remove();
});

describe('listProfiles', () => {
  it('lists every profile newest first with what the CLI shows', async () => {
    const entries = await listProfiles(dir.profiles);
    expect(entries.map((e) => e.name)).toEqual(['maintenance', 'backup-database', '/users/:id']);
    expect(entries[2]).toMatchObject({ kind: 'request', method: 'GET', status: '200', pid: process.pid });
    expect(entries[2]!.startedAt.getTime()).toBeGreaterThanOrEqual(startedAt.getTime() - 1);
    expect(entries[2]!.sizeBytes).toBeGreaterThan(100);
    expect(entries[2]!.path).toBe(join(dir.profiles, entries[2]!.file));
    // --json: dates become ISO strings.
    expect(JSON.parse(JSON.stringify(entries))[0].startedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });

  it('filters by name, kind, since and limit', async () => {
    expect((await listProfiles(dir.profiles, { name: '/users/:id' })).map((e) => e.kind)).toEqual(['request']);
    expect((await listProfiles(dir.profiles, { kind: 'task' })).map((e) => e.name)).toEqual([
      'maintenance',
      'backup-database',
    ]);
    expect(await listProfiles(dir.profiles, { limit: 1 })).toHaveLength(1);
    expect(await listProfiles(dir.profiles, { since: '1h' })).toHaveLength(3);
    const later = new Date(Date.now() + 2 * 3_600_000);
    expect(await listProfiles(dir.profiles, { since: '1h', now: later })).toEqual([]);
    expect(await listProfiles(dir.profiles, { since: new Date(Date.now() + 60_000).toISOString() })).toEqual([]);
    await expect(listProfiles(dir.profiles, { since: 'yesterday' })).rejects.toBeInstanceOf(ProfileFilterError);
    await expect(listProfiles(dir.profiles, { limit: -1 })).rejects.toThrow(/limit/);
  });

  it('treats a directory that does not exist yet as no profiles', async () => {
    expect(await listProfiles(join(dir.root, 'never-created'))).toEqual([]);
  });

  it('prints a list a person can read', async () => {
    const text = formatProfileTable(await listProfiles(dir.profiles));
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^started\s+duration\s+kind\s+name\s+status\s+size\s+file$/);
    expect(lines[3]).toMatch(
      /^\d{4}-\d{2}-\d{2}T\S+Z\s+\d+\.\d ms\s+request\s+GET \/users\/:id\s+200\s+[\d.]+ (B|KiB)\s+\S+\.cpuprofile$/,
    );
    expect(formatProfileTable([])).toBe('no profiles\n');
  });
});

describe('profileFilter', () => {
  const names = async (query: ProfileQuery) =>
    (await listProfiles(dir.profiles, profileFilter(query))).map((e) => e.name);

  it('asks for a url_name among requests only and a task among tasks only', async () => {
    expect(await names({ urlName: '/users/:id' })).toEqual(['/users/:id']);
    expect(await names({ task: 'backup-database' })).toEqual(['backup-database']);
    expect(await names({ urlName: 'backup-database' })).toEqual([]);
    expect(await names({ task: '/users/:id' })).toEqual([]);
    expect(await names({ since: '1h', limit: 2 })).toEqual(['maintenance', 'backup-database']);
  });

  it('refuses a url_name and a task together, naming both, instead of letting one win', () => {
    const both = { urlName: '/users/:id', task: 'backup-database' };
    expect(() => profileFilter(both)).toThrow(ProfileFilterConflictError);
    expect(() => profileFilter(both)).toThrow(
      /^give url_name or task, not both \(url_name "\/users\/:id", task "backup-database"\)/,
    );
  });
});

describe('resolveProfilePath', () => {
  it('finds a listed profile and its metadata by file name', async () => {
    const [entry] = await listProfiles(dir.profiles, { limit: 1 });
    expect(await resolveProfilePath(dir.profiles, entry!.file)).toBe(entry!.path);
    const meta = await resolveProfilePath(dir.profiles, entry!.file.replace('.cpuprofile', '.meta.json'));
    expect(JSON.parse(await readFile(meta, 'utf8')).name).toBe(entry!.name);
  });

  it('refuses paths outside the directory and names that are not profiles', async () => {
    for (const bad of [
      '../../etc/passwd',
      '/etc/passwd',
      'README.txt',
      `x/${(await listProfiles(dir.profiles))[0]!.file}`,
    ]) {
      const error = await resolveProfilePath(dir.profiles, bad).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProfileNotFoundError);
      expect((error as ProfileNotFoundError).code).toBe('KW_PROFILE_NOT_FOUND');
    }
    const gone = '20200101T000000.000Z_5ms_task_gone_ok_p1-abcdef.cpuprofile';
    await expect(resolveProfilePath(dir.profiles, gone)).rejects.toThrow(gone);
  });
});

describe('a profile whose metadata or content is damaged', () => {
  it('is still listed from its file name, and top leaves it out by name', async () => {
    const victim = (await listProfiles(dir.profiles, { name: 'maintenance' }))[0]!;
    await rm(victim.path.replace('.cpuprofile', '.meta.json'));
    const listed = (await listProfiles(dir.profiles)).find((e) => e.file === victim.file)!;
    expect(listed).toMatchObject({ name: 'maintenance', status: 'ok', kind: 'task' });

    await writeFile(victim.path, '{"nodes": "not a list"}');
    const report = await topFunctions(await listProfiles(dir.profiles));
    expect(report.profiles).toBe(2);
    expect(report.unreadable).toHaveLength(1);
    expect(report.unreadable[0]!.file).toBe(victim.file);
    expect(report.unreadable[0]!.reason).toMatch(/not a valid CPU profile: nodes/);
    expect(formatTopTable(report)).toContain(`left out ${victim.file}`);
    await expect(readProfile(victim.path)).rejects.toBeInstanceOf(ProfileFormatError);
  });

  it('top leaves out a profile the quota deleted after it was listed', async () => {
    const entries = await listProfiles(dir.profiles);
    await rm(entries[0]!.path);
    const report = await topFunctions(entries);
    expect(report.profiles).toBe(entries.length - 1);
    expect(report.unreadable).toEqual([{ file: entries[0]!.file, reason: 'deleted since it was listed' }]);
  });
});

describe('parseSince', () => {
  const now = new Date('2025-03-14T12:00:00Z');

  it('reads durations back from now and ISO times', () => {
    expect(parseSince('30m', now).toISOString()).toBe('2025-03-14T11:30:00.000Z');
    expect(parseSince('1h', now).toISOString()).toBe('2025-03-14T11:00:00.000Z');
    expect(parseSince('2d', now).toISOString()).toBe('2025-03-12T12:00:00.000Z');
    expect(parseSince('1w', now).toISOString()).toBe('2025-03-07T12:00:00.000Z');
    expect(parseSince('90s', now).toISOString()).toBe('2025-03-14T11:58:30.000Z');
    expect(parseSince('2025-03-01T08:00:00Z', now).toISOString()).toBe('2025-03-01T08:00:00.000Z');
    expect(parseSince('2025-03-01', now).toISOString()).toBe('2025-03-01T00:00:00.000Z');
  });

  it('names the value it cannot read', () => {
    for (const bad of ['', 'soon', '1y', '-1h', '2025-13-45', 'March 7']) {
      expect(() => parseSince(bad, now)).toThrow(ProfileFilterError);
    }
    expect(() => parseSince('soon', now)).toThrow(/"soon"/);
  });
});
