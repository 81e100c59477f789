/**
 * The catalogue of every problem the API can answer (RFC 9457 `type` = PROBLEM_BASE + slug): the
 * one home of each rule's slug, status and title. Use cases return or throw `DomainError`s named
 * from it; the HTTP edge (shared/http/problem.ts) turns them into problem+json, and the OpenAPI
 * document lists each route's problems from it. Slugs and statuses are part of API.md: never
 * rename one, only add.
 */
export type ProblemStatus = 400 | 401 | 403 | 404 | 405 | 409 | 413 | 415 | 422 | 431 | 500 | 503;

export interface ProblemSpec {
  /** A few slugs are answered with either status by context (a rule at service, a conflict later). */
  status: ProblemStatus | readonly [ProblemStatus, ProblemStatus];
  title: string;
  /** When it is answered: the OpenAPI document says this per route. */
  when: string;
}

const rule = (when: string) => ({ status: 422 as const, title: 'Rule violated', when });
const conflict = (when: string) => ({ status: 409 as const, title: 'Conflict', when });
/** 422 when it breaks a rule of another change (serving), 409 when the change itself repeats. */
const ruleOrConflict = (when: string) => ({ status: [422, 409] as const, title: 'Rule violated', when });

export const CATALOGUE = {
  // The HTTP pipeline's own answers, whatever the route.
  'validation-error': {
    status: 400,
    title: 'Invalid request',
    when: 'the request is not valid (see `errors`)',
  },
  'malformed-json': { status: 400, title: 'Malformed JSON', when: 'the body is not valid JSON' },
  'malformed-xml': { status: 400, title: 'Malformed XML', when: 'the body is not well-formed XML' },
  'xml-dtd-refused': { status: 400, title: 'DTD refused', when: 'the XML declares a DTD or entities' },
  'invalid-niem-message': {
    status: 400,
    title: 'Invalid NIEM message',
    when: 'the XML is not a NIEM Booking or Release message this API reads',
  },
  unauthorized: { status: 401, title: 'Unauthorized', when: 'no API key, or an unknown or revoked one' },
  forbidden: { status: 403, title: 'Forbidden', when: 'this key\u2019s role may not call this operation' },
  'not-found': {
    status: 404,
    title: 'Not found',
    when: 'no such resource, or a tenant or state this key does not belong to',
  },
  'method-not-allowed': {
    status: 405,
    title: 'Method not allowed',
    when: 'the path does not accept the method',
  },
  'payload-too-large': { status: 413, title: 'Payload too large', when: 'the body exceeds 64 KiB' },
  'unsupported-media-type': {
    status: 415,
    title: 'Unsupported media type',
    when: 'the body is not of a media type the operation accepts',
  },
  'idempotency-in-progress': {
    status: 409,
    title: 'Request in progress',
    when: 'a request with this Idempotency-Key is still running',
  },
  'idempotency-key-reused': {
    status: 422,
    title: 'Idempotency key reused',
    when: 'this Idempotency-Key was used with another body',
  },
  'temporarily-unavailable': {
    status: 503,
    title: 'Temporarily unavailable',
    when: 'busy (contention, throttling): retry after `Retry-After`; nothing was written',
  },
  'request-timed-out': {
    status: 503,
    title: 'Request timed out',
    when: 'the request ran out of time before it finished (a very busy moment); it may or may not have been applied: repeat it after `Retry-After` (a PUT, or a POST with the same Idempotency-Key, is safe to repeat)',
  },
  'internal-error': { status: 500, title: 'Internal error', when: 'an unexpected error (logged)' },
  // The local runtime's HTTP server only (absent in AWS, where API Gateway answers these).
  'bad-request': { status: 400, title: 'Bad request', when: 'the request is not valid HTTP/1.1' },
  'request-header-fields-too-large': {
    status: 431,
    title: 'Request header fields too large',
    when: 'the request line and headers exceed 16 KiB',
  },
  starting: { status: 503, title: 'Starting', when: 'the local runtime is starting' },

  // Conflicts with the current state (409).
  'concurrent-modification': conflict('the resource kept changing meanwhile; read it and retry'),
  'transition-not-allowed': conflict('the hold\u2019s status does not allow this change'),
  'open-hold-exists': conflict('the booking already has an open hold'),
  'booking-released': ruleOrConflict('the booking was already released'),
  'officer-already-suspended': conflict('the officer is suspended already'),
  'warrant-withdrawn': ruleOrConflict('the warrant was withdrawn'),
  'review-not-needed': conflict('the hold was neither late nor overdue, or is reviewed already'),
  'tenant-exists': conflict('a tenant with this id exists'),
  'facility-exists': conflict('a facility with this id exists'),
  'officer-exists': conflict('an officer with this id exists'),
  'warrant-exists': conflict('a warrant with this id exists'),
  'booking-sealed': conflict(
    'the booking was sealed (or its person data purged): it takes no person data again; a new stay gets a new number',
  ),
  'identity-mapped': conflict('this person\u2019s identity is mapped already; remove that mapping first'),

  // Broken rules (422), each named.
  'served-in-future': rule('servedAt is in the future (beyond 2 minutes of clock skew)'),
  'served-before-booking': rule('servedAt is before the booking'),
  'booking-not-found': rule('the booking is not in this county\u2019s jail'),
  'officer-not-found': rule('the officer is not on this county\u2019s roster'),
  'officer-not-credentialed': rule('the officer is not CREDENTIALED'),
  'officer-credential-expired': rule('the officer\u2019s credential had expired at servedAt'),
  'officer-not-assigned-to-facility': rule('the officer is not assigned to the booking\u2019s facility'),
  'warrant-not-found': rule('no such warrant was recorded for this county'),
  'warrant-already-served': rule('the warrant was already served'),
  'warrant-for-another-booking': rule('the warrant names another booking'),
  'no-igsa-agreement': rule('an IGSA hold needs the county to have an IGSA'),
  'transfer-before-service': rule('transferredAt is before servedAt'),
  'release-before-service': rule('releasedAt is before servedAt'),
  'release-before-booking': rule('releasedAt is before the booking'),
  'transferredAt-in-future': rule('transferredAt is in the future'),
  'releasedAt-in-future': rule('releasedAt is in the future'),
  'facility-not-found': rule('the facility is not this county\u2019s'),
  'booked-at-in-future': rule('bookedAt is in the future'),
  'date-of-birth-in-future': rule('person.dateOfBirth is in the future'),
  'issued-at-in-future': rule('issuedAt is in the future'),
  'background-check-in-future': rule('backgroundCheckPassedOn is after today'),
  'training-in-future': rule('trainedOn is after today'),
  'credential-expires-before-training': rule('expiresOn is not after trainedOn'),
  'credential-expired': rule('expiresOn is already past'),
  'api-key-cap': rule('the tenant holds the most live API keys allowed; revoke one first'),
  'webhook-limit-reached': rule('the county has the most webhook subscriptions allowed'),
  'release-notice-later-than-state': rule('the release notice lead is shorter than the state requires'),
} as const satisfies Record<string, ProblemSpec>;

