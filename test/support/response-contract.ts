import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { apiRoutes } from '../../functions/api/routes/index.ts';
import { Router } from '../../shared/http/router.ts';
import { buildOpenApiDocument } from '../../shared/openapi/document.ts';

type Json = Record<string, unknown>;

interface Contract {
  router: Router;
  document: Json;
  ajv: Ajv2020;
  validators: Map<string, ValidateFunction>;
}

let contract: Contract | undefined;

function load(): Contract {
  if (contract) return contract;
  const document = buildOpenApiDocument(apiRoutes, { title: 'contract', version: 'test' }) as unknown as Json;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  // The components under the document's own path, so `#/components/schemas/X` refs resolve.
  ajv.addSchema({ $id: 'https://contract.test/openapi', components: document.components });
  contract = { router: new Router(apiRoutes), document, ajv, validators: new Map() };
  return contract;
}

/** Rewrites a document-local `$ref` to the registered copy of the components. */
const rebase = (schema: unknown): unknown => {
  if (Array.isArray(schema)) return schema.map(rebase);
  if (schema && typeof schema === 'object') {
    return Object.fromEntries(
      Object.entries(schema).map(([key, value]) => [
        key,
        key === '$ref' && typeof value === 'string' && value.startsWith('#/')
          ? `https://contract.test/openapi${value}`
          : rebase(value),
      ]),
    );
  }
  return schema;
};

/**
 * Checks one response against the OpenAPI document built from the route table: the status must be
 * documented for the operation, a JSON body must match the declared schema (output schemas forbid
 * unknown fields, so a field missing from OpenAPI fails), and a problem's `type` must be one the
 * operation lists for that status. Returns what is wrong, or undefined. Paths that are no route
 * (`/_local/...`, 404 and 405 of the router) are not checked.
 */
export function responseViolation(
  method: string,
  url: string,
  status: number,
  contentType: string,
  body: unknown,
): string | undefined {
  const { router, document, ajv, validators } = load();
  const path = url.split('?')[0] ?? url;
  const match = router.match(method, path);
  if (match.kind !== 'match' || status >= 500) return undefined;
  const { route } = match;
  const where = `${method} ${route.path} → ${status}`;
  const paths = document.paths as Record<string, Record<string, Json>>;
  const responses = paths[route.path]?.[method.toLowerCase()]?.responses as Record<string, Json> | undefined;
  const documented = responses?.[String(status)];
  if (!documented) return `${where}: status not documented`;
  const media = contentType.split(';')[0]?.trim() ?? '';
  if (!media.includes('json')) return undefined;
  const content = documented.content as Record<string, { schema?: unknown }> | undefined;
  const schema = content?.[media]?.schema;
  if (!schema) return `${where}: ${media} body not documented`;
  const key = `${where} ${media}`;
  let validate = validators.get(key);
  if (!validate) {
    validate = ajv.compile(rebase(schema) as Json);
    validators.set(key, validate);
  }
  if (!validate(body)) {
    const extra = (validate.errors ?? []).flatMap((error) =>
      error.keyword === 'additionalProperties'
        ? [`${error.instancePath}/${String(error.params.additionalProperty)}`]
        : [],
    );
    return `${where}: body does not match the schema: ${ajv.errorsText(validate.errors)}${extra.length > 0 ? ` (undocumented: ${extra.join(', ')})` : ''}`;
  }
  const slugs = documented['x-problem-types'];
  if (media === 'application/problem+json' && Array.isArray(slugs) && route.problems !== undefined) {
    const slug =
      String((body as { type?: unknown }).type ?? '')
        .split('/')
        .pop() ?? '';
    if (!slugs.includes(slug)) return `${where}: problem type \`${slug}\` not listed (${slugs.join(', ')})`;
  }
  return undefined;
}
