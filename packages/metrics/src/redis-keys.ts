/**
 * Every key a store uses shares one hash tag, `{<prefix>metrics:<namespace>}`: Redis Cluster
 * puts them on one slot, so a flush is one script and a scrape one pipeline whatever the
 * deployment, and a store of another namespace on the same prefix has keys of its own, so
 * neither ever reads the other's series.
 */
export interface MetricsKeys {
  /** A built-in family's hash (`view_requests`, …). */
  family(id: string): string;
  /** A declared family's hash (`store.counter({ name })`, …), by its full name. */
  custom(name: string): string;
  /** Hash of the declared families' type, help and labels, by name: how a replica that never declared one renders it. */
  readonly families: string;
  /** Sorted set of instances that published process metrics or gauges (score: last publication, ms). */
  readonly instances: string;
  process(instance: string): string;
  /** One process's own gauge values (a hash with a TTL), so they leave with the process. */
  gauges(instance: string): string;
  /** Marks one flushed snapshot as applied, so a second delivery of it changes nothing. */
  claim(id: string): string;
}

export function metricsKeys(keyPrefix: string, namespace: string): MetricsKeys {
  const tag = `{${keyPrefix}metrics:${namespace}}`;
  return {
    family: (id) => `${tag}:${id}`,
    custom: (name) => `${tag}:family:${name}`,
    families: `${tag}:families`,
    instances: `${tag}:instances`,
    process: (instance) => `${tag}:process:${instance}`,
    gauges: (instance) => `${tag}:gauges:${instance}`,
    claim: (id) => `${tag}:claim:${id}`,
  };
}
