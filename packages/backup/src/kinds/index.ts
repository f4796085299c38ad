export { dumpKind, type DumpKindOptions } from './dump-kind.js';
export { snapshotKind, type SnapshotKindOptions } from './snapshot-kind.js';
