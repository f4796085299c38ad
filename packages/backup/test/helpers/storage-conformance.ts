import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  StorageKeyError,
  StorageNotFoundError,
  StorageRangeError,
  digestObject,
  type Storage,
} from '../../src/storage/index.js';
import type { StorageSpec } from '../fixtures/storage-writer.js';

/** One storage of the suite, on a root (folder, remote path, bucket prefix) no other test uses. */
export interface StorageHarness {
  storage: Storage;
  /** How `test/fixtures/storage-writer.ts` builds the same storage in another process. */
  spec: StorageSpec;
  /** What unfinished writes left in the backing store (temporary files, incomplete multipart uploads). */
  leftovers(): Promise<string[]>;
}

export interface StorageBackend {
  /** A fresh, empty storage named `name`. */
  open(name: string): Promise<StorageHarness>;
  /** Stops what `open` started (servers); called once after the suite. */
  stop(): Promise<void>;
}

const MiB = 1024 * 1024;

/** `size` random bytes in 1 MiB chunks, made as they are read, and their SHA-256. */
export function randomStream(size: number): { body: Readable; sha256: string; chunks: Buffer[] } {
  const chunks: Buffer[] = [];
  for (let left = size; left > 0; left -= MiB) chunks.push(randomBytes(Math.min(MiB, left)));
  const hash = createHash('sha256');
  for (const chunk of chunks) hash.update(chunk);
  return { body: Readable.from(chunks, { objectMode: false }), sha256: hash.digest('hex'), chunks };
}

/** A body the test feeds by hand: `push` chunks, then `end()` or `fail()`. */
export function manualStream(): { body: Readable; push(chunk: Buffer): void; end(): void; fail(error: Error): void } {
  const body = new Readable({ read() {} });
  return {
    body,
    push: (chunk) => body.push(chunk),
    end: () => body.push(null),
    fail: (error) => body.destroy(error),
  };
}

const sha256Of = (buffer: Buffer): string => createHash('sha256').update(buffer).digest('hex');
const readAll = async (stream: Readable): Promise<Buffer> => {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
};
const keys = async (storage: Storage, prefix?: string): Promise<string[]> =>
  (await storage.list(prefix)).map((o) => o.key);
const fixture = (name: string): string => join(import.meta.dirname, '..', 'fixtures', name);

/**
 * Starts `test/fixtures/storage-writer.ts` writing `key` of the storage `spec` names, endlessly,
 * and kills it with -9 once more than a 5 MiB part has left it and `underWay()` says the store
 * shows its unfinished write.
 */
