import * as z from 'zod';
import { answerOf, CATALOGUE, type ProblemSlug, type ProblemSpec } from '../errors/catalogue.ts';
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
export function pipelineProblems(route: AnyRoute): ProblemSlug[] {
  const slugs: ProblemSlug[] = ['validation-error', 'malformed-json', 'request-timed-out'];
  if (route.access !== 'public') slugs.push('unauthorized', 'forbidden', 'temporarily-unavailable');
  if (/\{\w+\}/.test(route.path)) slugs.push('not-found');
  if (route.body) slugs.push('payload-too-large', 'unsupported-media-type');
  if (route.idempotent) slugs.push('idempotency-in-progress', 'idempotency-key-reused');
  return slugs;
}

/** Every problem a route can answer, by status: the pipeline's and its use case's (`route.problems`). */
export function routeProblems(route: AnyRoute): Map<number, ProblemSlug[]> {
  const byStatus = new Map<number, ProblemSlug[]>();
  const add = (slug: ProblemSlug, status: number) => {
    const list = byStatus.get(status) ?? [];
    if (!list.includes(slug)) list.push(slug);
    byStatus.set(status, list);
  };
  for (const slug of pipelineProblems(route)) add(slug, answerOf(slug).status);
  for (const entry of route.problems ?? []) {
    if (typeof entry !== 'string') {
      add(entry[0], entry[1]);
      continue;
    }
    const spec: ProblemSpec = CATALOGUE[entry];
    for (const status of typeof spec.status === 'number' ? [spec.status] : spec.status) add(entry, status);
  }
  return byStatus;
}

/** How a status's problems read in the document: each slug with when it is answered. */
export const describeProblems = (slugs: readonly ProblemSlug[]): string =>
  slugs.map((slug) => `\`${slug}\`: ${CATALOGUE[slug].when}`).join('; ');
