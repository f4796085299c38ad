/** One subpath of an `exports` map as keepwatch writes it. */
export interface ExportTargets {
  subpath: string;
  /** The conditions, in their order in the map. */
  conditions: string[];
  import?: { conditions: string[]; types?: unknown; default?: unknown };
  require?: { conditions: string[]; types?: unknown; default?: unknown };
  source?: unknown;
}

/** The subpaths of an `exports` map with their conditions, for checks that name what is wrong. */
export function exportTargets(exportsMap: Record<string, unknown> | undefined): ExportTargets[] {
  return Object.entries(exportsMap ?? {}).map(([subpath, value]) => {
    const entry = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
    const nested = (key: string) => {
      const inner = entry[key];
      if (typeof inner !== 'object' || inner === null) return undefined;
      const record = inner as Record<string, unknown>;
      return { conditions: Object.keys(record), types: record.types, default: record.default };
    };
    return {
      subpath,
      conditions: Object.keys(entry),
      import: nested('import'),
      require: nested('require'),
      source: entry.source,
    };
  });
}

/** Every file path an `exports` map points at. */
export function exportedFiles(exportsMap: Record<string, unknown> | undefined): string[] {
  const files: string[] = [];
  const walk = (value: unknown) => {
    if (typeof value === 'string') files.push(value);
    else if (typeof value === 'object' && value !== null) for (const inner of Object.values(value)) walk(inner);
  };
  walk(exportsMap);
  return files;
}
