import * as z from 'zod';
import { PROBLEM_BASE } from '../http/problem.ts';
import type { AnyRoute } from '../http/route.ts';

/** RFC 9457 problem details: the body of every error response, one shared component. */
export const problemDetails = z
  .object({
    type: z.string().meta({ description: `Names the rule broken: ${PROBLEM_BASE}<slug>` }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().optional().meta({ description: 'The request path' }),
    errors: z
      .array(z.object({ path: z.string(), message: z.string() }))
      .optional()
      .meta({ description: 'For validation errors: each field that failed, as body.x.y, query.x or path.x' }),
  })
  .meta({ id: 'Problem' });

/**
 * The problems the HTTP pipeline itself can answer for a route, whatever its handler does: derived
 * from the route's shape so that a new route is documented correctly without listing them.
 */
export function pipelineProblems(route: AnyRoute): Map<number, string> {
  const problems = new Map<number, string>();
  problems.set(400, '`validation-error` (with `errors`) or `malformed-json`: the request is not valid');
  if (route.access !== 'public') {
    problems.set(401, '`unauthorized`: no API key, or an unknown or revoked one');
    problems.set(403, '`forbidden`: this key\u2019s role may not call this operation');
  }
  if (/\{\w+\}/.test(route.path)) {
    problems.set(404, '`not-found`: no such resource, or a tenant or state this key does not belong to');
  }
  if (route.body) {
    problems.set(413, '`payload-too-large`: the body exceeds 64 KiB');
    const accepted = route.bodyFormats ? Object.keys(route.bodyFormats).join(', ') : 'application/json';
    problems.set(415, `\`unsupported-media-type\`: the body is not ${accepted}`);
  }
  if (route.idempotent) {
    problems.set(409, '`idempotency-in-progress`: a request with this Idempotency-Key is still running');
    problems.set(422, '`idempotency-key-reused`: this Idempotency-Key was used with another body');
  }
  return problems;
}
