/** Jobs on the maintenance queue. They carry no payload. */
export const MaintenanceJobName = {
  /** Recount the application database's tables for `pretix_model_instances`. */
  refreshModelInstances: 'refresh-model-instances',
} as const;

export type MaintenanceJobName = (typeof MaintenanceJobName)[keyof typeof MaintenanceJobName];
