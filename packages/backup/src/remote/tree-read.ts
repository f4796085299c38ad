import { text } from 'node:stream/consumers';
import type { Storage, StorageObject } from '../storage/storage.js';
import { RemoteIntegrityError } from './errors.js';
import { type TreeEntry, type TreeHeader, type TreeLayout, parseHeaderLine, parseTree } from './tree-layout.js';

// The header line is short (well under 1 KiB); this much of an index is read to list a snapshot.
const HEADER_BYTES = 4096;

/** The whole index of snapshot `id`; `RemoteIntegrityError` when it cannot be parsed. Storage errors pass through. */
export async function readTree(
  storage: Storage,
  layout: TreeLayout,
  id: string,
): Promise<{ header: TreeHeader; entries: TreeEntry[] }> {
  const body = await text(await storage.read(layout.indexKey(id)));
  try {
    const tree = parseTree(body);
    if (tree.header.id !== id) throw new Error(`the index is of snapshot "${tree.header.id}"`);
    return tree;
  } catch (error) {
    throw new RemoteIntegrityError(storage.label, id, undefined, (error as Error).message, error);
  }
}

/** Only the header of the index `object` (one ranged read), for listings. */
export async function readTreeHeader(storage: Storage, object: StorageObject, id: string): Promise<TreeHeader> {
  const head = await text(await storage.read(object.key, { offset: 0, length: Math.min(object.size, HEADER_BYTES) }));
  const newline = head.indexOf('\n');
  try {
    if (newline === -1) throw new Error('the index header is cut short');
    return parseHeaderLine(head.slice(0, newline));
  } catch (error) {
    throw new RemoteIntegrityError(storage.label, id, undefined, (error as Error).message, error);
  }
}
