/**
 * NIEM JSON (the JSON-LD form of the open NIEM examples: `@context` plus prefixed element names)
 * → the normalized tree. The message may be the bare `j:Booking` envelope or wrapped in one
 * message element, as the XML is.
 */
import { DomainError } from '../errors/catalogue.ts';
import { type DecodedNiemMessage, invalidMessage, isObject, normalize } from './tree.ts';

export function decodeNiemJson(text: string): DecodedNiemMessage {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new DomainError('malformed-json', 'The request body is not valid JSON.');
  }
  const { value, protectedDropped } = normalize(parsed);
  if (!isObject(value)) throw invalidMessage('A NIEM JSON message is an object.');
  const wrapped = Object.values(value);
  const message = Object.hasOwn(value, 'Booking')
    ? value
    : wrapped.length === 1 && wrapped[0] && isObject(wrapped[0])
      ? wrapped[0]
      : value;
  return { syntax: 'json', message, protectedDropped: [...protectedDropped].sort() };
}
