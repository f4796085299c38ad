import { REDACTED, redactUrl } from '@keepwatch/conventions';
import type { ConfigOrigin } from './config-problem.js';
import { formatOrigin } from './config-problem.js';
import type { LoadedConfig } from './load-config.js';
import { envName, settings, type SectionName, type Setting } from './settings.js';
import { displayValue } from './value-parsers.js';

// One redaction of URLs for every package; `keepwatch config check` shows what they would log.
export { REDACTED, redactUrl };

/** The value of a setting as it may be printed or logged. */
export function redactValue(section: string, key: string, value: unknown): unknown {
  const setting = (settings as Record<string, Record<string, Setting<unknown>>>)[section]?.[key];
  if (!setting?.secret || value === undefined) return value;
  return key === 'url' && typeof value === 'string' ? redactUrl(value) : REDACTED;
}

/** A copy of the config with every secret redacted: safe for logs and `keepwatch config check`. */
export function redactConfig(config: LoadedConfig['config']): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [section, values] of Object.entries(config)) {
    out[section] = {};
    for (const [key, value] of Object.entries(values as Record<string, unknown>)) {
      out[section][key] = redactValue(section, key, value);
    }
  }
  return out;
}

export interface EffectiveSetting {
  key: string;
  env: string;
  value: unknown;
  origin: string;
  originDetail: ConfigOrigin;
}

/** Every setting with its redacted value and where it came from, in table order. */
export function describeConfig(loaded: LoadedConfig): EffectiveSetting[] {
  const rows: EffectiveSetting[] = [];
  for (const section of Object.keys(settings) as SectionName[]) {
    for (const key of Object.keys(settings[section])) {
      const id = `${section}.${key}`;
      const origin = loaded.origins[id] ?? { kind: 'default' };
      rows.push({
        key: id,
        env: envName(section, key),
        value: displayValue(
          (settings[section] as Record<string, Setting<unknown>>)[key]!.parser,
          redactValue(section, key, (loaded.config[section] as Record<string, unknown>)[key]),
        ),
        origin: formatOrigin(origin),
        originDetail: origin,
      });
    }
  }
  return rows;
}