export type ProblemSlug = keyof typeof CATALOGUE;
type StatusesOf<T> = T extends readonly (infer U)[] ? U : T;
type SlugWithStatus<S extends number> = {
  [K in ProblemSlug]: S extends StatusesOf<(typeof CATALOGUE)[K]['status']> ? K : never;
}[ProblemSlug];
/** Slugs of the 409 conflicts and the 422 broken rules: what use cases refuse with. */
export type ConflictSlug = SlugWithStatus<409>;
export type RuleSlug = SlugWithStatus<422>;

export const isProblemSlug = (slug: string): slug is ProblemSlug => Object.hasOwn(CATALOGUE, slug);

/** One invalid field of an input: where (`body.person.lastName`) and what is wrong with it. */
export interface FieldError {
  path: string;
  message: string;
}

/**
 * A use case's refusal: a rule from the catalogue, with a detail for people. Carries no HTTP:
 * the edge maps it (status and title from the catalogue).
 */
export class DomainError extends Error {
  readonly slug: ProblemSlug;
  /** For a slug with two statuses: which one (else the catalogue's first). */
  readonly status: ProblemStatus | undefined;
  /** For `validation-error`: each invalid field. */
  readonly errors: FieldError[] | undefined;

  constructor(slug: ProblemSlug, detail: string, status?: ProblemStatus, errors?: FieldError[]) {
    super(detail);
    this.name = 'DomainError';
    this.slug = slug;
    this.status = status;
    this.errors = errors;
  }
}

/** Input that does not satisfy its schema (decoded outside the HTTP edge, e.g. a NIEM message). */
export const invalidInput = (errors: FieldError[], detail = 'The request is not valid.'): DomainError =>
  new DomainError('validation-error', detail, undefined, errors);

export const refuse = (slug: ProblemSlug, detail: string): DomainError => new DomainError(slug, detail);
/** A refusal as a conflict with the current state (409), for the slugs that can be either. */
export const conflictWith = (slug: ConflictSlug, detail: string): DomainError =>
  new DomainError(slug, detail, 409);

/** The status and title a domain error is answered with. */
export function answerOf(
  slug: ProblemSlug,
  status?: ProblemStatus,
): { status: ProblemStatus; title: string } {
  const spec: ProblemSpec = CATALOGUE[slug];
  const statuses: readonly ProblemStatus[] = typeof spec.status === 'number' ? [spec.status] : spec.status;
  const chosen = status !== undefined && statuses.includes(status) ? status : (statuses[0] as ProblemStatus);
  return {
    status: chosen,
    title: chosen === 409 && spec.title === 'Rule violated' ? 'Conflict' : spec.title,
  };
}
export const notFound = (what: string): DomainError => new DomainError('not-found', `${what} was not found.`);
