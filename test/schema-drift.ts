import { getDMMF } from '@prisma/internals';
import type { Client } from 'pg';

/**
 * Compares what `schema.prisma` declares with what the migrations built, in one shape both sides
 * can be reduced to. `prisma migrate diff` would do this, but it needs the native schema engine
 * that cannot be downloaded here (docs/offline-migrations.md), so the test does it by hand.
 */

type Datamodel = Awaited<ReturnType<typeof getDMMF>>['datamodel'];
type Field = Datamodel['models'][number]['fields'][number];

export interface ColumnShape {
  /** Postgres type in short form: `text`, `integer`, `timestamptz(3)`, `jsonb`, `text[]`, `enum "DeliveryStatus"`. */
  type: string;
  nullable: boolean;
  /** Normalised default: `now()`, `autoincrement()`, a literal without quotes or casts, or null. */
  default: string | null;
  isList: boolean;
}

export interface IndexShape {
  name: string;
  table: string;
  /** Key columns in order, with ` DESC` (and a non-default ` NULLS …`) where they are not plain ascending. */
  columns: string[];
  kind: 'primary key' | 'unique index' | 'index';
  method: string;
  /** Something schema.prisma cannot express (a WHERE clause, INCLUDE columns), or null. */
  extra: string | null;
}

export interface ForeignKeyShape {
  name: string;
  table: string;
  columns: string[];
  refTable: string;
  refColumns: string[];
  onDelete: string;
  onUpdate: string;
}

export interface DatabaseShape {
  /** table -> column -> shape */
  tables: Map<string, Map<string, ColumnShape>>;
  /** enum type name -> labels in declaration order */
  enums: Map<string, string[]>;
  /** keyed by index name (unique within a Postgres schema) */
  indexes: Map<string, IndexShape>;
  /** keyed by `table(col, col)` */
  foreignKeys: Map<string, ForeignKeyShape>;
  /** Schema features this comparison does not model; reported as differences so nobody trusts a blind spot. */
  unsupported: string[];
}

/*
 * Partitions (events, deliveries and attempts are partitioned by day) are left out: Prisma sees only
 * their parent, which carries every column, index and foreign key the schema declares. A partition's
 * indexes and foreign keys are the parent's, cloned; the parent is compared, its clones are not.
 */

/** Prisma's own bookkeeping table; never declared in schema.prisma. */
const IGNORED_TABLES = new Set(['_prisma_migrations']);

const POSTGRES_MAX_IDENTIFIER = 63;

// ---------------------------------------------------------------------------------------------
// schema.prisma -> shape

/**
 * `db` renders the `where: raw("…")` of partial indexes as Postgres prints them back, so both sides
 * are compared in Postgres's own words (it adds casts and parentheses, and turns `IN` into `= ANY`).
 */
