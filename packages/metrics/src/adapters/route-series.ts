import { normalizeMethod } from '../http-method.js';
import type { ViewRecorder, ViewSeries } from '../metrics-store.js';

/**
 * The view series of one route, by method and status, each resolved once. A route answers
 * nearly every request with the same method and status as the one before, so that series is
 * kept at hand: the usual request compares two values and touches no map.
 */
export class RouteSeries {
  private readonly byKey = new Map<string, ViewSeries>();
  private lastMethod = '';
  private lastStatus = 0;
  private last: ViewSeries | undefined;

  constructor(
    private readonly recorder: ViewRecorder,
    private readonly urlName: string,
  ) {}

  observe(method: string, statusCode: number, seconds: number): void {
    if (method !== this.lastMethod || statusCode !== this.lastStatus || this.last === undefined) {
      this.select(method, statusCode);
    }
    this.last!.observe(seconds);
  }

  private select(method: string, statusCode: number): void {
    // Keyed by the folded method: HTTP/2 lets a client send any token as a method, and each
    // must not cost a map entry. Statuses are three digits.
    const key = `${normalizeMethod(method)} ${statusCode}`;
    let series = this.byKey.get(key);
    if (series === undefined) {
      series = this.recorder.viewSeries(this.urlName, method, statusCode);
      this.byKey.set(key, series);
    }
    this.lastMethod = method;
    this.lastStatus = statusCode;
    this.last = series;
  }
}
