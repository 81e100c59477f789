/**
 * The one shape both NIEM syntaxes are read into: elements by LOCAL name (the prefix is dropped:
 * prefixes are chosen per document, and the elements we map are unambiguous by local name),
 * text content as strings, repeated elements as arrays. Attributes (s:id, xsi:nil…) and JSON-LD
 * keywords (@context, @type…) carry nothing we map and are dropped.
 *
 * Protected elements are dropped here, before anything can map or store them: WSO officers do not
 * ask about a person's legal status and our model has no place for the answers (DESIGN.md §1).
 */
import * as z from 'zod';
import { DomainError } from '../errors/catalogue.ts';

export type NiemValue = string | NiemValue[] | NiemObject;
export interface NiemObject {
  [localName: string]: NiemValue;
}

export const niemValue: z.ZodType<NiemValue> = z.lazy(() =>
  z.union([z.string(), z.array(niemValue), z.record(z.string(), niemValue)]),
);

/** What a decoder hands the route: the message, and the names of protected elements dropped. */
export const decodedNiemMessage = z.strictObject({
  syntax: z.enum(['xml', 'json']),
  message: z.record(z.string(), niemValue),
  protectedDropped: z.array(z.string()),
});
export type DecodedNiemMessage = z.infer<typeof decodedNiemMessage>;

/** Deeper than any booking message; a guard against stack exhaustion by nesting. */
export const MAX_DEPTH = 48;

/** The NIEM immigration domain's usual prefix: everything in it is protected. */
const PROTECTED_PREFIXES = new Set(['im']);

/** Word stems (of the CamelCase local name) that mark an element about legal status or origin. */
const PROTECTED_STEMS = [
  'citizen',
  'nationalit',
  'alien',
  'immigra',
  'naturaliz',
  'visa',
  'passport',
  'asylum',
  'refugee',
  'deport',
  'removab',
  'inadmissib',
];
/** Phrases spanning words: place of birth is a proxy for national origin. */
const PROTECTED_PHRASES = [
  'countryofbirth',
  'birthcountry',
  'birthlocation',
  'birthplace',
  'lawfulpermanent',
];

export function isProtectedElement(qualifiedName: string): boolean {
  const [prefix, local] = splitName(qualifiedName);
  if (prefix !== undefined && PROTECTED_PREFIXES.has(prefix.toLowerCase())) return true;
  const words = local.split(/(?=[A-Z])/).map((word) => word.toLowerCase());
  if (words.some((word) => PROTECTED_STEMS.some((stem) => word.startsWith(stem)))) return true;
  const flat = local.toLowerCase();
  return PROTECTED_PHRASES.some((phrase) => flat.includes(phrase));
}

const splitName = (name: string): [string | undefined, string] => {
  const colon = name.lastIndexOf(':');
  return colon < 0 ? [undefined, name] : [name.slice(0, colon), name.slice(colon + 1)];
};

/** Keys no parsed document may set on our objects. */
const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export const invalidMessage = (detail: string): DomainError =>
  new DomainError('invalid-niem-message', detail);

export interface Normalized {
  value: NiemValue;
  protectedDropped: Set<string>;
}

/**
 * Normalizes what a parser produced (plain JSON values) into the tree above. `text` post-processes
 * every string (the XML decoder resolves the predefined entities there).
 */
export function normalize(raw: unknown, text: (value: string) => string = (value) => value): Normalized {
  const protectedDropped = new Set<string>();
  const walk = (node: unknown, depth: number): NiemValue | undefined => {
    if (depth > MAX_DEPTH) throw invalidMessage(`The message nests deeper than ${MAX_DEPTH} levels.`);
    if (node === null || node === undefined) return '';
    if (typeof node === 'string') return text(node);
    if (typeof node === 'number' || typeof node === 'boolean') return String(node);
    if (Array.isArray(node)) {
      return node.map((item) => walk(item, depth + 1)).filter((item) => item !== undefined);
    }
    if (typeof node !== 'object') return undefined;
    const entries = Object.entries(node);
    // JSON-LD value object: {"@value": "…"} is the value itself.
    const value = entries.find(([key]) => key === '@value');
    if (value) return walk(value[1], depth + 1);
    const out: NiemObject = {};
    for (const [name, child] of entries) {
      if (name.startsWith('@') || name.startsWith('#')) continue;
      if (isProtectedElement(name)) {
        protectedDropped.add(name);
        continue;
      }
      const [, local] = splitName(name);
      if (local === '' || UNSAFE_KEYS.has(local)) continue;
      const converted = walk(child, depth + 1);
      if (converted === undefined) continue;
      // The same local name under two prefixes (j:PersonAugmentation, hs:PersonAugmentation): both kept.
      const existing = Object.hasOwn(out, local) ? out[local] : undefined;
      out[local] = existing === undefined ? converted : [...asList(existing), ...asList(converted)];
    }
    return out;
  };
  return { value: walk(raw, 0) ?? '', protectedDropped };
}

export const asList = (value: NiemValue): NiemValue[] => (Array.isArray(value) ? value : [value]);

export const isObject = (value: NiemValue): value is NiemObject =>
  typeof value === 'object' && !Array.isArray(value);
