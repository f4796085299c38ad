import { Transform, type TransformCallback } from 'node:stream';
import type { TableCount } from '../catalog/manifest.js';

const NL = 0x0a;
const QUOTE = 0x27;
const BACKSLASH = 0x5c;
const OPEN = 0x28;
const CLOSE = 0x29;
const SEMI = 0x3b;
const COMMA = 0x2c;
const HEAD_LIMIT = 4096;

const LOCK = /^LOCK TABLES `((?:[^`]|``)+)` WRITE;\s*$/;
const UNLOCK = /^UNLOCK TABLES;\s*$/;
const INSERT = /^INSERT INTO `((?:[^`]|``)+)`(?: \((?:`(?:[^`]|``)*`|[^)`])*\))? VALUES/;
const PREFIXES = ['INSERT INTO ', 'LOCK TABLES ', 'UNLOCK TABLES'];

/**
 * Counts the rows of each table as a mysqldump / mariadb-dump SQL stream goes by, so the manifest's
 * counts come from the dump's own snapshot, at no cost to the server (a COUNT(*) of every InnoDB
 * table is a full scan each). Hand-written because no library reads dump files: it only needs
 * the dump's fixed shape — each table's data between `LOCK TABLES \`t\` WRITE;` and
 * `UNLOCK TABLES;`, in `INSERT INTO \`t\` VALUES (…),(…);` statements whose tuples are counted at
 * parenthesis depth 0, skipping quoted strings with their backslash escapes. An INSERT elsewhere
 * (a routine's body) is not counted. Anything unexpected makes `result()` return undefined, and
 * the caller counts with queries instead.
 */
