import { readFileSync } from 'node:fs';

/** A fenced code block of a README. */
export interface CodeBlock {
  /** `packages/metrics/README.md:12`: where its opening fence is. */
  where: string;
  /** The info string's first word (`ts`, `js`, `sh`, or '' when none). */
  lang: string;
  /** The info string's other words (`runnable=metrics-express`, `fragment`, `commonjs`). */
  words: string[];
  code: string;
}

/** How a README marks a JS/TS block: run by readme-examples.test.ts, or a part shown on its own. */
export type Mark = { kind: 'runnable'; id: string } | { kind: 'fragment' } | { kind: 'unmarked' };

export const scriptLangs = new Set(['ts', 'typescript', 'js', 'javascript', 'mjs', 'cjs']);

/** Every fenced block (``` or ~~~) of a Markdown file, in order. */
export function codeBlocks(path: string, shownAs: string): CodeBlock[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  const blocks: CodeBlock[] = [];
  let open: { fence: string; start: number; info: string[]; body: string[] } | undefined;
  lines.forEach((line, index) => {
    if (open === undefined) {
      const match = /^(`{3,}|~{3,})\s*(.*)$/.exec(line);
      if (match)
        open = {
          fence: match[1] as string,
          start: index + 1,
          info: (match[2] as string).split(/\s+/).filter(Boolean),
          body: [],
        };
      return;
    }
    if (line.startsWith(open.fence) && line.slice(open.fence.length).trim() === '') {
      const [lang = '', ...words] = open.info;
      blocks.push({ where: `${shownAs}:${open.start}`, lang, words, code: `${open.body.join('\n')}\n` });
      open = undefined;
      return;
    }
    open.body.push(line);
  });
  if (open !== undefined) throw new Error(`${shownAs}:${open.start}: a code block is never closed`);
  return blocks;
}

export function markOf(block: CodeBlock): Mark {
  for (const word of block.words) {
    const runnable = /^runnable=([a-z0-9-]+)$/.exec(word);
    if (runnable) return { kind: 'runnable', id: runnable[1] as string };
    if (word === 'fragment') return { kind: 'fragment' };
  }
  return { kind: 'unmarked' };
}
