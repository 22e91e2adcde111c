// /api (and /en/api): the open-data API's documentation, read from its OpenAPI document —
// the same one /api/v1/openapi.json serves — so that the page never says something else.
import type { Locale } from '../../i18n/index.ts';
import { openApiDocument } from '../../server/api/openapi.ts';
import { API_PREFIX } from '../../server/api/router.ts';
import type { RequestContext } from '../../server/http/context.ts';
import { render } from '../../server/http/respond.ts';

type JsonSchema = {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  items?: JsonSchema;
  prefixItems?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  pattern?: string;
  maxLength?: number;
  description?: string;
};

/** A schema in a few words: `string`, `integer | null`, `Offer[]`, `"home" | "tiers_lieu"`. */
export function typeText(s: JsonSchema): string {
  if (s.$ref) return s.$ref.split('/').at(-1)!;
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (s.anyOf) return s.anyOf.map(typeText).join(' | ');
  if (s.type === 'array' || (Array.isArray(s.type) && s.type.includes('array')))
    return s.prefixItems ? `[${s.prefixItems.map(typeText).join(', ')}]` : `${s.items ? typeText(s.items) : 'any'}[]`;
  const base = Array.isArray(s.type) ? s.type.join(' | ') : (s.type ?? 'any');
  // A whole number in a query string is a string of digits.
  if (s.pattern && /^\^\\d\{1,\d+\}\$$/.test(s.pattern)) return 'integer';
  return s.pattern ? `${base} (${s.pattern})` : base;
}

export interface SchemaRow {
  name: string;
  type: string;
  description: string;
}

/** An object schema's properties, nested objects flattened with dotted names. */
export function schemaRows(schema: JsonSchema, prefix = ''): SchemaRow[] {
  return Object.entries(schema.properties ?? {}).flatMap(([name, s]) => {
    const nested = s.anyOf?.find((a) => a.properties) ?? s;
    const item = nested.items ?? nested;
    const row = {
      name: prefix + name,
      type: item.properties ? (nested.items ? 'object[]' : 'object') : typeText(s),
      description: s.description ?? '',
    };
    return item.properties ? [row, ...schemaRows(item, `${prefix}${name}${nested.items ? '[]' : ''}.`)] : [row];
  });
}

export function apiDocView(locale: Locale) {
  const doc = openApiDocument(locale);
  const operations = Object.entries(doc.paths).map(([path, { get }]) => {
    const example = new URLSearchParams();
    let url = `${API_PREFIX}${path}`;
    for (const p of get.parameters) {
      if (!('example' in p) || p.example === undefined) continue;
      if (p.in === 'path') url = url.replace(`{${p.name}}`, String(p.example));
      else example.set(p.name, String(p.example));
    }
    const [mediaType, content] = Object.entries(get.responses['200'].content)[0]!;
    return {
      id: get.operationId,
      path: `${API_PREFIX}${path}`,
      summary: get.summary,
      description: get.description,
      parameters: get.parameters.map((p) => ({
        name: p.name,
        in: p.in,
        type: typeText(p.schema as JsonSchema),
        description: (p.schema as JsonSchema).description ?? '',
      })),
      example: example.size ? `${url}?${example}` : url,
      mediaType,
      response: typeText(content.schema as JsonSchema),
    };
  });
  const schemas = Object.entries(doc.components.schemas).map(([name, s]) => ({
    name,
    description: (s as JsonSchema).description ?? '',
    rows: schemaRows(s as JsonSchema),
  }));
  return { info: doc.info, operations, schemas, document: `${API_PREFIX}/openapi.json` };
}

export async function apiPage(rc: Pick<RequestContext, 'locals'>) {
  return render(apiDocView(rc.locals.locale));
}
