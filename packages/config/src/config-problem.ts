/** Where a setting's value came from, so an error can send a person to the right line. */
export type ConfigOrigin =
  | { kind: 'file'; path: string; line: number }
  | { kind: 'env'; name: string }
  | { kind: 'default' };

/** One wrong setting. */
export interface ConfigProblem {
  /** `section.key`, e.g. `metrics.enabled`; `section` alone for a whole-section problem. */
  key: string;
  origin: ConfigOrigin;
  message: string;
}

export function formatOrigin(origin: ConfigOrigin): string {
  switch (origin.kind) {
    case 'file':
      return `${origin.path}:${origin.line}`;
    case 'env':
      return origin.name;
    case 'default':
      return 'default';
  }
}

/** `keepwatch.ini:12: [metrics] enabled: expected …` — one line a person can act on. */
export function formatProblem(problem: ConfigProblem): string {
  const [section, key] = problem.key.split('.', 2);
  const name = key === undefined ? `[${section}]` : `[${section}] ${key}`;
  return `${formatOrigin(problem.origin)}: ${name}: ${problem.message}`;
}
