import * as z from 'zod';
import { stableStringify } from '../util/stable-json.ts';

/** A JSON Schema (2020-12, the dialect of OpenAPI 3.1) as plain data. */
export type JsonSchema = { [keyword: string]: unknown };

const COMPONENT_REF = '#/components/schemas/';
const DEF_REF = '#/$defs/';

/**
 * Turns zod schemas into OpenAPI 3.1 schemas with zod's own converter, and hoists every schema
 * that carries `.meta({ id })` into `components.schemas`, so `Officer` or `Problem` is defined once
 * and referenced everywhere. Request bodies are converted as zod's input type, responses as its
 * output type; when one id converts differently for the two, the request's copy becomes `<id>Input`
 * (so convert every response first: see `buildOpenApiDocument`).
 */
export class SchemaComponents {
  readonly schemas: Record<string, JsonSchema> = {};
  /** Which conversion first defined each component: only an input may be renamed around an output. */
  private readonly owners = new Map<string, 'input' | 'output'>();
  private readonly converted = {
    input: new WeakMap<z.ZodType, JsonSchema>(),
    output: new WeakMap<z.ZodType, JsonSchema>(),
  };
  private anonymous = 0;

  toSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
    const known = this.converted[io].get(schema);
    if (known) return known;
    const result = this.convert(schema, io);
    this.converted[io].set(schema, result);
    return result;
  }

  private convert(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
    const converted = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' });
    const {
      $schema: _dialect,
      $defs,
      ...root
    } = converted as JsonSchema & { $defs?: Record<string, JsonSchema> };
    const defs = Object.entries($defs ?? {});
    const names = new Map<string, string>();
    for (const [name] of defs) {
      // zod names unnamed shared parts `__schema0`, `__schema1`… per conversion: make them unique.
      names.set(name, name.startsWith('__') ? `Schema${++this.anonymous}` : name);
    }
    const finalName = (name: string): string => names.get(name) ?? name;
    // Renaming a part changes the references in its parents, which may then clash in turn: repeat
    // until every hoisted schema is either new or equal to the component of its name.
    for (let round = 0; round <= defs.length; round++) {
      const clashes = defs.filter(([name, def]) => {
        const existing = this.schemas[finalName(name)];
        return (
          existing !== undefined && stableStringify(existing) !== stableStringify(rewriteRefs(def, names))
        );
      });
      if (clashes.length === 0) {
        for (const [name, def] of defs) {
          if (this.schemas[finalName(name)]) continue;
          this.schemas[finalName(name)] = rewriteRefs(def, names) as JsonSchema;
          this.owners.set(finalName(name), io);
        }
        return rewriteRefs(root, names) as JsonSchema;
      }
      for (const [name] of clashes) {
        const taken = finalName(name);
        if (io === 'output' || this.owners.get(taken) !== 'output') {
          throw new Error(`two different schemas claim the OpenAPI component id "${taken}"`);
        }
        names.set(name, `${taken}Input`);
      }
    }
    throw new Error('OpenAPI component names did not settle');
  }
}

/** Points `#/$defs/<name>` references at the component each definition was hoisted to. */
function rewriteRefs(value: unknown, names: ReadonlyMap<string, string>): unknown {
  if (Array.isArray(value)) return value.map((item) => rewriteRefs(item, names));
  if (value === null || typeof value !== 'object') return value;
  const out: JsonSchema = {};
  for (const [key, inner] of Object.entries(value)) {
    if (key === '$ref' && typeof inner === 'string' && inner.startsWith(DEF_REF)) {
      const name = inner.slice(DEF_REF.length);
      out[key] = COMPONENT_REF + (names.get(name) ?? name);
    } else {
      out[key] = rewriteRefs(inner, names);
    }
  }
  return out;
}