async function killWriterMidway(spec: StorageSpec, key: string, underWay: () => Promise<boolean>): Promise<void> {
  let child: ChildProcess | undefined;
  try {
    child = spawn(process.execPath, ['--import', 'tsx', fixture('storage-writer.ts'), JSON.stringify(spec), key], {
      cwd: join(import.meta.dirname, '..', '..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    let written = 0;
    child.stdout!.on('data', (chunk: Buffer) => {
      written = Number(chunk.toString().trim().split('\n').at(-1));
    });
    await vi.waitFor(
      async () => {
        if (child!.exitCode !== null) throw new Error(`the writer exited early: ${stderr}`);
        if (written < 8 * MiB || !(await underWay())) throw new Error(`waiting (${written} bytes)`);
      },
      { timeout: 30_000, interval: 100 },
    );
    child.kill('SIGKILL');
    await new Promise((resolve) => child!.once('close', resolve));
  } finally {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

/**
 * What every storage must do, after restic's backend suite (`internal/backend/test/tests.go`):
 * a backend's test file starts its service, says how to open a storage on it, and calls this.
 */
export function describeStorage(
  name: string,
  start: () => Promise<StorageBackend>,
  /** Per test; an SSH storage opens a connection per operation, which takes seconds on a busy machine. */
  { timeout = 60_000 }: { timeout?: number } = {},
): void {
  describe(`storage conformance: ${name}`, { timeout }, () => {
    let backend: StorageBackend;
    let count = 0;
    const opened: Storage[] = [];
    const open = async (): Promise<StorageHarness> => {
      const harness = await backend.open(`t${++count}-${randomBytes(3).toString('hex')}`);
      opened.push(harness.storage);
      return harness;
    };

    beforeAll(async () => {
      backend = await start();
    }, 60_000);
    afterAll(async () => {
      for (const storage of opened) await storage.close();
      await backend?.stop();
    });

    it('writes a 21 MB stream and reads it back byte for byte; the result, stat and list agree', async () => {
      const { storage } = await open();
      const size = 21 * MiB + 12_345;
      const data = randomStream(size);
      const result = await storage.write('database/2026-11-25/big.pgdump.zst', data.body);
      expect(result).toEqual({ key: 'database/2026-11-25/big.pgdump.zst', size, sha256: data.sha256 });
      expect(await digestObject(storage, result.key)).toEqual({ size, sha256: data.sha256 });
      expect(await storage.stat(result.key)).toMatchObject({ key: result.key, size });
      const [listed] = await storage.list();
      expect(listed).toMatchObject({ key: result.key, size });
      expect(Math.abs(listed!.modifiedAt.getTime() - Date.now())).toBeLessThan(120_000);
    });

    it('reads a range, and refuses bytes the object does not have', async () => {
      const { storage } = await open();
      const data = Buffer.concat(randomStream(100_000).chunks);
      await storage.write('k', Readable.from([data]));
      for (const [offset, length] of [
        [0, 1],
        [10, 1000],
        [99_000, 1000],
        [0, 100_000],
      ] as const) {
        expect(sha256Of(await readAll(await storage.read('k', { offset, length }))), `${offset}+${length}`).toBe(
          sha256Of(data.subarray(offset, offset + length)),
        );
      }
      expect((await readAll(await storage.read('k', { offset: 99_990 }))).equals(data.subarray(99_990))).toBe(true);
      expect((await readAll(await storage.read('k', { offset: 5, length: 0 }))).length).toBe(0);
      for (const range of [
        { offset: 99_950, length: 100 },
        { offset: 100_000, length: 1 },
        { offset: 200_000 },
        { offset: -1, length: 1 },
      ]) {
        await expect(storage.read('k', range), JSON.stringify(range)).rejects.toBeInstanceOf(StorageRangeError);
      }
    });

    it('shows nothing of an object while its write is in flight, all of it once complete', async () => {
      const { storage } = await open();
      const feed = manualStream();
      const writing = storage.write('database/day/in-flight.bin', feed.body);
      const first = randomBytes(MiB);
      feed.push(first);
      // Long enough for the first megabyte to reach the storage (a temporary file, an upload).
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(await storage.list()).toEqual([]);
      await expect(storage.stat('database/day/in-flight.bin')).rejects.toBeInstanceOf(StorageNotFoundError);
      const second = randomBytes(MiB);
      feed.push(second);
      feed.end();
      const result = await writing;
      expect(result.sha256).toBe(sha256Of(Buffer.concat([first, second])));
      expect(await keys(storage)).toEqual(['database/day/in-flight.bin']);
    });

    it('a write whose body fails rejects with that error and leaves nothing listed or behind', async () => {
      const { storage, leftovers } = await open();
      const feed = manualStream();
      const writing = storage.write('database/day/failing.bin', feed.body);
      // Past one 5 MiB part, so an S3 storage has a multipart upload to abort.
      for (let i = 0; i < 7; i++) feed.push(randomBytes(MiB));
      await new Promise((resolve) => setTimeout(resolve, 500));
      const boom = new Error('pg_dump died');
      feed.fail(boom);
      await expect(writing).rejects.toBe(boom);
      expect(await storage.list()).toEqual([]);
      expect(await leftovers()).toEqual([]);
    });

    it('a write aborted by its signal rejects with the reason and leaves nothing listed or behind', async () => {
      const { storage, leftovers } = await open();
      const feed = manualStream();
      const controller = new AbortController();
      const writing = storage.write('database/day/aborted.bin', feed.body, { signal: controller.signal });
      for (let i = 0; i < 7; i++) feed.push(randomBytes(MiB));
      await new Promise((resolve) => setTimeout(resolve, 500));
      const reason = new Error('backup cancelled');
      controller.abort(reason);
      await expect(writing).rejects.toBe(reason);
      expect(await storage.list()).toEqual([]);
      expect(await leftovers()).toEqual([]);
    });

    it('stats sizes, including an empty object, and replaces an object written again', async () => {
      const { storage } = await open();
      const sizes = { 'a/empty': 0, 'a/one': 1, 'a/five-mib-and-one': 5 * MiB + 1 };
      for (const [key, size] of Object.entries(sizes)) {
        const result = await storage.write(key, Readable.from([Buffer.alloc(size, 7)]));
        expect(result.size).toBe(size);
        expect((await storage.stat(key)).size, key).toBe(size);
      }
      expect((await storage.list()).map((o) => [o.key, o.size])).toEqual(
        Object.entries(sizes).sort(([a], [b]) => (a < b ? -1 : 1)),
      );
      await storage.write('a/one', Readable.from([Buffer.from('replaced')]));
      expect(await text(await storage.read('a/one'))).toBe('replaced');
      expect((await storage.stat('a/one')).size).toBe(8);
    });

    it('deletes an object; deleting one that is not there is no error', async () => {
      const { storage } = await open();
      await storage.write('x/keep', Readable.from([Buffer.from('keep')]));
      await storage.write('x/drop', Readable.from([Buffer.from('drop')]));
      await storage.delete('x/drop');
      expect(await keys(storage)).toEqual(['x/keep']);
      await expect(storage.read('x/drop')).rejects.toBeInstanceOf(StorageNotFoundError);
      await storage.delete('x/drop');
      await storage.delete('never/was');
    });

    it('lists by key prefix, in key order', async () => {
      const { storage } = await open();
      const all = ['a/b/1', 'a/b/2', 'a/c/1', 'ab/1', 'b', 'database/2026-11-25/x', 'database/2027-01-01/y'];
      for (const key of [...all].reverse()) await storage.write(key, Readable.from([Buffer.from(key)]));
      expect(await keys(storage)).toEqual(all);
      expect(await keys(storage, '')).toEqual(all);
      expect(await keys(storage, 'a/')).toEqual(['a/b/1', 'a/b/2', 'a/c/1']);
      expect(await keys(storage, 'a/b/')).toEqual(['a/b/1', 'a/b/2']);
      expect(await keys(storage, 'a')).toEqual(['a/b/1', 'a/b/2', 'a/c/1', 'ab/1']);
      expect(await keys(storage, 'database/2026-')).toEqual(['database/2026-11-25/x']);
      expect(await keys(storage, 'nothing/')).toEqual([]);
      expect(await keys(storage, 'b')).toEqual(['b']);
    });

    it('says which key is not there', async () => {
      const { storage } = await open();
      for (const attempt of [
        () => storage.read('database/none.bin'),
        () => storage.read('database/none.bin', { offset: 0, length: 1 }),
        () => storage.stat('database/none.bin'),
      ]) {
        const error = await attempt().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(StorageNotFoundError);
        expect((error as Error).message).toContain('"database/none.bin" not found in ');
        expect((error as Error).message).toContain(storage.label);
      }
    });

    it('writes different keys at once', async () => {
      const { storage } = await open();
      const writes = Array.from({ length: 6 }, (_, i) => ({ key: `c/${i}`, ...randomStream((i + 1) * 700_000) }));
      const results = await Promise.all(writes.map((w) => storage.write(w.key, w.body)));
      expect(results.map((r) => r.sha256)).toEqual(writes.map((w) => w.sha256));
      expect((await storage.list('c/')).map((o) => [o.key, o.size])).toEqual(
        writes.map((w, i) => [w.key, (i + 1) * 700_000]),
      );
      for (const w of writes) expect((await digestObject(storage, w.key)).sha256, w.key).toBe(w.sha256);
    });

    it('refuses keys that could leave it, reach a shell or name a temporary', async () => {
      const { storage } = await open();
      for (const bad of ['', '/abs', '../up', 'a/../b', 'a//b', '.hidden', 'a/.partial', '-rf', 'a b', "x'y", 'a/']) {
        await expect(storage.write(bad, Readable.from([])), bad).rejects.toBeInstanceOf(StorageKeyError);
        await expect(storage.read(bad), bad).rejects.toBeInstanceOf(StorageKeyError);
        await expect(storage.delete(bad), bad).rejects.toBeInstanceOf(StorageKeyError);
      }
      await expect(storage.list('../')).rejects.toBeInstanceOf(StorageKeyError);
    });

    it('kill -9 of a writing process: nothing listed; cleanupIncompleteUploads removes what it left, once old enough', async () => {
      const { storage, spec, leftovers } = await open();
      const startedAt = new Date(Date.now() - 2000);
      let child: ChildProcess | undefined;
      try {
        child = spawn(process.execPath, ['--import', 'tsx', fixture('storage-writer.ts'), JSON.stringify(spec)], {
          cwd: join(import.meta.dirname, '..', '..'),
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stderr = '';
        child.stderr!.on('data', (chunk: Buffer) => {
          stderr += chunk.toString();
        });
        let written = 0;
        child.stdout!.on('data', (chunk: Buffer) => {
          written = Number(chunk.toString().trim().split('\n').at(-1));
        });
        // Until more than a 5 MiB part has left the process and the store shows an unfinished write.
        await vi.waitFor(
          async () => {
            if (child!.exitCode !== null) throw new Error(`the writer exited early: ${stderr}`);
            if (written < 8 * MiB || (await leftovers()).length === 0) throw new Error(`waiting (${written} bytes)`);
          },
          { timeout: 30_000, interval: 100 },
        );
        child.kill('SIGKILL');
        await new Promise((resolve) => child!.once('close', resolve));
      } finally {
        if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
      expect(await storage.list()).toEqual([]);
      const left = await leftovers();
      expect(left.length).toBeGreaterThan(0);
      // A write that started after `olderThan` may still be running elsewhere: kept.
      expect(await storage.cleanupIncompleteUploads(startedAt)).toEqual([]);
      expect(await leftovers()).toEqual(left);
      const removed = await storage.cleanupIncompleteUploads(new Date(Date.now() + 2000));
      expect(removed.length).toBeGreaterThan(0);
      expect(removed.join('\n')).toContain('killed.bin');
      expect(await leftovers()).toEqual([]);
      expect(await storage.list()).toEqual([]);
    });

    it('cleanupIncompleteUploads with a prefix removes only what writes of keys under it left', async () => {
      const { storage, spec, leftovers } = await open();
      const has = async (name: string): Promise<boolean> => (await leftovers()).some((l) => l.includes(name));
      await killWriterMidway(spec, 'media/2026-11-25/killed.bin', () => has('media/'));
      await killWriterMidway(spec, 'database/2026-11-25/killed.bin', () => has('database/'));
      const later = new Date(Date.now() + 2000);
      // Another source's folder, and a prefix that matches neither (`databases/` is not `database/`).
      expect(await storage.cleanupIncompleteUploads(later, { prefix: 'databases/' })).toEqual([]);
      expect(await has('media/')).toBe(true);
      const removed = await storage.cleanupIncompleteUploads(later, { prefix: 'database/' });
      expect(removed.length).toBeGreaterThan(0);
      for (const key of removed) expect(key.startsWith('database/2026-11-25/'), key).toBe(true);
      expect(await has('database/')).toBe(false);
      expect(await has('media/')).toBe(true);
      // A prefix that ends inside a name, as list's: `media/2026-11` covers the day `media/2026-11-25`.
      expect((await storage.cleanupIncompleteUploads(later, { prefix: 'media/2026-11' })).length).toBeGreaterThan(0);
      expect(await leftovers()).toEqual([]);
      expect(await storage.list()).toEqual([]);
    });
  });
}
