import { KeepwatchError } from '@keepwatch/errors';
import { describe, expect, it } from 'vitest';
import { metricsErrorClasses } from '../src/index.js';

// Each class constructed the way the package constructs it, so the code checked is the one thrown.
const samples: Record<string, () => KeepwatchError> = {
  MetricsOptionsError: () => new metricsErrorClasses[0]('metrics options', ['namespace: bad']),
  MetricsStoreUnavailableError: () => new metricsErrorClasses[1]('cannot read metrics from Redis within 5 ms'),
  MetricsStoreClosedError: () => new metricsErrorClasses[2]('set model instances'),
  ModelCountError: () => new metricsErrorClasses[3]('cannot count rows of table "orders"'),
  MetricsFamilyError: () =>
    new metricsErrorClasses[4]('counter "shop-orders"', ['name: must be a Prometheus metric name']),
  MetricsFamilyConflictError: () => new metricsErrorClasses[5]('shop_orders_total is declared already'),
  MetricsObservationError: () => new metricsErrorClasses[6]('shop_orders_total has no label "country"'),
};

describe('metrics errors', () => {
  it('has one sample per error class', () => {
    expect(Object.keys(samples).sort()).toEqual(metricsErrorClasses.map((c) => c.name).sort());
  });

  it('gives every class a unique KW_METRICS_ code, its own name, and the base class', () => {
    const codes = new Set<string>();
    for (const [name, make] of Object.entries(samples)) {
      const error = make();
      expect(error).toBeInstanceOf(KeepwatchError);
      expect(error.name).toBe(name);
      expect(error.code).toMatch(/^KW_METRICS_[A-Z_]+$/);
      expect(codes.has(error.code)).toBe(false);
      codes.add(error.code);
    }
    expect(codes.size).toBe(metricsErrorClasses.length);
  });
});
