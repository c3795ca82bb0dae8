import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { cleanupOpenApiDoc } from 'nestjs-zod';
import { PROBLEM_DETAILS_SCHEMA } from './common/api-problems';

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Hookline API')
    .setDescription('Webhook delivery platform: tenants, subscriptions, events, deliveries. Errors are RFC 9457 problem+json.')
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'Admin key, a tenant API key, or a customer portal token (hkp_…, its tenant\'s customer routes only)' })
    .addSecurityRequirements('bearer')
    .build();
  const document = cleanupOpenApiDoc(SwaggerModule.createDocument(app, config));
  document.components = { ...document.components, schemas: { ...document.components?.schemas, ProblemDetails: PROBLEM_DETAILS_SCHEMA } };
  return document;
}

/** `/openapi.json` and Swagger UI at `/docs`, both public. */
export function serveOpenApi(app: INestApplication) {
  const document = buildOpenApiDocument(app);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'openapi.json', raw: ['json'] });
}
