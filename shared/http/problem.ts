/**
 * RFC 9457 problem details. Every error the API returns is one of these; the `type` URI names the
 * rule that was broken, so integrators can branch on it.
 */
import {
  answerOf,
  type ConflictSlug,
  DomainError,
  type FieldError,
  type ProblemSlug,
  type RuleSlug,
} from '../errors/catalogue.ts';

export const PROBLEM_BASE = 'https://wso-custody.dev/problems/';

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: FieldError[];
}

export class ProblemError extends Error {
  readonly status: number;
  readonly slug: ProblemSlug;
  readonly title: string;
  readonly errors: FieldError[] | undefined;

  constructor(status: number, slug: ProblemSlug, title: string, detail: string, errors?: FieldError[]) {
    super(detail);
    this.name = 'ProblemError';
    this.status = status;
    this.slug = slug;
    this.title = title;
    this.errors = errors;
  }

  toBody(instance?: string): ProblemBody {
    return {
      type: PROBLEM_BASE + this.slug,
      title: this.title,
      status: this.status,
      detail: this.message,
      ...(instance ? { instance } : {}),
      ...(this.errors ? { errors: this.errors } : {}),
    };
  }
}

export const problems = {
  validation: (errors: FieldError[], detail = 'The request is not valid.') =>
    new ProblemError(400, 'validation-error', 'Invalid request', detail, errors),
  malformedJson: () =>
    new ProblemError(400, 'malformed-json', 'Malformed JSON', 'The request body is not valid JSON.'),
  unauthorized: () =>
    new ProblemError(
      401,
      'unauthorized',
      'Unauthorized',
      'A valid API key is required (Authorization: Bearer <key>).',
    ),
  forbidden: () =>
    new ProblemError(
      403,
      'forbidden',
      'Forbidden',
      'This credential\u2019s role may not perform this operation.',
    ),
  notFound: (what = 'The resource') =>
    new ProblemError(404, 'not-found', 'Not found', `${what} was not found.`),
  routeNotFound: () => new ProblemError(404, 'not-found', 'Not found', 'No such route.'),
  methodNotAllowed: () =>
    new ProblemError(
      405,
      'method-not-allowed',
      'Method not allowed',
      'This path does not accept this method.',
    ),
  conflict: (slug: ConflictSlug, detail: string) => new ProblemError(409, slug, 'Conflict', detail),
  payloadTooLarge: (limit: number) =>
    new ProblemError(
      413,
      'payload-too-large',
      'Payload too large',
      `The request body exceeds ${limit} bytes.`,
    ),
  unsupportedMediaType: (accepted: readonly string[] = ['application/json']) =>
    new ProblemError(
      415,
      'unsupported-media-type',
      'Unsupported media type',
      `Request bodies must be ${accepted.join(' or ')}.`,
    ),
  rule: (slug: RuleSlug, detail: string) => new ProblemError(422, slug, 'Rule violated', detail),
  idempotencyKeyReused: () =>
    new ProblemError(
      422,
      'idempotency-key-reused',
      'Idempotency key reused',
      'This Idempotency-Key was already used with a different request body.',
    ),
  idempotencyInProgress: () =>
    new ProblemError(
      409,
      'idempotency-in-progress',
      'Request in progress',
      'A request with this Idempotency-Key is still being processed; retry shortly.',
    ),
  throttled: () =>
    new ProblemError(503, 'temporarily-unavailable', 'Temporarily unavailable', 'Please retry with backoff.'),
  timedOut: () =>
    new ProblemError(
      503,
      'request-timed-out',
      'Request timed out',
      'The request ran out of time before it finished; it may or may not have been applied. Repeat it after Retry-After: a PUT, or a POST with the same Idempotency-Key, is safe to repeat.',
    ),
  internal: () =>
    new ProblemError(
      500,
      'internal-error',
      'Internal error',
      'An unexpected error occurred. It has been logged.',
    ),
};

/** The one mapping of a use case's refusal to HTTP: status and title from the catalogue. */
export function fromDomainError(error: DomainError): ProblemError {
  const { status, title } = answerOf(error.slug, error.status);
  return new ProblemError(status, error.slug, title, error.message, error.errors);
}

export { DomainError, type FieldError };