export class MysqlRowCounter extends Transform {
  private readonly counts = new Map<string, number>();
  private broken = false;
  /** Current LOCK TABLES section, if any. */
  private section: string | undefined;
  // Line mode: the first bytes of the current line, until they decide what the line is.
  private head: number[] = [];
  private skipLine = false;
  // Insert mode.
  private inInsert = false;
  private inString = false;
  private escaped = false;
  private quotePending = false;
  private depth = 0;
  private table = '';
  /** mariadb-dump 10.x writes `VALUES` then one tuple per line: count lines, not characters. */
  private lineMode = false;
  private atValuesEnd = false;
  private lastByte = -1;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.inspect(chunk);
    callback(null, chunk);
  }

  /** Counts what `chunk` holds without keeping it: for a caller that reads the dump itself. */
  inspect(chunk: Buffer): void {
    if (!this.broken) this.scan(chunk);
  }

  /** Tables and rows, or undefined when the stream did not look like a dump this understands. */
  result(): TableCount[] | undefined {
    if (this.broken || this.inInsert || this.section !== undefined) return undefined;
    return [...this.counts.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, rows]) => ({ schema: '', name, rows }));
  }

  private scan(buf: Buffer): void {
    let i = 0;
    const n = buf.length;
    while (i < n) {
      if (this.inInsert) {
        i = this.scanValues(buf, i);
        continue;
      }
      if (this.skipLine) {
        const nl = buf.indexOf(NL, i);
        if (nl === -1) return;
        this.skipLine = false;
        i = nl + 1;
        continue;
      }
      const byte = buf[i++]!;
      if (byte === NL) {
        this.endLine();
        continue;
      }
      this.head.push(byte);
      this.classify();
    }
  }

  /** Decides, as early as it can, whether the line being read matters. */
  private classify(): void {
    const head = this.head;
    const length = head.length;
    if (length <= 13) {
      const text = String.fromCharCode(...head);
      if (!PREFIXES.some((p) => p.startsWith(text) || text.startsWith(p))) this.dropLine(true);
      return;
    }
    if (head[0] === 0x49 /* I */ && head[length - 1] === 0x53 /* S, end of VALUES */) {
      const match = INSERT.exec(decode(head));
      if (match) {
        const table = unquote(match[1]!);
        if (this.section === table) {
          this.table = table;
          this.inInsert = true;
          this.depth = 0;
          this.inString = false;
          this.lineMode = false;
          this.atValuesEnd = true;
          this.head = [];
        } else {
          this.dropLine(true);
        }
        return;
      }
    }
    if (length > HEAD_LIMIT) this.broken = true;
  }

  private endLine(): void {
    const line = decode(this.head);
    this.head = [];
    const lock = LOCK.exec(line);
    if (lock) {
      if (this.section !== undefined) this.broken = true;
      this.section = unquote(lock[1]!);
      if (!this.counts.has(this.section)) this.counts.set(this.section, 0);
    } else if (UNLOCK.test(line)) {
      this.section = undefined;
    } else if (line.startsWith('INSERT INTO ') && this.section !== undefined) {
      // An INSERT inside a data section that did not parse: do not guess.
      this.broken = true;
    }
  }

  private dropLine(skip: boolean): void {
    this.head = [];
    this.skipLine = skip;
  }

  /**
   * Rows of one INSERT. A dump never has a raw newline inside a value (mysqldump escapes it as
   * `\n`), so when `VALUES` ends its line, every following line is one tuple ending in `,` or
   * `;`: counted with one memchr a row. Otherwise (mysqldump 8: all tuples on one line) tuples
   * are counted at parenthesis depth 0, skipping strings.
   */
  private scanValues(buf: Buffer, start: number): number {
    if (this.atValuesEnd) {
      this.atValuesEnd = false;
      if (buf[start] === NL) {
        this.lineMode = true;
        return start + 1;
      }
      if (buf[start] === 0x0d && buf[start + 1] === NL) {
        this.lineMode = true;
        return start + 2;
      }
    }
    if (this.lineMode) return this.scanLines(buf, start);
    return this.scanTuples(buf, start);
  }

  private scanLines(buf: Buffer, start: number): number {
    let i = start;
    let rows = 0;
    for (;;) {
      const nl = buf.indexOf(NL, i);
      if (nl === -1) {
        // The tail of a line: remember its last byte, the line is counted when it ends.
        if (buf.length > i) this.lastByte = buf[buf.length - 1]!;
        i = buf.length;
        break;
      }
      const last = nl > i ? buf[nl - 1]! : this.lastByte;
      this.lastByte = -1;
      i = nl + 1;
      rows++;
      if (last === COMMA) continue;
      // A tuple line ends in `,` or, the last one, `;`; anything else is not a dump we know.
      if (last !== SEMI) this.broken = true;
      this.inInsert = false;
      break;
    }
    this.counts.set(this.table, (this.counts.get(this.table) ?? 0) + rows);
    return i;
  }

  /** Counts depth-0 tuples until the statement's `;`; returns where it stopped. */
  private scanTuples(buf: Buffer, start: number): number {
    let i = start;
    const n = buf.length;
    let rows = 0;
    // Next quote / backslash at or after i (-1: none left in this chunk). Cached, because strings
    // are many and short and each indexOf would otherwise scan to the chunk's end.
    let nextQuote = -2;
    let nextSlash = -2;
    while (i < n) {
      if (this.inString) {
        if (this.escaped) {
          this.escaped = false;
          i++;
          continue;
        }
        if (this.quotePending) {
          // '' inside a string is a quote; anything else means the string ended before it.
          this.quotePending = false;
          if (buf[i] === QUOTE) {
            i++;
            continue;
          }
          this.inString = false;
          continue;
        }
        if (nextQuote !== -1 && nextQuote < i) nextQuote = buf.indexOf(QUOTE, i);
        if (nextSlash !== -1 && nextSlash < i) nextSlash = buf.indexOf(BACKSLASH, i);
        if (nextSlash !== -1 && (nextQuote === -1 || nextSlash < nextQuote)) {
          this.escaped = true;
          i = nextSlash + 1;
        } else if (nextQuote === -1) {
          i = n;
        } else {
          this.quotePending = true;
          i = nextQuote + 1;
        }
        continue;
      }
      const byte = buf[i++]!;
      if (byte === QUOTE) this.inString = true;
      else if (byte === OPEN) {
        if (this.depth === 0) rows++;
        this.depth++;
      } else if (byte === CLOSE) this.depth--;
      else if (byte === SEMI && this.depth === 0) {
        this.inInsert = false;
        this.skipLine = true;
        break;
      }
    }
    this.counts.set(this.table, (this.counts.get(this.table) ?? 0) + rows);
    return i;
  }
}

function decode(bytes: number[]): string {
  return Buffer.from(bytes).toString('utf8');
}

function unquote(name: string): string {
  return name.replace(/``/g, '`');
}
