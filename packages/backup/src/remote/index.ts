export { rsyncOverSsh, parseListing } from './rsync-over-ssh.js';
export {
  resolveRsyncOverSshOptions,
  type ResolvedRsyncOverSshOptions,
  type RsyncOverSshOptions,
} from './rsync-options.js';
export type { PushOptions, RemoteDestination, RemoteEntry } from './remote-destination.js';
export { checkRemotePath } from './remote-path.js';
export {
  RemoteIntegrityError,
  RemoteNotFoundError,
  RemotePathError,
  RemoteSourceChangedError,
  RemoteTransferError,
} from './errors.js';
export { storageRemote, type StorageRemoteOptions } from './storage-remote.js';
