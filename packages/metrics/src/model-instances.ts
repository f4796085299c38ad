import { DATABASE_KINDS } from '@keepwatch/conventions';
import * as z from 'zod/mini';
import { MetricsOptionsError, ModelCountError } from './errors.js';
import type { MetricsStore } from './metrics-store.js';
import { withoutUndefined } from './options.js';
import { tableMatcher } from './table-patterns.js';
import { english } from './zod.js';
import { zodProblems } from './zod-problems.js';

/** A `pg` Pool or Client. */
export interface PgQueryable {
  query(sql: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

/** A `mysql2/promise` Pool or Connection (MySQL or MariaDB). */
export interface MysqlQueryable {
  query(sql: string, values?: unknown[]): Promise<[unknown, unknown]>;
}

/** The application database by its `DatabaseKind` (`@keepwatch/conventions`), with a ready client. */
export type ModelDatabase =
  | {
      kind: 'postgres';
      client: PgQueryable;
      /** @defaultValue the connection's `current_schema()` */
      schema?: string;
    }
  | { kind: 'mysql'; client: MysqlQueryable };

export interface ModelCountOptions {
  /** The application database and a ready client for it (the caller closes it). */
  database: ModelDatabase;
  /**
   * Tables to count (`*` wildcards); empty means every table (`[metrics] model_include`).
   * @defaultValue `[]`
   */
  include?: readonly string[];
  /**
   * Tables left out (`*` wildcards), applied after `include` (`[metrics] model_exclude`).
   * @defaultValue `[]`
   */
  exclude?: readonly string[];
  /**
   * Tables the planner estimates below this many rows get an exact `count(*)`; larger ones
   * report the estimate, so the job never scans a large table (`[metrics] model_exact_below`).
   * @defaultValue `100000`
   */
  exactBelow?: number;
}

export interface ModelCount {
  model: string;
  count: number;
  /** false when `count` is the planner's estimate. */
  exact: boolean;
}

const schema = z.object({
  database: z.object({
    kind: z.enum(DATABASE_KINDS),
    client: z.custom<PgQueryable>(
      (value) => typeof value === 'object' && value !== null && typeof (value as PgQueryable).query === 'function',
      'must be a pg or mysql2/promise pool',
    ),
    schema: z.optional(z.string().check(z.minLength(1))),
  }),
  include: z.array(z.string().check(z.minLength(1))),
  exclude: z.array(z.string().check(z.minLength(1))),
  exactBelow: z.int().check(z.gte(0)),
});

interface TableEstimate {
  name: string;
  estimate: number;
}

/** Rows per table of the application database, exact for small tables, estimated for large. */
export async function countModelInstances(options: ModelCountOptions): Promise<ModelCount[]> {
  const parsed = schema.safeParse(
    { include: [], exclude: [], exactBelow: 100_000, ...withoutUndefined(options) },
    english,
  );
  if (!parsed.success) throw new MetricsOptionsError('model count options', zodProblems(parsed.error));
  const { include, exclude, exactBelow } = parsed.data;
  const { database } = options;
  const wanted = tableMatcher(include, exclude);

  let tables: TableEstimate[];
  try {
    tables =
      database.kind === 'postgres'
        ? await pgTables(database.client, database.schema)
        : await mysqlTables(database.client);
  } catch (error) {
    throw new ModelCountError(`cannot list the tables of the application database (${database.kind})`, error);
  }

  const counts: ModelCount[] = [];
  // One table at a time: this runs in a background job and must not crowd the app's pool.
  for (const table of tables
    .filter((t) => wanted(t.name))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (table.estimate >= exactBelow) {
      counts.push({ model: table.name, count: Math.round(table.estimate), exact: false });
      continue;
    }
    try {
      const count =
        database.kind === 'postgres'
          ? await pgCount(database.client, database.schema, table.name)
          : await mysqlCount(database.client, table.name);
      counts.push({ model: table.name, count, exact: true });
    } catch (error) {
      throw new ModelCountError(`cannot count rows of table "${table.name}"`, error);
    }
  }
  return counts;
}

/** Counts and writes `model_instances` in one go: what the scheduled worker job calls. */
export async function refreshModelInstances(
  store: Pick<MetricsStore, 'setModelInstances'>,
  options: ModelCountOptions,
): Promise<ModelCount[]> {
  const counts = await countModelInstances(options);
  await store.setModelInstances(Object.fromEntries(counts.map(({ model, count }) => [model, count])));
  return counts;
}

async function pgTables(client: PgQueryable, schemaName: string | undefined): Promise<TableEstimate[]> {
  // reltuples is -1 until the first VACUUM/ANALYZE; the statistics collector's live-tuple count
  // is the next best estimate then, so a never-analysed large table is still not scanned.
  const { rows } = await client.query(
    `SELECT c.relname AS name,
            CASE WHEN c.reltuples >= 0 THEN c.reltuples ELSE coalesce(s.n_live_tup, 0) END AS estimate
       FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
      WHERE c.relkind = 'r' AND NOT c.relispartition
        AND n.nspname = coalesce($1, current_schema())`,
    [schemaName ?? null],
  );
  return (rows as Array<{ name: string; estimate: string | number }>).map((r) => ({
    name: r.name,
    estimate: Number(r.estimate),
  }));
}

async function pgCount(client: PgQueryable, schemaName: string | undefined, table: string): Promise<number> {
  const qualified = schemaName ? `${pgIdentifier(schemaName)}.${pgIdentifier(table)}` : pgIdentifier(table);
  const { rows } = await client.query(`SELECT count(*) AS n FROM ${qualified}`);
  return Number((rows[0] as { n: string }).n);
}

async function mysqlTables(client: MysqlQueryable): Promise<TableEstimate[]> {
  // TABLE_ROWS is InnoDB's estimate (NULL for views, which BASE TABLE already leaves out).
  const [rows] = await client.query(
    `SELECT TABLE_NAME AS name, TABLE_ROWS AS estimate
       FROM information_schema.TABLES
      WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE'`,
  );
  return (rows as Array<{ name: string; estimate: string | number | null }>).map((r) => ({
    name: r.name,
    estimate: Number(r.estimate ?? 0),
  }));
}

async function mysqlCount(client: MysqlQueryable, table: string): Promise<number> {
  const [rows] = await client.query(`SELECT COUNT(*) AS n FROM ${mysqlIdentifier(table)}`);
  return Number((rows as Array<{ n: string | number }>)[0]!.n);
}

// Identifier quoting by the SQL standard's doubling rule; drivers only escape values.
function pgIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function mysqlIdentifier(name: string): string {
  return `\`${name.replace(/`/g, '``')}\``;
}
