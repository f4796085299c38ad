import type { z } from 'zod';

/** One line per zod issue, naming the option path, so a caller sees every problem at once. */
export function zodProblems(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.join('.') || '(options)'}: ${issue.message}`);
}
