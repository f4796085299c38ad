import type * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

// zod/mini, which tsup builds into dist (`bundle: ['zod']`): the full zod's ESM build is some 100
// modules with every locale, over 100 ms of CPU to load, and was most of what
// `keepwatch backup list` spent above bare Node (docs/benchmarks.md, "CLI start-up"). Each schema
// file imports `* as z from 'zod/mini'` itself, so that the bundler keeps only what it uses.

/**
 * zod/mini has no messages of its own: English, as the full zod gives, for each parse
 * (`schema.safeParse(value, english)`). A schema's own messages still win.
 */
export const english = { error: en().localeError };

/** One line per zod issue, each naming its field, so a user fixes everything in one go. */
export function zodProblems(error: z.core.$ZodError, fallback: string): string[] {
  return error.issues.map((issue) => `${issue.path.join('.') || fallback}: ${issue.message}`);
}
