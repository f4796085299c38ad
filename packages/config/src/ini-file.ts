import type { ConfigProblem } from './config-problem.js';

/** One `key = value` line of an INI file, with where it stands. */
export interface IniEntry {
  section: string;
  key: string;
  value: string;
  line: number;
}

/**
 * Parses the INI dialect self-hosters know from pretix and Python's configparser: `[section]`
 * headers, `key = value` (or `key: value`), `#` and `;` comment lines, surrounding quotes removed.
 *
 * Hand-written on purpose: the `ini` package drops line numbers, and every config error must point
 * at its file and line.
 */
export function parseIni(text: string, path: string): { entries: IniEntry[]; problems: ConfigProblem[] } {
  const entries: IniEntry[] = [];
  const problems: ConfigProblem[] = [];
  let section: string | undefined;
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) return;
    const header = /^\[([^\]]+)\]$/.exec(trimmed);
    if (header) {
      section = header[1]!.trim().toLowerCase();
      return;
    }
    const match = /^([A-Za-z0-9_.-]+)\s*[=:]\s*(.*)$/.exec(trimmed);
    if (!match) {
      problems.push({
        key: section ?? 'file',
        origin: { kind: 'file', path, line },
        message: 'expected "key = value", a [section] header or a comment',
      });
      return;
    }
    if (section === undefined) {
      problems.push({
        key: match[1]!.toLowerCase(),
        origin: { kind: 'file', path, line },
        message: 'a setting before the first [section] header',
      });
      return;
    }
    entries.push({ section, key: match[1]!.toLowerCase(), value: unquote(match[2]!.trim()), line });
  });
  return { entries, problems };
}

function unquote(value: string): string {
  if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.at(-1) === value[0]) {
    return value.slice(1, -1);
  }
  return value;
}
