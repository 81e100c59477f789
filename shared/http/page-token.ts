import { problems } from './problem.ts';

/**
 * Opaque list tokens: the DynamoDB LastEvaluatedKey, base64url. A token is only accepted back if
 * it points into the caller's own partition, so a crafted token cannot page through another tenant.
 */
export const encodePageToken = (key: Record<string, unknown>): string =>
  Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');

export function decodePageToken(
  token: string,
  expectedPk: string,
  skPrefix: string,
): Record<string, unknown> {
  try {
    const key = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Record<string, unknown>;
    if (key && key.pk === expectedPk && typeof key.sk === 'string' && key.sk.startsWith(skPrefix)) {
      return { pk: key.pk, sk: key.sk };
    }
  } catch {
    // fall through: any undecodable token is the client's mistake
  }
  throw problems.validation([{ path: 'query.nextToken', message: 'is not a token this list issued' }]);
}
