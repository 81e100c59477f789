import type { AuditContext } from '../audit/tenant-audit.ts';
import { credentialBreach } from '../domain/custody-rules.ts';
import { notFound } from '../errors/catalogue.ts';
import { declareProblems } from '../errors/declared.ts';
import type { IdGenerator } from '../ids.ts';
import type { CredentialOfficer, NominateOfficer } from '../schemas/officer.ts';
import type { Db } from '../store/db.ts';
import type { OfficerRecord, OfficerUpdate } from '../store/officers.ts';
import * as officerStore from '../store/officers.ts';
import { toIsoSeconds } from '../util/time.ts';

/**
 * The officer roster's use cases (DESIGN.md §1, §3): nominate, credential (ICE's federal
 * credential: also renews and lifts a suspension), suspend. Each refuses only with the problems it
 * declares here; the routes list the same declarations in the OpenAPI document.
 */

/** Where officers are kept: the DynamoDB store by default, an in-memory fake in unit tests. */
export type OfficerStore = Pick<
  typeof officerStore,
  'nominateOfficer' | 'getOfficer' | 'credentialOfficer' | 'suspendOfficer'
>;

export interface OfficerDeps {
  db: Db;
  ids: IdGenerator;
  officers?: OfficerStore;
}

const storeOf = (deps: OfficerDeps): OfficerStore => deps.officers ?? officerStore;

export const nominateProblems = declareProblems(['officer-exists', 'facility-not-found']);
export const credentialProblems = declareProblems([
  'concurrent-modification',
  'background-check-in-future',
  'training-in-future',
  'credential-expires-before-training',
  'credential-expired',
]);
type CredentialDateRule = Exclude<(typeof credentialProblems.problems)[number], 'concurrent-modification'>;
export const suspendProblems = declareProblems(['officer-already-suspended', 'concurrent-modification']);

/** A NOMINATED officer, each of its facilities checked in the same transaction. */
export async function nominate(
  deps: OfficerDeps,
  tenantId: string,
  input: NominateOfficer,
  now: Date,
  audit: AuditContext,
): Promise<OfficerRecord> {
  const result = await storeOf(deps).nominateOfficer(deps, tenantId, input, now, audit);
  if (result.kind === 'exists') {
    throw nominateProblems.refuse('officer-exists', `Officer ${input.officerId} is already on the roster.`);
  }
  if (result.kind === 'facility-not-found') {
    throw nominateProblems.refuse(
      'facility-not-found',
      `Facility ${result.facilityId} does not exist in this county.`,
    );
  }
  return result.officer;
}

/** The officer, or `not-found` (every route with an officer id in its path can answer that). */
export async function findOfficer(
  deps: OfficerDeps,
  tenantId: string,
  officerId: string,
): Promise<OfficerRecord> {
  const found = await storeOf(deps).getOfficer(deps.db, tenantId, officerId);
  if (!found) throw notFound('The officer');
  return found;
}

/** Records the credential ICE issued: its dates must make sense today. */
export async function credential(
  deps: OfficerDeps,
  tenantId: string,
  officerId: string,
  input: CredentialOfficer,
  now: Date,
  audit: AuditContext,
): Promise<OfficerRecord> {
  const breach = credentialBreach(input, now);
  // The date rules of custody-rules.ts, each declared above (the unit tests break each one).
  if (breach) throw credentialProblems.refuse(breach.slug as CredentialDateRule, breach.detail);
  const current = await findOfficer(deps, tenantId, officerId);
  const result = await storeOf(deps).credentialOfficer(
    deps,
    tenantId,
    current,
    { ...input, credentialedAt: toIsoSeconds(now) },
    now,
    audit,
  );
  return updated(result, credentialProblems.refuse);
}

/** Suspends an officer: no more service until credentialed again. */
export async function suspend(
  deps: OfficerDeps,
  tenantId: string,
  officerId: string,
  reason: string,
  now: Date,
  audit: AuditContext,
): Promise<OfficerRecord> {
  const current = await findOfficer(deps, tenantId, officerId);
  if (current.status === 'SUSPENDED') {
    throw suspendProblems.refuse('officer-already-suspended', `Officer ${officerId} is already suspended.`);
  }
  const result = await storeOf(deps).suspendOfficer(deps, tenantId, current, reason, now, audit);
  return updated(result, suspendProblems.refuse);
}

function updated(
  result: OfficerUpdate,
  refuse: (slug: 'concurrent-modification', detail: string) => Error,
): OfficerRecord {
  if (result.kind === 'conflict') {
    throw refuse('concurrent-modification', 'The officer changed meanwhile; read it and retry.');
  }
  return result.officer;
}
