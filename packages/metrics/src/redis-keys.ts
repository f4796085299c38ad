/**
 * Every key the store uses shares one hash tag, `{<prefix>metrics}`: Redis Cluster puts them on
 * one slot, so a flush is one MULTI and a scrape one pipeline whatever the deployment.
 */
export interface MetricsKeys {
  family(id: string): string;
  /** Sorted set of instances that published process metrics (score: last publication, ms). */
  readonly instances: string;
  process(instance: string): string;
  /** Marks one flushed snapshot as applied, so a second delivery of it changes nothing. */
  claim(id: string): string;
}

export function metricsKeys(keyPrefix: string): MetricsKeys {
  const tag = `{${keyPrefix}metrics}`;
  return {
    family: (id) => `${tag}:${id}`,
    instances: `${tag}:instances`,
    process: (instance) => `${tag}:process:${instance}`,
    claim: (id) => `${tag}:claim:${id}`,
  };
}
