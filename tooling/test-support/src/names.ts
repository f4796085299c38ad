import { randomBytes } from 'node:crypto';

/** Eight random hex digits, for the names a test owns (databases, key prefixes, users). */
export function suffix(): string {
  return randomBytes(4).toString('hex');
}
