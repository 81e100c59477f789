/**
 * NIEM XML → the normalized tree. Parsed with fast-xml-parser with DTD and entity processing OFF,
 * after refusing any DTD outright: a DOCTYPE or ENTITY declaration is how external entities (XXE:
 * reading files or URLs) and entity expansion (billion laughs) get in, and no NIEM message needs one.
 * The body is already capped at 64 KiB by the pipeline.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { DomainError } from '../errors/catalogue.ts';
import { type DecodedNiemMessage, invalidMessage, isObject, MAX_DEPTH, normalize } from './tree.ts';

const ATTRIBUTE = '@_';
const TEXT = '#text';

/** NIEM namespaces (any release), named by the prefix the mapping and the protected-element rules know. */
const NIEM_NAMESPACE = /^https?:\/\/release\.niem\.gov\/niem\/(?:domains\/)?([^/]+)\//;
const NIEM_PREFIXES: Readonly<Record<string, string>> = {
  jxdm: 'j',
  'niem-core': 'nc',
  immigration: 'im',
  humanServices: 'hs',
  structures: 's',
};
const XML_NAMESPACE = 'http://www.w3.org/XML/1998/namespace';

/**
 * Element names by namespace, not by the prefix written: `j:` means the Justice domain only when it
 * is bound to a NIEM Justice namespace, an unbound prefix is malformed XML, and elements of other
 * namespaces (an exchange's own wrapper aside) are not NIEM and are not read. NIEM elements come
 * out under their conventional prefix (`j:`, `nc:`, `im:`...), whatever the document chose.
 */
function resolveNamespaces(node: unknown, scope: ReadonlyMap<string, string>, isRoot: boolean): unknown {
  if (node === null || typeof node !== 'object' || Array.isArray(node)) return node;
  const out: Record<string, unknown> = {};
  for (const [name, child] of Object.entries(node)) {
    if (name.startsWith(ATTRIBUTE) || name === TEXT) continue;
    // A repeated element is an array: each occurrence declares (and is named in) its own scope.
    for (const occurrence of Array.isArray(child) ? child : [child]) {
      const inner = withDeclarations(scope, occurrence);
      const colon = name.indexOf(':');
      const prefix = colon < 0 ? '' : name.slice(0, colon);
      const local = colon < 0 ? name : name.slice(colon + 1);
      const uri = prefix === 'xml' ? XML_NAMESPACE : inner.get(prefix);
      if (prefix !== '' && uri === undefined) {
        throw malformed(`The prefix "${prefix}" of <${name}> is not bound to a namespace.`);
      }
      const niem = uri === undefined ? undefined : NIEM_NAMESPACE.exec(uri)?.[1];
      if (niem === undefined && !isRoot) continue;
      const key = niem === undefined ? local : `${NIEM_PREFIXES[niem] ?? niem}:${local}`;
      const value = contentOf(occurrence, inner);
      const existing = out[key];
      out[key] = existing === undefined ? value : [existing, value].flat();
    }
  }
  return out;
}

/** The scope inside an element: its parent's, plus its own xmlns and xmlns:p attributes. */
function withDeclarations(scope: ReadonlyMap<string, string>, element: unknown): ReadonlyMap<string, string> {
  if (element === null || typeof element !== 'object') return scope;
  let inner: Map<string, string> | undefined;
  for (const [name, value] of Object.entries(element)) {
    const declared =
      name === `${ATTRIBUTE}xmlns`
        ? ''
        : name.startsWith(`${ATTRIBUTE}xmlns:`)
          ? name.slice(ATTRIBUTE.length + 6)
          : undefined;
    if (declared === undefined) continue;
    inner ??= new Map(scope);
    inner.set(declared, String(value));
  }
  return inner ?? scope;
}

