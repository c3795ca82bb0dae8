import { Injectable } from '@nestjs/common';
import type { ValidateFunction } from 'ajv';
import { SqlPool } from '@hookline/database';
import { EventTypeSchemaCache } from './event-type-schema-cache';
import { compileJsonSchema, JsonSchema } from './json-schema';

/** The JSON Schema (if any) of each of these event types. $1 type names. */
const EVENT_TYPE_SCHEMAS_SQL = `SELECT name, schema, updated_at AS "updatedAt" FROM event_types WHERE name = ANY($1::text[])`;

interface SchemaRow {
  name: string;
  schema: unknown;
  updatedAt: Date;
}

/** The JSON Schema validators that publishes (a batch at a time) and EventTypesService.validateData check data against. */
@Injectable()
export class EventTypeValidators {
  /**
   * Compiled validators by event type; a newer `updatedAt` (an edit from any process) replaces one.
   * Apart from the cache: while the cache is bypassed, every batch reads its rows, not recompiles them.
   */
  private readonly compiled = new Map<string, { updatedAt: number; validate: ValidateFunction }>();

  constructor(
    private readonly sql: SqlPool,
    private readonly cache: EventTypeSchemaCache,
  ) {}

  /** The validator of each of these types that has a schema: from the cache, and one read for the names it lacks. */
  async of(types: Set<string>): Promise<Map<string, ValidateFunction>> {
    const found = new Map<string, ValidateFunction>();
    const missing: string[] = [];
    for (const type of types) {
      const cached = this.cache.get(type);
      if (cached === undefined) missing.push(type);
      else if (cached !== null) found.set(type, cached);
    }
    if (missing.length === 0) return found;
    const ticket = this.cache.ticket();
    const rows = await this.sql.rows<SchemaRow>(EVENT_TYPE_SCHEMAS_SQL, [missing]);
    const byName = new Map(rows.map((row) => [row.name, row]));
    for (const name of missing) {
      const row = byName.get(name);
      const validate = row && row.schema !== null ? this.compile(row) : null;
      if (validate) found.set(name, validate);
      this.cache.set(name, ticket, validate);
    }
    return found;
  }

  private compile(row: SchemaRow): ValidateFunction {
    const known = this.compiled.get(row.name);
    if (known && known.updatedAt === row.updatedAt.getTime()) return known.validate;
    const compiled = compileJsonSchema(row.schema as JsonSchema);
    // Schemas are checked on write, so this only happens if a stored schema stopped compiling.
    if (!compiled.ok) throw new Error(`Stored schema of event type ${row.name} no longer compiles: ${compiled.message}`);
    this.compiled.set(row.name, { updatedAt: row.updatedAt.getTime(), validate: compiled.validate });
    return compiled.validate;
  }
}