export async function expectedShape(datamodelSource: string, db: Client): Promise<DatabaseShape> {
  const { datamodel } = await getDMMF({ datamodel: datamodelSource });
  const predicates = declaredPredicates(datamodelSource);
  const shape = shapeFromDatamodel(datamodel, predicates);
  for (const index of shape.indexes.values()) {
    if (index.extra === null) continue;
    const rendered = await renderPredicate(db, index.table, index.columns[0].split(' ')[0], index.extra);
    index.extra = 'error' in rendered ? `WHERE ${index.extra} (which Postgres refuses: ${rendered.error})` : `WHERE ${rendered.predicate}`;
  }
  if (/@@(?:index|unique)\([^\n]*where: \{/.test(datamodelSource))
    shape.unsupported.push('a partial index in object syntax (`where: { … }`) is not compared by the drift test: write it as `where: raw("…")`');
  return shape;
}

/** The `where: raw("…")` of each `@@index`/`@@unique`, keyed by model and field names: DMMF leaves it out. */
function declaredPredicates(source: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const [, model, body] of source.matchAll(/^model (\w+) \{([\s\S]*?)^\}/gm)) {
    for (const [, fields, predicate] of body.matchAll(/@@(?:index|unique)\(\[([^\]]*)\][^\n]*?where: raw\("((?:[^"\\]|\\.)*)"\)/g)) {
      const names = fields.split(',').map((field) => field.trim().replace(/\(.*$/, ''));
      found.set(predicateKey(model, names), predicate.replace(/\\(.)/g, '$1'));
    }
  }
  return found;
}

const predicateKey = (model: string, fields: string[]) => `${model}(${fields.join(', ')})`;

/** How Postgres prints `predicate` back, from an index on a scratch copy of `table` that is rolled back. */
async function renderPredicate(db: Client, table: string, column: string, predicate: string): Promise<{ predicate: string } | { error: string }> {
  await db.query('BEGIN');
  try {
    await db.query(`CREATE TEMP TABLE drift_probe (LIKE "${table}")`);
    await db.query(`CREATE INDEX drift_probe_idx ON drift_probe ("${column}") WHERE ${predicate}`);
    const { rows } = await db.query<{ predicate: string }>(`SELECT pg_get_expr(indpred, indrelid) AS predicate FROM pg_index WHERE indexrelid = 'drift_probe_idx'::regclass`);
    return { predicate: rows[0].predicate };
  } catch (error) {
    return { error: (error as Error).message };
  } finally {
    await db.query('ROLLBACK');
  }
}

function shapeFromDatamodel(datamodel: Datamodel, predicates: Map<string, string>): DatabaseShape {
  const shape: DatabaseShape = { tables: new Map(), enums: new Map(), indexes: new Map(), foreignKeys: new Map(), unsupported: [] };
  const enumDbName = new Map(datamodel.enums.map((e) => [e.name, e.dbName ?? e.name]));
  for (const e of datamodel.enums)
    shape.enums.set(
      e.dbName ?? e.name,
      e.values.map((v) => v.dbName ?? v.name),
    );

  const models = new Map(datamodel.models.map((m) => [m.name, m]));
  const tableOf = (model: string) => models.get(model)!.dbName ?? model;
  const columnOf = (model: string, field: string) => {
    const f = models.get(model)!.fields.find((x) => x.name === field)!;
    return f.dbName ?? f.name;
  };

  for (const model of datamodel.models) {
    const table = tableOf(model.name);
    const columns = new Map<string, ColumnShape>();
    for (const field of model.fields) {
      if (field.kind === 'object') continue;
      if (field.kind === 'unsupported') {
        shape.unsupported.push(`${table}.${field.dbName ?? field.name}: Unsupported("${field.type}") columns are not compared by the drift test`);
        continue;
      }
      columns.set(field.dbName ?? field.name, {
        type: expectedType(field, enumDbName),
        // Prisma creates list columns without NOT NULL and reads any array column as a list, so the
        // comparison below does not hold nullability against list columns either way.
        nullable: field.isList ? true : !field.isRequired,
        default: expectedDefault(field),
        isList: field.isList,
      });
    }
    shape.tables.set(table, columns);

    for (const field of model.fields) {
      if (field.kind !== 'object') continue;
      if (!field.relationFromFields?.length) {
        const target = models.get(field.type)!;
        const back = target.fields.find((f) => f.relationName === field.relationName && f !== field);
        if (field.isList && back?.isList) {
          shape.unsupported.push(`${table}: implicit many-to-many relation ${field.relationName} is not compared by the drift test`);
        }
        continue;
      }
      const columnsOfFk = field.relationFromFields.map((f) => columnOf(model.name, f));
      const required = field.relationFromFields.every((f) => model.fields.find((x) => x.name === f)!.isRequired);
      const fk: ForeignKeyShape = {
        name: constraintName(table, columnsOfFk, 'fkey'),
        table,
        columns: columnsOfFk,
        refTable: tableOf(field.type),
        refColumns: (field.relationToFields ?? []).map((f) => columnOf(field.type, f)),
        onDelete: referentialAction(field.relationOnDelete ?? (required ? 'Restrict' : 'SetNull')),
        onUpdate: referentialAction(field.relationOnUpdate ?? 'Cascade'),
      };
      shape.foreignKeys.set(foreignKeyKey(fk), fk);
    }
  }

  for (const index of datamodel.indexes) {
    const table = tableOf(index.model);
    const columns = index.fields.map((f) => columnOf(index.model, f.name));
    if (index.type === 'fulltext') {
      shape.unsupported.push(`${table}: @@fulltext is not compared by the drift test`);
      continue;
    }
    const fieldNames = index.fields.map((f) => f.name);
    const suffix = index.type === 'id' ? 'pkey' : index.type === 'unique' ? 'key' : 'idx';
    const name = index.dbName ?? (index.type === 'id' ? constraintName(table, [], 'pkey') : constraintName(table, columns, suffix));
    shape.indexes.set(name, {
      name,
      table,
      columns: index.fields.map((f, i) => columns[i] + (f.sortOrder === 'desc' ? ' DESC' : '')),
      kind: index.type === 'id' ? 'primary key' : index.type === 'unique' ? 'unique index' : 'index',
      method: (index.algorithm ?? 'BTree').toLowerCase(),
      // The raw predicate for now; expectedShape has Postgres print it.
      extra: predicates.get(predicateKey(index.model, fieldNames)) ?? null,
    });
  }
  return shape;
}

/** Prisma's default constraint names: `<table>_<columns>_<suffix>`, cut to fit 63 bytes. */
function constraintName(table: string, columns: string[], suffix: string): string {
  const stem = [table, ...columns].join('_');
  return `${stem.slice(0, POSTGRES_MAX_IDENTIFIER - suffix.length - 1)}_${suffix}`;
}

function referentialAction(prisma: string): string {
  const actions: Record<string, string> = {
    Cascade: 'CASCADE',
    Restrict: 'RESTRICT',
    NoAction: 'NO ACTION',
    SetNull: 'SET NULL',
    SetDefault: 'SET DEFAULT',
  };
  return actions[prisma] ?? `unknown action ${prisma}`;
}

const SCALAR_TYPES: Record<string, string> = {
  String: 'text',
  Int: 'integer',
  BigInt: 'bigint',
  Boolean: 'boolean',
  DateTime: 'timestamp(3)',
  Json: 'jsonb',
  Float: 'double precision',
  Decimal: 'numeric(65,30)',
  Bytes: 'bytea',
};

/** `@db.X(args)` to the short form used for database columns. */
function nativeType(name: string, args: readonly string[]): string {
  const a = args.join(',');
  switch (name) {
    case 'Timestamptz':
      return `timestamptz(${args[0] ?? 6})`;
    case 'Timestamp':
      return `timestamp(${args[0] ?? 6})`;
    case 'Time':
      return `time(${args[0] ?? 6})`;
    case 'Timetz':
      return `timetz(${args[0] ?? 6})`;
    case 'VarChar':
      return args.length ? `varchar(${a})` : 'varchar';
    case 'Char':
      return `char(${args[0] ?? 1})`;
    case 'Decimal':
      return args.length ? `numeric(${a})` : 'numeric';
    case 'DoublePrecision':
      return 'double precision';
    case 'JsonB':
      return 'jsonb';
    case 'ByteA':
      return 'bytea';
    case 'Integer':
      return 'integer';
    case 'SmallInt':
      return 'smallint';
    default:
      return args.length ? `${name.toLowerCase()}(${a})` : name.toLowerCase();
  }
}

function expectedType(field: Field, enumDbName: Map<string, string>): string {
  let base: string;
  if (field.kind === 'enum') base = `enum "${enumDbName.get(field.type) ?? field.type}"`;
  else if (field.nativeType) base = nativeType(field.nativeType[0], field.nativeType[1]);
  else base = SCALAR_TYPES[field.type] ?? `unknown Prisma type ${field.type}`;
  return field.isList ? `${base}[]` : base;
}

/** The default Postgres holds for a field; client-side defaults (uuid(), cuid(), ...) have none. */
function expectedDefault(field: Field): string | null {
  const value = field.default;
  if (value === undefined || value === null) return null;
  if (Array.isArray(value)) return `[${value.map(String).join(', ')}]`;
  if (typeof value === 'object') {
    const fn = value as { name: string; args: readonly (string | number)[] };
    if (fn.name === 'now') return 'now()';
    if (fn.name === 'autoincrement') return 'autoincrement()';
    if (fn.name === 'dbgenerated') return fn.args.length ? String(fn.args[0]) : null;
    return null;
  }
  return String(value);
}

// ---------------------------------------------------------------------------------------------
// database -> shape

export async function actualShape(db: Client): Promise<DatabaseShape> {
  const shape: DatabaseShape = { tables: new Map(), enums: new Map(), indexes: new Map(), foreignKeys: new Map(), unsupported: [] };

  const tables = await db.query<{ table: string }>(
    `SELECT c.relname::text AS "table"
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition`,
  );
  for (const { table } of tables.rows) if (!IGNORED_TABLES.has(table)) shape.tables.set(table, new Map());

  // pg_catalog rather than information_schema: it keeps typmods (timestamptz(3)) and enum names.
  const columns = await db.query<{ table: string; column: string; type: string; not_null: boolean; enum_type: boolean; default: string | null; is_list: boolean }>(
    `SELECT c.relname::text AS "table", a.attname::text AS "column", a.attnotnull AS not_null,
            format_type(a.atttypid, a.atttypmod) AS type,
            (t.typtype = 'e' OR COALESCE(et.typtype = 'e', false)) AS enum_type,
            t.typcategory = 'A' AS is_list,
            pg_get_expr(d.adbin, d.adrelid) AS "default"
       FROM pg_attribute a
       JOIN pg_class c ON c.oid = a.attrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_type t ON t.oid = a.atttypid
       LEFT JOIN pg_type et ON et.oid = t.typelem AND t.typcategory = 'A'
       LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND a.attnum > 0 AND NOT a.attisdropped`,
  );
  for (const row of columns.rows) {
    shape.tables.get(row.table)?.set(row.column, {
      type: databaseType(row.type, row.enum_type),
      nullable: !row.not_null,
      default: databaseDefault(row.default, row.is_list),
      isList: row.is_list,
    });
  }

  const enums = await db.query<{ name: string; labels: string[] }>(
    `SELECT t.typname::text AS name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS labels
       FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE n.nspname = current_schema()
      GROUP BY t.typname`,
  );
  for (const row of enums.rows) shape.enums.set(row.name, row.labels);

  const indexes = await db.query<{ name: string; table: string; columns: string[]; primary: boolean; unique: boolean; method: string; predicate: string | null; included: number }>(
    `SELECT i.relname::text AS name, t.relname::text AS "table", ix.indisprimary AS primary, ix.indisunique AS unique,
            am.amname::text AS method, pg_get_expr(ix.indpred, ix.indrelid) AS predicate,
            ix.indnatts - ix.indnkeyatts AS included,
            ARRAY(
              SELECT CASE WHEN k.attnum = 0 THEN pg_get_indexdef(ix.indexrelid, k.ord::int, true) ELSE a.attname::text END
                  || CASE WHEN ix.indoption[k.ord - 1] & 1 = 1 THEN ' DESC' ELSE '' END
                  || CASE (ix.indoption[k.ord - 1] & 3)
                       WHEN 2 THEN ' NULLS FIRST' WHEN 1 THEN ' NULLS LAST' ELSE '' END
                FROM unnest(ix.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
                LEFT JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.attnum
               WHERE k.ord <= ix.indnkeyatts
               ORDER BY k.ord
            ) AS columns
       FROM pg_index ix
       JOIN pg_class i ON i.oid = ix.indexrelid
       JOIN pg_class t ON t.oid = ix.indrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
       JOIN pg_am am ON am.oid = i.relam
      WHERE n.nspname = current_schema() AND NOT t.relispartition`,
  );
  for (const row of indexes.rows) {
    if (IGNORED_TABLES.has(row.table)) continue;
    const extra = [row.predicate && `WHERE ${row.predicate}`, row.included > 0 && `INCLUDE ${row.included} column(s)`].filter(Boolean).join(' ');
    shape.indexes.set(row.name, {
      name: row.name,
      table: row.table,
      columns: row.columns,
      kind: row.primary ? 'primary key' : row.unique ? 'unique index' : 'index',
      method: row.method,
      extra: extra || null,
    });
  }

  const fks = await db.query<{ name: string; table: string; ref_table: string; columns: string[]; ref_columns: string[]; on_delete: string; on_update: string }>(
    `SELECT con.conname::text AS name, t.relname::text AS "table", rt.relname::text AS ref_table,
            con.confdeltype::text AS on_delete, con.confupdtype::text AS on_update,
            ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum ORDER BY k.ord) AS columns,
            ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum ORDER BY k.ord) AS ref_columns
       FROM pg_constraint con
       JOIN pg_class t ON t.oid = con.conrelid
       JOIN pg_class rt ON rt.oid = con.confrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE con.contype = 'f' AND n.nspname = current_schema() AND con.conparentid = 0 AND NOT t.relispartition`,
  );
  const actions: Record<string, string> = { a: 'NO ACTION', r: 'RESTRICT', c: 'CASCADE', n: 'SET NULL', d: 'SET DEFAULT' };
  for (const row of fks.rows) {
    if (IGNORED_TABLES.has(row.table)) continue;
    const fk: ForeignKeyShape = {
      name: row.name,
      table: row.table,
      columns: row.columns,
      refTable: row.ref_table,
      refColumns: row.ref_columns,
      onDelete: actions[row.on_delete],
      onUpdate: actions[row.on_update],
    };
    shape.foreignKeys.set(foreignKeyKey(fk), fk);
  }
  return shape;
}

function databaseType(formatted: string, isEnum: boolean): string {
  const list = formatted.endsWith('[]');
  let base = list ? formatted.slice(0, -2) : formatted;
  if (isEnum) base = `enum "${base.replace(/^"(.*)"$/, '$1')}"`;
  else {
    base = base
      .replace(/^timestamp\((\d+)\) with time zone$/, 'timestamptz($1)')
      .replace(/^timestamp with time zone$/, 'timestamptz(6)')
      .replace(/^timestamp\((\d+)\) without time zone$/, 'timestamp($1)')
      .replace(/^timestamp without time zone$/, 'timestamp(6)')
      .replace(/^time\((\d+)\) with time zone$/, 'timetz($1)')
      .replace(/^time with time zone$/, 'timetz(6)')
      .replace(/^time\((\d+)\) without time zone$/, 'time($1)')
      .replace(/^time without time zone$/, 'time(6)')
      .replace(/^character varying/, 'varchar')
      .replace(/^character\(/, 'char(');
  }
  return list ? `${base}[]` : base;
}

/** `'{}'::jsonb` -> `{}`, `'v1'::"SignatureScheme"` -> `v1`, `CURRENT_TIMESTAMP` -> `now()`, `nextval(...)` -> `autoincrement()`. */
function databaseDefault(expression: string | null, isList: boolean): string | null {
  if (expression === null) return null;
  let text = expression.trim();
  if (/^nextval\('.*'::regclass\)$/.test(text)) return 'autoincrement()';
  if (text === 'CURRENT_TIMESTAMP' || text === 'now()') return 'now()';
  if (isList && text.startsWith('ARRAY[')) {
    const items = text
      .slice(6, text.lastIndexOf(']'))
      .split(',')
      .map((item) => literal(item.trim()));
    return `[${items.join(', ')}]`;
  }
  text = literal(text);
  if (isList && text === '{}') return '[]';
  return text;
}

/** Drops trailing casts and the quotes around a string literal. */
function literal(text: string): string {
  let value = text;
  for (let previous = ''; previous !== value;) {
    previous = value;
    value = value.replace(/::(?:"[^"]+"|[a-z_ ]+(?:\(\d+(?:,\d+)?\))?)(?:\[\])?$/, '');
  }
  const quoted = /^'(.*)'$/s.exec(value);
  return quoted ? quoted[1].replace(/''/g, "'") : value;
}

function foreignKeyKey(fk: ForeignKeyShape): string {
  return `${fk.table}(${fk.columns.join(', ')})`;
}

// ---------------------------------------------------------------------------------------------
// the comparison

const describeColumn = (c: ColumnShape) => `${c.nullable ? 'nullable' : 'not null'} ${c.type}`;
const describeDefault = (value: string | null) => (value === null ? 'no default' : `default ${value}`);
const describeIndex = (i: IndexShape) => `${i.kind} (${i.columns.join(', ')})${i.method === 'btree' ? '' : ` USING ${i.method}`}${i.extra ? ` ${i.extra}` : ''}`;
const describeReference = (fk: ForeignKeyShape) => `-> ${fk.refTable}(${fk.refColumns.join(', ')}) ON DELETE ${fk.onDelete} ON UPDATE ${fk.onUpdate}`;

/** Defaults are compared as text, except JSON ones: jsonb reformats and reorders what it stores. */
function sameDefault(want: ColumnShape, have: ColumnShape): boolean {
  if (want.default === have.default) return true;
  if (want.default === null || have.default === null || !/^jsonb?$/.test(want.type)) return false;
  return canonicalJson(want.default) === canonicalJson(have.default);
}

function canonicalJson(text: string): string {
  const sorted = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(sorted)
      : value && typeof value === 'object'
        ? Object.fromEntries(
            Object.entries(value)
              .sort(([a], [b]) => (a < b ? -1 : 1))
              .map(([k, v]) => [k, sorted(v)]),
          )
        : value;
  try {
    return JSON.stringify(sorted(JSON.parse(text)));
  } catch {
    return text;
  }
}

/**
 * Every way the database differs from the schema, one readable line each, e.g.
 * `deliveries.next_attempt_at: schema says nullable timestamptz(3), database has not null timestamptz(3)`.
 * `schemaSource` lets a foreign key keep a name the schema gives with `@relation(map: "...")`, which
 * DMMF does not expose.
 */
export function compareShapes(expected: DatabaseShape, actual: DatabaseShape, schemaSource = ''): string[] {
  const differences: string[] = [...expected.unsupported];

  for (const [name, labels] of expected.enums) {
    const found = actual.enums.get(name);
    if (!found) differences.push(`enum ${name}: schema declares (${labels.join(', ')}), database has no such type`);
    else if (found.join(',') !== labels.join(',')) {
      differences.push(`enum ${name}: schema says (${labels.join(', ')}), database has (${found.join(', ')})`);
    }
  }
  for (const [name, labels] of actual.enums) {
    if (!expected.enums.has(name)) differences.push(`enum ${name}: database has type (${labels.join(', ')}) that schema.prisma does not declare`);
  }

  for (const [table, columns] of expected.tables) {
    const found = actual.tables.get(table);
    if (!found) {
      differences.push(`${table}: schema declares the table, database has none`);
      continue;
    }
    for (const [column, want] of columns) {
      const have = found.get(column);
      const where = `${table}.${column}`;
      if (!have) {
        differences.push(`${where}: schema says ${describeColumn(want)}, database has no such column`);
        continue;
      }
      const nullabilityMatters = !(want.isList && have.isList);
      if (want.type !== have.type || (nullabilityMatters && want.nullable !== have.nullable)) {
        differences.push(`${where}: schema says ${describeColumn(want)}, database has ${describeColumn(have)}`);
      }
      if (!sameDefault(want, have)) {
        differences.push(`${where}: schema says ${describeDefault(want.default)}, database has ${describeDefault(have.default)}`);
      }
    }
    for (const [column, have] of found) {
      if (!columns.has(column)) differences.push(`${table}.${column}: database has ${describeColumn(have)} column that schema.prisma does not declare`);
    }
  }
  for (const table of actual.tables.keys()) {
    if (!expected.tables.has(table)) differences.push(`${table}: database has a table that schema.prisma does not declare`);
  }

  const matchedIndexes = new Set<string>();
  for (const [name, want] of expected.indexes) {
    const have = actual.indexes.get(name);
    if (have) {
      matchedIndexes.add(name);
      if (have.table !== want.table || describeIndex(have) !== describeIndex(want)) {
        differences.push(`${want.table}: index ${name}: schema says ${describeIndex(want)}, database has ${describeIndex(have)} on ${have.table}`);
      }
      continue;
    }
    const twin = [...actual.indexes.values()].find((i) => !expected.indexes.has(i.name) && i.table === want.table && describeIndex(i) === describeIndex(want));
    if (twin) {
      matchedIndexes.add(twin.name);
      differences.push(`${want.table}: ${describeIndex(want)} is named ${twin.name} in the database, schema expects ${name}`);
    } else {
      differences.push(`${want.table}: schema declares ${describeIndex(want)} as ${name}, database has none`);
    }
  }
  for (const [name, have] of actual.indexes) {
    if (!matchedIndexes.has(name)) differences.push(`${have.table}: database has ${describeIndex(have)} ${name} that schema.prisma does not declare`);
  }

  for (const [key, want] of expected.foreignKeys) {
    const have = actual.foreignKeys.get(key);
    if (!have) {
      differences.push(`foreign key ${key}: schema says ${describeReference(want)}, database has none`);
      continue;
    }
    if (describeReference(have) !== describeReference(want)) {
      differences.push(`foreign key ${key}: schema says ${describeReference(want)}, database has ${describeReference(have)}`);
    }
    if (have.name !== want.name && !schemaSource.includes(`map: "${have.name}"`)) {
      differences.push(`foreign key ${key}: is named ${have.name} in the database, schema expects ${want.name}`);
    }
  }
  for (const [key, have] of actual.foreignKeys) {
    if (!expected.foreignKeys.has(key)) differences.push(`foreign key ${key}: database has ${describeReference(have)} (${have.name}) that schema.prisma does not declare`);
  }

  return differences.sort();
}

/** The whole check: schema.prisma source against the database `db` is connected to (its current schema). */
export async function schemaDrift(schemaSource: string, db: Client): Promise<string[]> {
  return compareShapes(await expectedShape(schemaSource, db), await actualShape(db), schemaSource);
}
