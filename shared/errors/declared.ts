import { DomainError, type ProblemSlug, type ProblemStatus } from './catalogue.ts';

/** A problem a use case declares: a slug, or a slug with the one status it answers it with. */
export type DeclaredProblem = ProblemSlug | readonly [ProblemSlug, ProblemStatus];
type SlugOf<P> = P extends readonly [infer S, ProblemStatus] ? S : P;

/**
 * The problems one use case can answer, declared once: it refuses only with these (the compiler
 * refuses any other slug), and its route lists exactly these for the OpenAPI document, so what a
 * route documents cannot drift from what its use case throws.
 */
export interface DeclaredProblems<P extends DeclaredProblem> {
  readonly problems: readonly P[];
  refuse(slug: SlugOf<P>, detail: string): DomainError;
}

export function declareProblems<const P extends DeclaredProblem>(
  problems: readonly P[],
): DeclaredProblems<P> {
  const statusOf = new Map<ProblemSlug, ProblemStatus>();
  for (const entry of problems) if (typeof entry !== 'string') statusOf.set(entry[0], entry[1]);
  return {
    problems,
    refuse: (slug, detail) => new DomainError(slug as ProblemSlug, detail, statusOf.get(slug as ProblemSlug)),
  };
}
