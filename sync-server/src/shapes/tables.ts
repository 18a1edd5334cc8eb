// The tables served as Electric shapes: columns, `electric-schema` header and the page query, derived from the drizzle schema.
import { getTableConfig, type PgTable } from 'drizzle-orm/pg-core';
import {
  aliasHistory,
  detectorAlarms,
  driftReports,
  feedback,
  models,
  monitorWindows,
  notes,
  predictions,
  profileChunks,
} from '../db/schema';

/** Shape name (the `table` query parameter) → drizzle table. */
const SHAPE_TABLES = {
  predictions,
  feedback,
  models,
  alias_history: aliasHistory,
  drift_reports: driftReports,
  notes,
  monitor_windows: monitorWindows,
  detector_alarms: detectorAlarms,
  profile_chunks: profileChunks,
} as const;

export type ShapeTable = keyof typeof SHAPE_TABLES;
export const SHAPE_TABLE_NAMES = Object.keys(SHAPE_TABLES) as ShapeTable[];

export function isShapeTable(name: string | undefined | null): name is ShapeTable {
  return name != null && Object.hasOwn(SHAPE_TABLES, name);
}

/**
 * Bookkeeping column of the tables whose rows are updated (migrations 0002/0003): the `seq` a row had before its
 * first update (null for rows never updated). A row sent after cursor C is an `update` when `first_seq <= C`,
 * else an `insert`. Append-only tables (alias_history, notes, detector_alarms) have none: every row is an insert.
 */
export const FIRST_SEQ_COLUMN = 'first_seq';

/** Columns never sent: binary blobs (models.onnx) and bookkeeping. */
const OMITTED_TYPES = new Set(['bytea']);

export interface ShapeColumn {
  readonly name: string;
  /** The type named in `electric-schema`; int8 columns are declared `text` (see `columnType`). */
  readonly type: string;
  readonly notNull: boolean;
  readonly pkIndex?: number;
}

export interface TableSpec {
  readonly name: ShapeTable;
  readonly columns: readonly ShapeColumn[];
  /** JSON for the `electric-schema` header. */
  readonly schemaHeader: string;
  /** `columns` for a real Electric (quoted, comma-separated): the same columns as served locally. */
  readonly electricColumns: string;
  /** Page query: $1 cursor (exclusive), $2 horizon (inclusive), $3 row limit; one row `{ n, last, body }`. */
  readonly pageSql: string;
}

const q = (ident: string) => `"${ident.replaceAll('"', '""')}"`;

/**
 * Maps a PostgreSQL type to the Electric type name and the SQL that renders a value the way Electric does
 * (every value is text, parsed by the client per `electric-schema`). int8 is declared `text`: the client
 * would otherwise turn it into a BigInt, which IndexedDB refuses. Timestamps are ISO 8601 UTC with
 * milliseconds (`Date#toISOString()`'s format).
 */
function columnType(sqlType: string, col: string): { type: string; expr: string } {
  switch (sqlType) {
    case 'text':
      return { type: 'text', expr: col };
    case 'uuid':
      return { type: 'uuid', expr: `${col}::text` };
    case 'timestamp with time zone':
      return {
        type: 'timestamptz',
        expr: `to_char(${col} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`,
      };
    case 'jsonb':
    case 'json':
      return { type: sqlType, expr: `${col}::text` };
    case 'double precision':
      return { type: 'float8', expr: `${col}::text` };
    case 'real':
      return { type: 'float4', expr: `${col}::text` };
    case 'smallint':
      return { type: 'int2', expr: `${col}::text` };
    case 'integer':
    case 'serial':
      return { type: 'int4', expr: `${col}::text` };
    case 'boolean':
      return { type: 'bool', expr: `${col}::text` };
    default:
      // bigint, bigserial and anything else: text.
      return { type: 'text', expr: `${col}::text` };
  }
}

function buildSpec(name: ShapeTable, table: PgTable): TableSpec {
  const config = getTableConfig(table);
  const all = config.columns.map((c) => ({
    name: c.name,
    sqlType: c.getSQLType(),
    notNull: c.notNull,
    pk: c.primary,
  }));
  const sent = all.filter((c) => !OMITTED_TYPES.has(c.sqlType) && c.name !== FIRST_SEQ_COLUMN);
  const pks = sent.filter((c) => c.pk);
  if (pks.length !== 1) throw new Error(`shape table ${name} needs exactly one primary-key column`);
  const pk = pks[0]!;

  const columns: ShapeColumn[] = sent.map((c) => ({
    name: c.name,
    type: columnType(c.sqlType, 'x').type,
    notNull: c.notNull,
    ...(c.pk ? { pkIndex: 0 } : {}),
  }));
  const schema: Record<string, { type: string; not_null?: true; pk_index?: number }> = {};
  for (const c of columns) {
    schema[c.name] = {
      type: c.type,
      ...(c.notNull ? { not_null: true } : {}),
      ...(c.pkIndex === 0 ? { pk_index: 0 } : {}),
    };
  }

  const value = sent.map((c) => `'${c.name}', ${columnType(c.sqlType, q(c.name)).expr}`).join(', ');
  // Key as Electric writes it: "public"."table"/"pk" (a quote inside the value doubled).
  const key = `to_json('"public".${q(name).replaceAll("'", "''")}/"' || replace(${q(pk.name)}::text, '"', '""') || '"')::text`;
  const operation = all.some((c) => c.name === FIRST_SEQ_COLUMN)
    ? `case when ${q(FIRST_SEQ_COLUMN)} <= $1::bigint then 'update' else 'insert' end`
    : `'insert'`;
  const message = `'{"key":' || ${key} || ',"value":' || json_build_object(${value})::text || ',"headers":{"operation":"' || ${operation} || '"}}'`;
  const pageSql = `select count(*)::int as n, max(seq)::text as last, coalesce(string_agg(m, ',' order by seq), '') as body
from (select seq, ${message} as m from ${q(name)} where seq > $1::bigint and seq <= $2::bigint order by seq limit $3::int) page`;

  return {
    name,
    columns,
    schemaHeader: JSON.stringify(schema),
    electricColumns: sent.map((c) => q(c.name)).join(','),
    pageSql,
  };
}

export const TABLE_SPECS: Readonly<Record<ShapeTable, TableSpec>> = Object.fromEntries(
  SHAPE_TABLE_NAMES.map((name) => [name, buildSpec(name, SHAPE_TABLES[name])]),
) as Record<ShapeTable, TableSpec>;
