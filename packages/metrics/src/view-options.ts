import * as z from 'zod/mini';
import { MetricsOptionsError } from './errors.js';
import { withoutUndefined } from './options.js';
import { english } from './zod.js';
import { zodProblems } from './zod-problems.js';

export interface ViewInstrumentationOptions {
  /**
   * Route patterns (and, for requests no route matched, raw paths) left out of the view metrics.
   * @defaultValue `['/healthcheck/', '/metrics']`
   */
  excludePaths?: readonly string[];
  /**
   * The one `url_name` of every request that matched no route, so scanners cannot mint series.
   * @defaultValue `'__unmatched__'`
   */
  unmatchedName?: string;
}

export interface ResolvedViewOptions {
  readonly excludePaths: ReadonlySet<string>;
  readonly unmatchedName: string;
}

const schema = z.object({
  excludePaths: z.array(z.string()),
  unmatchedName: z.string().check(z.minLength(1)),
});

/** The `url_name` of requests no route matched, unless `unmatchedName` says otherwise. */
export const defaultUnmatchedName = '__unmatched__';

export function resolveViewOptions(options: ViewInstrumentationOptions = {}): ResolvedViewOptions {
  const result = schema.safeParse(
    { excludePaths: ['/healthcheck/', '/metrics'], unmatchedName: defaultUnmatchedName, ...withoutUndefined(options) },
    english,
  );
  if (!result.success) throw new MetricsOptionsError('view instrumentation options', zodProblems(result.error));
  return Object.freeze({ excludePaths: new Set(result.data.excludePaths), unmatchedName: result.data.unmatchedName });
}

/** The path of a request URL without its query string. */
export function pathOf(url: string | undefined): string {
  if (!url) return '';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/**
 * The `url_name` of a request, or undefined when it is excluded. `route` is the matched route's
 * explicit name or pattern; undefined means no route matched.
 */
export function viewName(
  options: ResolvedViewOptions,
  route: string | undefined,
  rawUrl: string | undefined,
): string | undefined {
  if (route !== undefined) return options.excludePaths.has(route) ? undefined : route;
  return options.excludePaths.has(pathOf(rawUrl)) ? undefined : options.unmatchedName;
}