/** An element's content: its text (attributes dropped), or its child elements resolved. */
function contentOf(element: unknown, scope: ReadonlyMap<string, string>): unknown {
  if (element === null || typeof element !== 'object') return element;
  const names = Object.keys(element).filter((name) => !name.startsWith(ATTRIBUTE));
  if (names.length === 0) return '';
  if (names.every((name) => name === TEXT)) return (element as Record<string, unknown>)[TEXT];
  return resolveNamespaces(element, scope, false);
}

const DTD_DECLARATION = /<!\s*(?:DOCTYPE|ENTITY|ELEMENT|ATTLIST|NOTATION)\b/i;
/** Character data and comments may mention a DOCTYPE as text: only markup outside them declares one. */
const CDATA_OR_COMMENT = /<!\[CDATA\[[\s\S]*?\]\]>|<!--[\s\S]*?-->/g;

const parser = new XMLParser({
  // Attributes are read only for their namespace declarations (xmlns, xmlns:p), then dropped.
  ignoreAttributes: false,
  attributeNamePrefix: ATTRIBUTE,
  parseAttributeValue: false,
  removeNSPrefix: false,
  parseTagValue: false,
  processEntities: false,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  trimValues: true,
  maxNestedTags: MAX_DEPTH,
});

const PREDEFINED: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const REFERENCE = /&(#x[0-9a-fA-F]+|#[0-9]+|[A-Za-z_][\w.-]*);/g;

/**
 * Resolves the five predefined entities and character references ourselves, in one pass (so
 * `&amp;lt;` stays `&lt;`): safe, because nothing here can expand into more references.
 */
function resolveReferences(text: string): string {
  return text.replace(REFERENCE, (_whole, name: string) => {
    if (name.startsWith('#')) {
      const code = name.startsWith('#x')
        ? Number.parseInt(name.slice(2), 16)
        : Number.parseInt(name.slice(1), 10);
      if (code <= 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
        throw malformed(`&${name}; is not a valid character reference.`);
      }
      return String.fromCodePoint(code);
    }
    const known = PREDEFINED[name];
    if (known === undefined) throw malformed(`&${name}; is an undeclared entity reference.`);
    return known;
  });
}

const malformed = (detail: string): DomainError => new DomainError('malformed-xml', detail);

export const dtdRefused = (): DomainError =>
  new DomainError(
    'xml-dtd-refused',
    'DOCTYPE and ENTITY declarations are not accepted (external entities, entity expansion): send the message without a DTD.',
  );

/** An XML declaration naming an encoding other than UTF-8 (the body is read as UTF-8, as the contract says). */
const NON_UTF8_DECLARATION = /^\s*<\?xml[^>]*\bencoding\s*=\s*["'](?!utf-?8["'])/i;

export function decodeNiemXml(body: string): DecodedNiemMessage {
  const text = body.replace(/^\uFEFF/, '');
  if (NON_UTF8_DECLARATION.test(text)) {
    throw new DomainError('unsupported-media-type', 'NIEM XML must be UTF-8.');
  }
  if (DTD_DECLARATION.test(text.replace(CDATA_OR_COMMENT, ''))) throw dtdRefused();
  const validation = XMLValidator.validate(text);
  if (validation !== true) {
    const { line, col, msg } = validation.err;
    throw malformed(`Line ${line}, column ${col}: ${msg}`);
  }
  let parsed: unknown;
  try {
    parsed = parser.parse(text);
  } catch (error) {
    throw malformed(error instanceof Error ? error.message : 'The XML could not be read.');
  }
  const { value, protectedDropped } = normalize(
    resolveNamespaces(parsed, new Map(), true),
    resolveReferences,
  );
  // The document element is the message wrapper (its name varies by exchange): read inside it.
  const roots = isObject(value) ? Object.entries(value) : [];
  const [rootName, root] = roots[0] ?? [];
  if (roots.length !== 1 || root === undefined || !isObject(root) || !isObject(value)) {
    throw invalidMessage('The XML document must have one message element containing j:Booking.');
  }
  // A bare j:Booking document is its own message.
  const message = rootName === 'Booking' ? value : root;
  return { syntax: 'xml', message, protectedDropped: [...protectedDropped].sort() };
}
