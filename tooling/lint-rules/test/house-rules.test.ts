import { execFileSync, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/*
 * `pnpm lint` is the house rules' only guard, so each rule is shown to fail a scratch copy of the
 * tree that breaks it (never the tree itself). The copy has every tracked file, the workspace's
 * own node_modules folders copied as the links they are (so `@keepwatch/config` resolves inside the
 * copy and the rules' paths match), and the root node_modules linked.
 */

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
let scratch: string;
// SGR colours and OSC 8 hyperlinks.
// biome-ignore lint/suspicious/noControlCharactersInRegex: escape sequences are what it strips
const ANSI = /\x1b\[[0-9;]*m|\x1b\]8;;[^\x1b]*\x1b\\/g;

function lint(): { status: number | null; output: string } {
  const run = spawnSync('pnpm', ['run', '--silent', 'lint'], {
    cwd: scratch,
    encoding: 'utf8',
    timeout: 90_000,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
  });
  // Biome colours its report even into a pipe; the assertions read plain text.
  const output = `${run.stdout}\n${run.stderr}`.replace(ANSI, '');
  return { status: run.status, output };
}

/** Writes `text` at `path` in the copy for one case (appending with `append`), and undoes it afterwards. */
function withFile(path: string, text: string, check: () => void, { append = false } = {}): void {
  const file = join(scratch, path);
  const before = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, append ? `${before ?? ''}${text}` : text);
  try {
    check();
  } finally {
    if (before === undefined) rmSync(file);
    else writeFileSync(file, before);
  }
}

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'kw-lint-rules-'));
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], {
    cwd: root,
    encoding: 'utf8',
  })
    .split('\0')
    .filter(Boolean);
  for (const file of files) {
    try {
      cpSync(join(root, file), join(scratch, file), { recursive: false });
    } catch (error) {
      // A file deleted in the work tree but still in the index has nothing to copy.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  for (const group of ['packages', 'apps', 'tooling']) {
    for (const name of readdirSync(join(root, group))) {
      const modules = join(root, group, name, 'node_modules');
      try {
        cpSync(modules, join(scratch, group, name, 'node_modules'), { recursive: true, verbatimSymlinks: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
  }
  symlinkSync(join(root, 'node_modules'), join(scratch, 'node_modules'));
  // Biome reads .gitignore through git, as in the real tree.
  execFileSync('git', ['init', '-q'], { cwd: scratch });
});

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('pnpm lint', () => {
  it('passes on an unchanged copy of the tree', () => {
    const { status, output } = lint();
    expect(output).not.toMatch(/error/i);
    expect(status).toBe(0);
  });

  it('fails when a package imports an app', () => {
    withFile(
      'packages/health/src/reach-into-app.ts',
      "export { buildApp } from '../../../apps/server/src/build-app.js';\n",
      () => {
        const { status, output } = lint();
        expect(status).not.toBe(0);
        expect(output).toContain('package-imports-app');
        expect(output).toContain('packages/health/src/reach-into-app.ts');
      },
    );
  });

  it('fails when a package other than runtime imports @keepwatch/config', () => {
    withFile('packages/health/src/read-config.ts', "export { loadConfig } from '@keepwatch/config';\n", () => {
      const { status, output } = lint();
      expect(status).not.toBe(0);
      expect(output).toContain('only-runtime-imports-config');
      expect(output).toContain('packages/health/src/read-config.ts');
    });
  });

  it("fails when @keepwatch/backup's core imports bullmq, ioredis, @keepwatch/jobs or its BullMQ entry", () => {
    // A type-only import counts (it ties the core's declarations to the package), and so does a
    // dynamic one; the same imports in the BullMQ entry's files pass (the unchanged tree).
    withFile(
      'packages/backup/src/queue-glue.ts',
      [
        "import type { Redis } from 'ioredis';",
        "import { QueueName } from '@keepwatch/jobs';",
        "import { createSourceLock } from './bullmq/redis-source-lock.js';",
        "export const load = () => import('bullmq');",
        'export type Client = Redis;',
        'export { QueueName, createSourceLock };',
        '',
      ].join('\n'),
      () => {
        const { status, output } = lint();
        expect(status).not.toBe(0);
        const violations = output.split('\n').filter((line) => line.includes('backup-core-receives'));
        for (const target of [
          '/node_modules/ioredis/',
          '/node_modules/bullmq/',
          'packages/jobs/',
          'packages/backup/src/bullmq/redis-source-lock.ts',
        ]) {
          expect(
            violations.filter((line) => line.includes('packages/backup/src/queue-glue.ts') && line.includes(target)),
            target,
          ).toHaveLength(1);
        }
      },
    );
  });

  it("fails when a package's src reads process.env or process.argv", () => {
    withFile(
      'packages/metrics/src/read-env.ts',
      "export const level = process.env.LEVEL ?? 'info';\nexport const args = process.argv.slice(2);\n",
      () => {
        const { status, output } = lint();
        expect(status).not.toBe(0);
        expect(output).toContain('packages/metrics/src/read-env.ts:1');
        expect(output).toContain('packages/metrics/src/read-env.ts:2');
        expect(output).toContain('never reads process.env or process.argv');
      },
    );
  });

  it('holds runtime to it too, and lets the apps read the environment', () => {
    withFile('packages/runtime/src/read-env.ts', 'export const level = process.env.LEVEL;\n', () => {
      const { status, output } = lint();
      expect(status).not.toBe(0);
      expect(output).toContain('packages/runtime/src/read-env.ts:1');
    });
    withFile('apps/worker/src/read-env.ts', 'export const level = process.env.LEVEL;\n', () => {
      expect(lint().status).toBe(0);
    });
  });

  it('fails on badly formatted code', () => {
    withFile('packages/errors/src/untidy.ts', 'export const  untidy = {a:1,\n    b : 2}\n', () => {
      const { status, output } = lint();
      expect(status).not.toBe(0);
      expect(output).toContain('packages/errors/src/untidy.ts');
      expect(output).toMatch(/format/i);
    });
  });

  it('fails on an import cycle between packages', () => {
    // errors' entry point now leads to jobs, whose errors import @keepwatch/errors again (by a
    // relative path: errors does not declare jobs, so the name would not resolve from it).
    withFile('packages/errors/src/cycle.ts', "export { parsePayload } from '../../jobs/src/index.js';\n", () =>
      withFile(
        'packages/errors/src/index.ts',
        "export * from './cycle.js';\n",
        () => {
          const { status, output } = lint();
          expect(status).not.toBe(0);
          expect(output).toContain('no-circular');
        },
        { append: true },
      ),
    );
  });
});
