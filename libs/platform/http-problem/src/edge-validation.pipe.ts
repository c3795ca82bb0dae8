import { ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import type { z } from 'zod';
import { findUnsafeText, unsafeStringReason } from '@hookline/input-safety';
import { FieldError, ProblemException } from './problem.exception';
import { validateWith } from './validation-messages';

/**
 * The one validation step every route argument goes through, before any of it can reach a
 * database: text Postgres cannot store or that is not Unicode, or JSON nested too deep, is refused
 * (a path id: 404, there is no such thing; a query parameter: 400; a body field: 422), then
 * the argument's zod DTO, if it has one, checks the rest with our wording.
 */
@Injectable()
export class EdgeValidationPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'param') refuseUnsafePath(value);
    if (metadata.type === 'query') refuseUnsafeQuery(value);
    if (metadata.type === 'body') refuseUnsafeBody(value);
    const schema = (metadata.metatype as { isZodDto?: boolean; schema?: z.ZodType } | undefined)?.schema;
    if (!schema || !(metadata.metatype as { isZodDto?: boolean }).isZodDto) return value;
    const result = validateWith(schema, value);
    if (result.success) return result.data;
    const status = metadata.type === 'query' && result.malformed ? 400 : 422;
    throw invalid(status, result.errors);
  }
}

function invalid(status: number, errors: FieldError[]): ProblemException {
  return new ProblemException(status, `Validation failed: ${errors.map((e) => `${e.field} ${e.message}`).join('; ')}`, errors, 'validation-error');
}

function refuseUnsafePath(value: unknown): void {
  const texts = typeof value === 'string' ? [value] : value && typeof value === 'object' ? Object.values(value) : [];
  for (const text of texts) {
    if (typeof text === 'string' && unsafeStringReason(text)) throw new ProblemException(404, 'No such resource');
  }
}

function refuseUnsafeQuery(value: unknown): void {
  if (!value || typeof value !== 'object') return;
  for (const [name, parameter] of Object.entries(value)) {
    const keyReason = unsafeStringReason(name);
    if (keyReason) throw invalid(400, [{ field: 'query', message: `has a parameter name that ${keyReason}` }]);
    const unsafe = findUnsafeText(parameter, name);
    if (unsafe) throw invalid(400, [{ field: name, message: unsafe.message }]);
  }
}

/** Field by field, so the nesting limit counts from each field (`data`, `metadata`), not from the body. */
function refuseUnsafeBody(value: unknown): void {
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    const unsafe = findUnsafeText(value, 'body');
    if (unsafe) throw invalid(422, [unsafe]);
    return;
  }
  for (const [name, field] of Object.entries(value)) {
    const keyReason = unsafeStringReason(name);
    if (keyReason) throw invalid(422, [{ field: 'body', message: `has a field name that ${keyReason}` }]);
    const unsafe = findUnsafeText(field, name);
    if (unsafe) throw invalid(422, [unsafe]);
  }
}
