// `@keepwatch/metrics/express`: the Express middleware (it imports nothing from express).
export { expressMetrics, urlName } from './adapters/express.js';
export type { ExpressMetricsOptions } from './adapters/express.js';
