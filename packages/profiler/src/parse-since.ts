import { ProfileFilterError } from './errors.js';

// Four units cover `--since`; a dependency such as `ms` would also accept "1 hour" and
// "1.5 weeks", which makes the flag's documented grammar harder to state.
const unitMs = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
const relativePattern = /^(\d+(?:\.\d+)?)(s|m|h|d|w)$/;
const isoPattern = /^\d{4}-\d{2}-\d{2}(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * Reads `--since`: a relative duration back from `now` (`30m`, `1h`, `2d`, `1w`, `90s`) or an ISO
 * time (`2025-03-14`, `2025-03-14T10:00:00Z`). Throws `ProfileFilterError` naming the value.
 */
export function parseSince(value: string | Date, now: Date = new Date()): Date {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new ProfileFilterError('since', 'the date is invalid');
    return value;
  }
  const text = value.trim();
  const relative = relativePattern.exec(text);
  if (relative) {
    const [, amount, unit] = relative as unknown as [string, string, keyof typeof unitMs];
    return new Date(now.getTime() - Number(amount) * unitMs[unit]);
  }
  if (isoPattern.test(text)) {
    const time = Date.parse(text);
    if (!Number.isNaN(time)) return new Date(time);
  }
  throw new ProfileFilterError(
    'since',
    `"${text}" is neither an ISO time (2025-03-14T10:00:00Z) nor a duration such as 30m, 1h, 2d`,
  );
}
