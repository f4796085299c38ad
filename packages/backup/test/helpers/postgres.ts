import { pgAdmin } from '@keepwatch/test-support/postgres';

/**
 * Everything a restore must bring back, in comparable form: each table's rows (hashed), each
 * sequence's position, view and function definitions, the schemas.
 */
export async function pgFingerprint(database: string): Promise<Record<string, string>> {
  return pgAdmin(async (client) => {
    const out: Record<string, string> = {};
    const tables = await client.query<{ s: string; t: string }>(
      `SELECT schemaname AS s, tablename AS t FROM pg_tables WHERE schemaname NOT IN ('pg_catalog','information_schema') ORDER BY 1, 2`,
    );
    for (const { s, t } of tables.rows) {
      const q = `${client.escapeIdentifier(s)}.${client.escapeIdentifier(t)}`;
      const r = await client.query<{ h: string; n: string }>(
        `SELECT md5(coalesce(string_agg(x::text, E'\\n' ORDER BY x::text), '')) AS h, count(*)::text AS n FROM ${q} x`,
      );
      out[`table ${s}.${t}`] = `${r.rows[0]!.n} rows ${r.rows[0]!.h}`;
    }
    const seqs = await client.query<{ s: string; n: string }>(
      `SELECT schemaname AS s, sequencename AS n FROM pg_sequences ORDER BY 1, 2`,
    );
    for (const { s, n } of seqs.rows) {
      const r = await client.query(
        `SELECT last_value, is_called FROM ${client.escapeIdentifier(s)}.${client.escapeIdentifier(n)}`,
      );
      out[`sequence ${s}.${n}`] = JSON.stringify(r.rows[0]);
    }
    const views = await client.query<{ s: string; v: string; d: string }>(
      `SELECT schemaname AS s, viewname AS v, definition AS d FROM pg_views WHERE schemaname NOT IN ('pg_catalog','information_schema') ORDER BY 1, 2`,
    );
    for (const { s, v, d } of views.rows) out[`view ${s}.${v}`] = d;
    const fns = await client.query<{ s: string; f: string; d: string }>(
      `SELECT n.nspname AS s, p.proname AS f, pg_get_functiondef(p.oid) AS d FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname NOT IN ('pg_catalog','information_schema') ORDER BY 1, 2`,
    );
    for (const { s, f, d } of fns.rows) out[`function ${s}.${f}`] = d;
    const schemas = await client.query<{ n: string }>(
      `SELECT nspname AS n FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema' ORDER BY 1`,
    );
    out.schemas = schemas.rows.map((r) => r.n).join(',');
    return out;
  }, database);
}
