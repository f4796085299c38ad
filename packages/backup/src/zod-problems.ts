import type { z } from 'zod';

/** One line per zod issue, each naming its field, so a user fixes everything in one go. */
export function zodProblems(error: z.ZodError, fallback: string): string[] {
  return error.issues.map((issue) => `${issue.path.join('.') || fallback}: ${issue.message}`);
}
