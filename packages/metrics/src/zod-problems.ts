/** What a failed zod parse reports: the issues, each with the path of the value it concerns. */
export interface ZodIssues {
  readonly issues: readonly { readonly path: readonly PropertyKey[]; readonly message: string }[];
}

/** One line per zod issue, naming the option path, so a caller sees every problem at once. */
export function zodProblems(error: ZodIssues): string[] {
  return error.issues.map((issue) => `${issue.path.map(String).join('.') || '(options)'}: ${issue.message}`);
}
