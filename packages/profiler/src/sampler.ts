/**
 * The sampling decision: true for a fraction `rate` of calls, chosen at random. Kept to one
 * comparison because it runs on every request of a sampled route.
 */
export function isSampled(rate: number): boolean {
  return rate > 0 && Math.random() < rate;
}
