// The OpenAPI 3.1 document of /api/v1, written from the endpoints' table and their zod
// schemas (z.toJSONSchema: parameters as the query string gives them, answers as sent);
// descriptions in the reader's language. Decision 010.
import { z } from 'astro/zod';
import { t, type Locale } from '../../i18n/index.ts';
import { LIMITS } from '../accounts/rate-limit.ts';
import { MIN_FAMILIES } from '../reports/impact.ts';
import { endpoints } from './endpoints.ts';
import { components, LangParam } from './schemas.ts';

type JsonSchema = Record<string, unknown>;

/** A schema without the keywords that only make sense at a document's root. */
function bare(schema: JsonSchema): JsonSchema {
  const { $schema: _s, $id: _i, ...rest } = schema;
  return rest;
}

const componentSchemas = (() => {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(components)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, {
    uri: (id) => `#/components/schemas/${id}`,
    unrepresentable: 'any',
  });
  return Object.fromEntries(Object.entries(schemas).map(([id, s]) => [id, bare(s as JsonSchema)]));
})();

/** A reference to a named component, or the schema itself. */
function schemaOf(schema: z.ZodType): JsonSchema {
  const id = Object.entries(components).find(([, s]) => s === schema)?.[0];
  return id ? { $ref: `#/components/schemas/${id}` } : bare(z.toJSONSchema(schema, { unrepresentable: 'any' }));
}

const paramSchema = (schema: z.ZodType) => bare(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }));

const problemResponse = (description: string, headers?: Record<string, unknown>) => ({
  description,
  ...(headers && { headers }),
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

export function openApiDocument(locale: Locale) {
  const rateHeaders = {
    RateLimit: { description: t(locale, 'api.doc.header.ratelimit'), schema: { type: 'string' } },
    'RateLimit-Policy': { description: t(locale, 'api.doc.header.policy'), schema: { type: 'string' } },
  };
  const paths = Object.fromEntries(
    endpoints.map((e) => {
      const query = Object.entries({ ...e.params, ...LangParam }).map(([name, schema]) => ({
        name,
        in: 'query',
        required: false,
        schema: paramSchema(schema as z.ZodType),
        ...(name in e.example && { example: e.example[name] }),
      }));
      const parameters = e.pathParam
        ? [
            {
              name: e.pathParam.name,
              in: 'path',
              required: true,
              schema: paramSchema(e.pathParam.schema),
              example: e.pathParam.example,
            },
            ...query,
          ]
        : query;
      const mediaType = e.ok.contentType.split(';')[0]!;
      const operation = {
        operationId: e.operationId,
        summary: t(locale, e.summary),
        description: t(locale, e.description, { min: MIN_FAMILIES }),
        parameters,
        responses: {
          '200': {
            description: t(locale, 'api.doc.response.ok'),
            headers: {
              ETag: { schema: { type: 'string' } },
              ...(e.validators === 'catalogue' && { 'Last-Modified': { schema: { type: 'string' } } }),
              Link: { description: t(locale, 'api.doc.header.link'), schema: { type: 'string' } },
              ...rateHeaders,
            },
            content: { [mediaType]: { schema: schemaOf(e.ok.schema) } },
          },
          '304': { description: t(locale, 'api.doc.response.not_modified') },
          '400': problemResponse(t(locale, 'api.problem.invalid.title')),
          ...(e.pathParam && { '404': problemResponse(t(locale, 'api.problem.not_found.title')) }),
          '429': problemResponse(t(locale, 'api.problem.rate_limited.title'), {
            'Retry-After': { schema: { type: 'integer' } },
            ...rateHeaders,
          }),
        },
      };
      return [e.path, { get: operation }];
    }),
  );
  return {
    openapi: '3.1.0',
    info: {
      title: t(locale, 'api.doc.title'),
      version: '1.0.0',
      description: t(locale, 'api.doc.description', {
        max: LIMITS.apiPerIp.max,
        seconds: LIMITS.apiPerIp.windowMs / 1000,
        min: MIN_FAMILIES,
      }),
      license: { name: 'Licence Ouverte 2.0', url: 'https://www.etalab.gouv.fr/licence-ouverte-open-licence/' },
    },
    servers: [{ url: '/api/v1' }],
    paths,
    components: { schemas: componentSchemas },
  };
}

export type OpenApiDocument = ReturnType<typeof openApiDocument>;
