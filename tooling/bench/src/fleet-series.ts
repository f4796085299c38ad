/** The label set of series `i` of the fleet benchmark: a route name and a status, as a view's. */
export function labelSet(i: number): { route: string; status: string } {
  return { route: `/route-${Math.floor(i / 5)}/:id`, status: String(200 + (i % 5)) };
}
