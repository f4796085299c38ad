import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

// `from './chunk-X.js'`, `import './x.js'`, `require("./x.cjs")`, `import("./x.js")`, and in
// declarations `from './x.js'` (rollup-plugin-dts names its chunks `./name-HASH.js`).
const relativeSpecifier = /(?:from\s*|import\s*\(?\s*|require\s*\(\s*)["'](\.{1,2}\/[^"']+)["']/g;

/**
 * Every bare module a file names: `fastify`, `fastify-plugin`, `node:http`, `@scope/x/sub`. A
 * specifier has no white space, so a message that ends in "from" before a quote is none.
 */
const bareSpecifier = /(?:from\s*|import\s*\(?\s*|require\s*\(\s*|declare\s+module\s+)["']([^."'/\s][^"'\s]*)["']/g;

/**
 * The files an entry of a built package reaches through its relative imports (its chunks),
 * itself included. A `.d.ts` that imports `./x.js` reaches `./x.d.ts` (`.d.cts` for `.cjs`).
 */
export function distClosure(entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(relativeSpecifier)) {
      const target = resolve(dirname(file), match[1] as string);
      const declaration = /\.d\.c?ts$/.test(file);
      const candidates = declaration
        ? [target.replace(/\.c?js$/, (ext) => (ext === '.cjs' ? '.d.cts' : '.d.ts')), target]
        : [target];
      const found = candidates.find((candidate) => existsSync(candidate));
      if (found === undefined) throw new Error(`${file} imports ${match[1]}, which is not in dist`);
      visit(found);
    }
  };
  visit(entry);
  return [...seen];
}

/** The bare module names the files import, require or augment. */
export function bareImports(files: readonly string[]): Set<string> {
  const names = new Set<string>();
  for (const file of files) {
    for (const match of readFileSync(file, 'utf8').matchAll(bareSpecifier)) names.add(match[1] as string);
  }
  return names;
}
