export { KeepwatchError, isKeepwatchError } from './keepwatch-error.js';
export { errorMessage } from './error-message.js';
