import { describeErrorClasses } from '@keepwatch/test-support/error-classes';
import * as errors from '../src/errors.js';
import * as api from '../src/index.js';

// Each class constructed the way the package constructs it, so the code checked is the one thrown.
describeErrorClasses('metrics', {
  api,
  defined: [errors],
  prefix: /^KW_METRICS_/,
  samples: [
    new api.MetricsOptionsError('metrics options', ['namespace: bad']),
    new api.MetricsStoreUnavailableError('cannot read metrics from Redis within 5 ms'),
    new api.MetricsStoreClosedError('set model instances'),
    new api.ModelCountError('cannot count rows of table "orders"'),
    new api.MetricsFamilyError('counter shop_orders_total', ['labelNames: "le" is reserved']),
    new api.MetricsFamilyConflictError('shop_orders_total is declared as a counter already'),
    new api.MetricsObservationError('shop_orders_total: a counter cannot go down (-1)'),
  ],
});
