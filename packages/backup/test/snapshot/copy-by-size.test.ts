import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyBySize } from '../../src/snapshot/copy-by-size.js';
import { SMALL_FILE } from '../../src/snapshot/copy-file.js';
import { TimeSlicer } from '../../src/snapshot/run-helpers.js';
import { tempDir } from '../helpers/files.js';

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

describe('copyBySize on real files', () => {
  let work: Awaited<ReturnType<typeof tempDir>>;
  const sizes = {
    a: 10,
    b: SMALL_FILE,
    c: SMALL_FILE + 1,
    d: 10,
    e: 3 * SMALL_FILE,
    f: 2 * SMALL_FILE,
    g: 5 * SMALL_FILE,
  };
  const names = Object.keys(sizes) as (keyof typeof sizes)[];

  beforeAll(async () => {
    work = await tempDir('kw-copy-by-size');
    for (const name of names) writeFileSync(join(work.path, name), randomBytes(sizes[name]));
  });

  afterAll(async () => {
    await work?.remove();
  });

  it('copies the small files one by one, in order, then the large ones at most `concurrency` at a time', async () => {
    const started: string[] = [];
    let active = 0;
    let mostActive = 0;
    let mostActiveSmall = 0;
    const hashes = new Map<string, string>();
    await copyBySize(
      names,
      { sizeOf: (name) => sizes[name], concurrency: 2, slicer: new TimeSlicer() },
      async (name, copy) => {
        started.push(name);
        active++;
        mostActive = Math.max(mostActive, active);
        if (sizes[name] <= SMALL_FILE) mostActiveSmall = Math.max(mostActiveSmall, active);
        try {
          const copied = await copy(join(work.path, name), join(work.path, `${name}.copy`), () => undefined);
          hashes.set(name, copied.sha256);
        } finally {
          active--;
        }
      },
    );
    expect(started.slice(0, 3)).toEqual(['a', 'b', 'd']);
    expect(started.slice(3).sort()).toEqual(['c', 'e', 'f', 'g']);
    expect(mostActiveSmall).toBe(1);
    expect(mostActive).toBe(2);
    for (const name of names) {
      const original = sha256(readFileSync(join(work.path, name)));
      expect(sha256(readFileSync(join(work.path, `${name}.copy`)))).toBe(original);
      expect(hashes.get(name)).toBe(original);
    }
  });

  it('waits for the large copies in flight before it throws the first error', async () => {
    const finished: string[] = [];
    const failing = copyBySize(
      ['c', 'missing', 'e', 'g'] as const,
      { sizeOf: () => 2 * SMALL_FILE, concurrency: 2, slicer: new TimeSlicer() },
      async (name, copy) => {
        await copy(join(work.path, name), join(work.path, `${name}.again`), () => undefined);
        finished.push(name);
      },
    );
    await expect(failing).rejects.toMatchObject({ code: 'ENOENT' });
    // "c" was running when "missing" failed, and finished first; nothing new starts after a failure.
    expect(finished[0]).toBe('c');
    expect(finished).not.toContain('g');
  });
});
