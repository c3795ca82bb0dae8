import type { INestApplication } from '@nestjs/common';
import type { OpenAPIObject } from '@nestjs/swagger';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { cleanupOpenApiDoc } from 'nestjs-zod';
import { PROBLEM_DETAILS_SCHEMA } from './common/api-problems';

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Hookline API')
    .setDescription('Webhook delivery platform: tenants, subscriptions, events, deliveries. Errors are RFC 9457 problem+json.')
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: "Admin key, a tenant API key, or a customer portal token (hkp_…, its tenant's customer routes only)" })
    .addSecurityRequirements('bearer')
    .build();
  const document = documentEdgeRefusals(cleanupOpenApiDoc(SwaggerModule.createDocument(app, config)));
  document.components = { ...document.components, schemas: { ...document.components?.schemas, ProblemDetails: PROBLEM_DETAILS_SCHEMA } };
  return document;
}

const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDetails' } } } });

/** The refusals the edge gives every route alike (validation pipe, JsonBodyGuard), documented where they apply. */
function documentEdgeRefusals(document: OpenAPIObject): OpenAPIObject {
  for (const item of Object.values(document.paths)) {
    for (const method of ['get', 'post', 'put', 'patch', 'delete'] as const) {
      const operation = item[method];
      if (!operation) continue;
      const parameters = (operation.parameters ?? []) as { in?: string; name?: string }[];
      if (parameters.some((p) => p.in === 'query')) {
        operation.responses['400'] ??= problem('A query parameter holds a NUL or a lone surrogate, or `cursor` is not one this list gave out');
      }
      const body = operation.requestBody as { content?: Record<string, unknown> } | undefined;
      if (body?.content?.['application/json']) {
        operation.responses['415'] ??= problem('The body was sent without content-type: application/json');
        operation.responses['422'] ??= problem('A body field is invalid (each named in `errors`)');
      }
    }
  }
  return document;
}

/** `/openapi.json` and Swagger UI at `/docs`, both public. */
export function serveOpenApi(app: INestApplication) {
  const document = buildOpenApiDocument(app);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'openapi.json', raw: ['json'] });
}
