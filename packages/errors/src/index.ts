export { KeepwatchError, isKeepwatchError } from './keepwatch-error.js';
export { errorMessage } from './error-message.js';
export { retiredCodes } from './retired-codes.js';
export { isUnreachableCode } from './network-error.js';
