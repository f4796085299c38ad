import { describe, expect, it } from 'vitest';
import { RouteSeries } from '../src/adapters/route-series.js';
import type { ViewRecorder, ViewSeries } from '../src/metrics-store.js';

/** A recorder that keeps what it was asked, to see what a route's series resolve to. */
function countingRecorder() {
  const resolved: string[] = [];
  const observed: Record<string, number[]> = {};
  const recorder: ViewRecorder = {
    observeView: () => undefined,
    viewSeries(urlName, method, statusCode): ViewSeries {
      const name = `${urlName} ${method} ${statusCode}`;
      resolved.push(name);
      return {
        observe: (seconds) => {
          observed[name] ??= [];
          observed[name].push(seconds);
        },
      };
    },
  };
  return { recorder, resolved, observed };
}

describe('RouteSeries', () => {
  it('resolves each (method, status) of a route once and sends every observation to its own series', () => {
    const { recorder, resolved, observed } = countingRecorder();
    const route = new RouteSeries(recorder, '/orders/:id');
    route.observe('GET', 200, 0.1);
    route.observe('GET', 200, 0.2);
    route.observe('POST', 201, 0.3);
    route.observe('GET', 200, 0.4);
    route.observe('GET', 404, 0.5);
    expect(resolved).toEqual(['/orders/:id GET 200', '/orders/:id POST 201', '/orders/:id GET 404']);
    expect(observed).toEqual({
      '/orders/:id GET 200': [0.1, 0.2, 0.4],
      '/orders/:id POST 201': [0.3],
      '/orders/:id GET 404': [0.5],
    });
  });

  it('holds one series for every method it does not know (HTTP/2 lets a client send any token)', () => {
    const { recorder, resolved } = countingRecorder();
    const route = new RouteSeries(recorder, '__unmatched__');
    for (let i = 0; i < 1000; i++) route.observe(`X-SCAN-${i}`, 404, 0);
    route.observe('get', 404, 0);
    expect(resolved).toEqual(['__unmatched__ X-SCAN-0 404', '__unmatched__ get 404']);
  });
});
