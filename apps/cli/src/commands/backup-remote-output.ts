/** A command's report, with `remote` (the remote's label) when the backup was fetched from there. */
export function withRemote<T extends object>(report: T, remote: string | undefined): T & { remote?: string } {
  return remote ? { ...report, remote } : report;
}

/** ` (fetched from <remote>)` after a backup's id, when it was. */
export function fromRemote(remote: string | undefined): string {
  return remote ? ` (fetched from ${remote})` : '';
}
