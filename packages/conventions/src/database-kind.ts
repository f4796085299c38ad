/** The databases keepwatch checks, counts and backs up: PostgreSQL, and MySQL or MariaDB. */
export const DATABASE_KINDS = ['postgres', 'mysql'] as const;

/** One name per database family: `postgres` (PostgreSQL) or `mysql` (MySQL and MariaDB). */
export type DatabaseKind = (typeof DATABASE_KINDS)[number];

/**
 * The URL schemes of `[database] url`, each with the kind it connects to: libpq takes both
 * `postgres://` and `postgresql://`, and a MariaDB server speaks MySQL's protocol.
 */
export const DATABASE_URL_SCHEMES: Readonly<Record<string, DatabaseKind>> = Object.freeze({
  postgres: 'postgres',
  postgresql: 'postgres',
  mysql: 'mysql',
  mariadb: 'mysql',
});

/**
 * The kind a name stands for: a kind itself or one of the URL schemes (`postgresql`, the spelling
 * backup manifests have always written, reads as `postgres`); undefined for anything else.
 */
export function databaseKindOf(name: string): DatabaseKind | undefined {
  return Object.hasOwn(DATABASE_URL_SCHEMES, name) ? DATABASE_URL_SCHEMES[name] : undefined;
}
