import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';

/** Added to the document's components by buildOpenApiDocument; responses refer to it. */
export const PROBLEM_DETAILS_SCHEMA = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    errors: { type: 'array', items: { type: 'object', required: ['field', 'message'], properties: { field: { type: 'string' }, message: { type: 'string' } } } },
  },
};

const MEANING: Record<number, string> = {
  400: 'Malformed request',
  401: 'Missing, unknown, expired or revoked credential',
  403: 'The credential lacks this right (admin only, not for portal tokens, or a read-only portal token)',
  404: "No such resource for this credential (another tenant's is reported the same way)",
  409: "Conflicts with the resource's state",
  422: 'Invalid input; `errors` names each field',
  503: 'A dependency is unavailable; retry shortly',
};

/** Documents the RFC 9457 problem responses a route can give. */
export function ApiProblems(...statuses: number[]) {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({ status, description: MEANING[status] ?? 'Problem', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDetails' } } } }),
    ),
  );
}
