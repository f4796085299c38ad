export { QueueName, allQueueNames } from './queue-names.js';
export { JobPayloadError } from './errors.js';
export { parsePayload } from './parse-payload.js';
