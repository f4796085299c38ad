import type { ViewRecorder, ViewSeries } from '../metrics-store.js';

/**
 * The view series of one route, by method and status, each resolved once: a request then costs
 * two lookups of small maps instead of naming its series again. Bounded: Node's HTTP parser
 * knows a fixed set of methods, and statuses are three digits.
 */
export class RouteSeries {
  private readonly byMethod = new Map<string, Map<number, ViewSeries>>();

  constructor(
    private readonly recorder: ViewRecorder,
    private readonly urlName: string,
  ) {}

  get(method: string, statusCode: number): ViewSeries {
    let byStatus = this.byMethod.get(method);
    if (byStatus === undefined) {
      byStatus = new Map();
      this.byMethod.set(method, byStatus);
    }
    let series = byStatus.get(statusCode);
    if (series === undefined) {
      series = this.recorder.viewSeries(this.urlName, method, statusCode);
      byStatus.set(statusCode, series);
    }
    return series;
  }
}
