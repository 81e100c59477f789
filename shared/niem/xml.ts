/**
 * NIEM XML → the normalized tree. Parsed with fast-xml-parser with DTD and entity processing OFF,
 * after refusing any DTD outright: a DOCTYPE or ENTITY declaration is how external entities (XXE:
 * reading files or URLs) and entity expansion (billion laughs) get in, and no NIEM message needs one.
 * The body is already capped at 64 KiB by the pipeline.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { ProblemError } from '../http/problem.ts';
import { type DecodedNiemMessage, invalidMessage, isObject, MAX_DEPTH, normalize } from './tree.ts';

const DTD_DECLARATION = /<!\s*(?:DOCTYPE|ENTITY|ELEMENT|ATTLIST|NOTATION)\b/i;

const parser = new XMLParser({
  ignoreAttributes: true,
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

const malformed = (detail: string): ProblemError =>
  new ProblemError(400, 'malformed-xml', 'Malformed XML', detail);

export const dtdRefused = (): ProblemError =>
  new ProblemError(
    400,
    'xml-dtd-refused',
    'DTD refused',
    'DOCTYPE and ENTITY declarations are not accepted (external entities, entity expansion): send the message without a DTD.',
  );

/** An XML declaration naming an encoding other than UTF-8 (the body is read as UTF-8, as the contract says). */
const NON_UTF8_DECLARATION = /^\s*<\?xml[^>]*\bencoding\s*=\s*["'](?!utf-?8["'])/i;

export function decodeNiemXml(body: string): DecodedNiemMessage {
  const text = body.replace(/^\uFEFF/, '');
  if (NON_UTF8_DECLARATION.test(text)) {
    throw new ProblemError(
      415,
      'unsupported-media-type',
      'Unsupported media type',
      'NIEM XML must be UTF-8.',
    );
  }
  if (DTD_DECLARATION.test(text)) throw dtdRefused();
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
  const { value, protectedDropped } = normalize(parsed, resolveReferences);
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
