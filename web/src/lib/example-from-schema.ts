type Schema = Record<string, unknown>;

const MAX_DEPTH = 8;

/**
 * A plausible example value for a JSON Schema, used to prefill a test event: `examples`/`default`/
 * `const`/`enum` when the schema gives one, otherwise a value of the right type that honours
 * `format`, `minimum`, `minLength`, `minItems` and required properties. Local `$ref`s
 * (`#/definitions/…`, `#/$defs/…`) are followed; a schema it cannot read gives `{}`.
 */
export function exampleFromSchema(schema: unknown, root: unknown = schema, depth = 0): unknown {
  if (!isObject(schema) || depth > MAX_DEPTH) return depth === 0 ? {} : null;
  if (typeof schema.$ref === 'string') return exampleFromSchema(resolveRef(schema.$ref, root), root, depth + 1);
  if (Array.isArray(schema.examples) && schema.examples.length > 0) return schema.examples[0];
  if ('example' in schema) return schema.example;
  if ('default' in schema) return schema.default;
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  for (const key of ['oneOf', 'anyOf'] as const) {
    const options = schema[key];
    if (Array.isArray(options) && options.length > 0) return exampleFromSchema(options[0], root, depth + 1);
  }
  if (Array.isArray(schema.allOf)) {
    const parts = schema.allOf.map((part) => exampleFromSchema(part, root, depth + 1));
    return parts.every(isObject) ? Object.assign({}, ...parts) : (parts[0] ?? {});
  }
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type ?? (isObject(schema.properties) ? 'object' : isObject(schema.items) ? 'array' : undefined)) {
    case 'object':
      return objectExample(schema, root, depth);
    case 'array': {
      const count = Math.max(1, typeof schema.minItems === 'number' ? schema.minItems : 1);
      return Array.from({ length: Math.min(count, 3) }, () => exampleFromSchema(schema.items ?? {}, root, depth + 1));
    }
    case 'string':
      return stringExample(schema);
    case 'integer':
    case 'number':
      return numberExample(schema, type === 'integer');
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      return depth === 0 ? {} : null;
  }
}

function objectExample(schema: Schema, root: unknown, depth: number): Record<string, unknown> {
  const properties = isObject(schema.properties) ? schema.properties : {};
  const required = Array.isArray(schema.required) ? schema.required.filter((r): r is string => typeof r === 'string') : [];
  const example: Record<string, unknown> = {};
  for (const [name, property] of Object.entries(properties)) example[name] = exampleFromSchema(property, root, depth + 1);
  for (const name of required) if (!(name in example)) example[name] = 'example';
  return example;
}

const FORMATS: Record<string, string> = {
  'date-time': '2026-01-01T12:00:00Z',
  date: '2026-01-01',
  time: '12:00:00Z',
  email: 'jane@example.com',
  uri: 'https://example.com/',
  url: 'https://example.com/',
  uuid: '3f1c2a9e-4b7d-4c1e-9a2f-6d8e5b0c7a11',
  ipv4: '192.0.2.1',
  ipv6: '2001:db8::1',
  hostname: 'example.com',
};

function stringExample(schema: Schema): string {
  const format = typeof schema.format === 'string' ? FORMATS[schema.format] : undefined;
  if (format) return format;
  const minLength = typeof schema.minLength === 'number' ? schema.minLength : 0;
  const maxLength = typeof schema.maxLength === 'number' ? schema.maxLength : Infinity;
  let text = 'example';
  if (text.length < minLength) text = text.padEnd(minLength, '0');
  if (text.length > maxLength) text = text.slice(0, maxLength);
  return text;
}

function numberExample(schema: Schema, integer: boolean): number {
  const min = typeof schema.minimum === 'number' ? schema.minimum : typeof schema.exclusiveMinimum === 'number' ? schema.exclusiveMinimum + (integer ? 1 : 0.5) : undefined;
  const max = typeof schema.maximum === 'number' ? schema.maximum : typeof schema.exclusiveMaximum === 'number' ? schema.exclusiveMaximum - (integer ? 1 : 0.5) : undefined;
  let value = min ?? (max !== undefined ? Math.min(0, max) : integer ? 42 : 42.5);
  if (integer) value = Math.ceil(value);
  if (typeof schema.multipleOf === 'number' && schema.multipleOf > 0) value = Math.ceil(value / schema.multipleOf) * schema.multipleOf;
  return value;
}

function resolveRef(ref: string, root: unknown): unknown {
  if (!ref.startsWith('#/')) return {};
  let node: unknown = root;
  for (const part of ref.slice(2).split('/')) {
    if (!isObject(node)) return {};
    node = node[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return node;
}

function isObject(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
