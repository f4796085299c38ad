/** One entry directly under a remote folder. */
export interface RemoteEntry {
  name: string;
  type: 'file' | 'dir' | 'symlink' | 'other';
  /** As the remote reports it (for a directory, the directory entry's size). */
  size: number;
  /** To the second, in the remote's time zone as rsync prints it, read as UTC. */
  modifiedAt: Date;
}

export interface PushOptions {
  /**
   * An earlier copy on the remote (a path relative to the remote directory) to hard-link unchanged
   * files from, so pushing a snapshot sends and stores only what changed. Directories only.
   * @defaultValue undefined
   */
  linkDest?: string;
}

/**
 * A second place for backups, off the machine, so a lost disk does not take them with it.
 * Paths are relative to the destination's root and made of "/"-separated names; every copy is
 * written under a temporary name and renamed when complete, so a listed entry is never half
 * there. Implementations: `rsyncOverSsh`, and `storageRemote` over any `Storage` (S3, SSH, a local
 * directory), which keeps a pushed directory as content-addressed objects plus one index.
 */
export interface RemoteDestination {
  /** For messages: `backup@host:22/srv/keepwatch`; never holds a secret. */
  readonly label: string;
  /** Copies a local file or directory (modes, times, symlinks, hard links kept) to `remotePath`, replacing what was there. */
  push(localPath: string, remotePath: string, options?: PushOptions): Promise<void>;
  /** Copies `remotePath` to `localPath`, which must not exist yet; throws `RemoteNotFoundError` when missing. */
  pull(remotePath: string, localPath: string): Promise<void>;
  /** Entries directly under `remoteDir` (default: the root), by name, without temporaries; empty when it does not exist. */
  list(remoteDir?: string): Promise<RemoteEntry[]>;
  /** Deletes `remotePath` and any temporary of it; no error when it is already gone. */
  remove(remotePath: string): Promise<void>;
  /**
   * Removes what interrupted pushes under `remoteDir` left behind (temporaries, incomplete
   * multipart uploads) and returns their names. Only for a caller that holds the lock of the
   * source that pushes there (right before a push): an upload in progress under `remoteDir`
   * would be cut short. Nothing outside `remoteDir` is touched.
   */
  removeIncomplete(remoteDir: string): Promise<string[]>;
}
