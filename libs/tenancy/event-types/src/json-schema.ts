import type { AnySchemaObject, ErrorObject, ValidateFunction } from 'ajv';
import Ajv from 'ajv';
import type AjvCore from 'ajv/dist/core';
import Ajv2019 from 'ajv/dist/2019';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { FieldError } from '@hookline/http-problem';

export type JsonSchema = Record<string, unknown>;

/** Enough to act on a badly shaped event without letting one huge payload produce a huge error body. */
export const MAX_DATA_ERRORS = 50;

// strict: false because JSON Schema says unknown keywords and formats are annotations to ignore;
// a schema is refused only when it breaks its meta-schema or cannot be compiled (e.g. a dangling $ref).
const options = { allErrors: true, strict: false, logger: false } as const;
const draft07 = addFormats(new Ajv(options));
const draft2019 = addFormats(new Ajv2019(options));
const draft2020 = addFormats(new Ajv2020(options));

function ajvFor(schema: AnySchemaObject): AjvCore {
  const dialect = typeof schema.$schema === 'string' ? schema.$schema : '';
  if (dialect.includes('draft/2020-12')) return draft2020;
  if (dialect.includes('draft/2019-09')) return draft2019;
  return draft07;
}

export type CompiledSchema = { ok: true; validate: ValidateFunction } | { ok: false; message: string };

/** Draft-07 unless `$schema` names 2019-09 or 2020-12. Never throws: an unusable schema comes back as a message. */
export function compileJsonSchema(schema: AnySchemaObject): CompiledSchema {
  const ajv = ajvFor(schema);
  try {
    if (!ajv.validateSchema(schema)) return { ok: false, message: ajv.errorsText(ajv.errors, { dataVar: 'schema' }) };
    return { ok: true, validate: ajv.compile(schema) };
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  } finally {
    // The shared instance would otherwise keep every schema it ever compiled, and refuse a second
    // schema with the same `$id`; the compiled function does not need the registry.
    ajv.removeSchema(schema);
  }
}

/** Ajv errors as `{ field: 'data.customer.email', message }`, naming the missing or unexpected property itself. */
export function dataFieldErrors(errors: ErrorObject[], root = 'data'): FieldError[] {
  return errors.slice(0, MAX_DATA_ERRORS).map((error) => {
    const segments = error.instancePath.split('/').slice(1).map(unescapePointer);
    const named = error.params.missingProperty ?? error.params.additionalProperty;
    if (typeof named === 'string') segments.push(named);
    return { field: [root, ...segments].join('.'), message: error.message ?? `fails ${error.keyword}` };
  });
}

function unescapePointer(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}
