import { type AuditContext, commitAudited } from '../audit/tenant-audit.ts';
import { credentialBreach } from '../domain/custody-rules.ts';
import { notFound } from '../errors/catalogue.ts';
import { declareProblems } from '../errors/declared.ts';
import type { IdGenerator } from '../ids.ts';
import type { CredentialOfficer, NominateOfficer } from '../schemas/officer.ts';
import type { ItemKey } from '../store/batch-read.ts';
import type { Db } from '../store/db.ts';
import { facilityIntents } from '../store/facility-intents.ts';
import { tenantKeys } from '../store/keys.ts';
import { officerIntents } from '../store/officer-intents.ts';
import { getOfficer, type OfficerRecord, toOfficer } from '../store/officers.ts';
import { anyRefusal } from '../store/unit-of-work.ts';
import { toIsoSeconds } from '../util/time.ts';

/**
 * The officer roster's use cases (DESIGN.md §1, §3): nominate, credential (ICE's federal
 * credential: also renews and lifts a suspension), suspend. Each reads through the storage port,
 * decides, and commits its intents with the officer's audit event as one unit of work
 * (commitAudited); a refused commit is decided again from a fresh read, which names the rule that
 * broke. Each refuses only with the problems it declares here; the routes list the same
 * declarations in the OpenAPI document.
 */

export interface OfficerDeps {
  db: Db;
  ids: IdGenerator;
}

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
  const { db } = deps;
  const at = toIsoSeconds(now);
  const officer: OfficerRecord = { ...input, status: 'NOMINATED', createdAt: at, updatedAt: at, version: 1 };
  // The facilities ride along with the audit head's read (one request; at most 50, the schema's
  // bound, + the officer + the head: within BatchGetItem's 100), so a refusal can name the facility.
  const wanted: Record<string, ItemKey> = { officer: tenantKeys.officer(tenantId, input.officerId) };
  for (const facilityId of input.facilityIds) {
    wanted[`facility:${facilityId}`] = tenantKeys.facility(tenantId, facilityId);
  }
  const { result } = await commitAudited(
    deps,
    tenantId,
    { kind: 'officer', id: input.officerId },
    wanted,
    (found) => {
      if (found.officer) {
        throw nominateProblems.refuse(
          'officer-exists',
          `Officer ${input.officerId} is already on the roster.`,
        );
      }
      const missing = input.facilityIds.find((facilityId) => !found[`facility:${facilityId}`]);
      if (missing !== undefined) {
        throw nominateProblems.refuse(
          'facility-not-found',
          `Facility ${missing} does not exist in this county.`,
        );
      }
      return {
        change: {
          type: 'officer.nominated',
          subject: { kind: 'officer', id: input.officerId },
          occurredAt: at,
          ...audit,
          before: null,
          after: { ...officer },
        },
        intents: [
          ...input.facilityIds.map((facilityId) =>
            facilityIntents.mustExist(db.tableName, tenantId, facilityId),
          ),
          officerIntents.nominate(db.tableName, tenantId, officer),
        ],
        result: officer,
      };
    },
    anyRefusal,
  );
  return result;
}

/** The officer, or `not-found` (every route with an officer id in its path can answer that). */
export async function findOfficer(
  deps: OfficerDeps,
  tenantId: string,
  officerId: string,
): Promise<OfficerRecord> {
  const found = await getOfficer(deps.db, tenantId, officerId);
  if (!found) throw notFound('The officer');
  return found;
}

/** Records the credential ICE issued: its dates must make sense today. Lifts any suspension. */
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
  return changeStatus(deps, tenantId, officerId, 'officer.credentialed', audit, (current) => {
    const { suspension: _lifted, ...rest } = current;
    return {
      ...rest,
      status: 'CREDENTIALED',
      credential: { ...input, credentialedAt: toIsoSeconds(now) },
      credentialExpiresOn: input.expiresOn,
      updatedAt: toIsoSeconds(now),
      version: current.version + 1,
    };
  });
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
  const at = toIsoSeconds(now);
  return changeStatus(deps, tenantId, officerId, 'officer.suspended', audit, (current) => {
    if (current.status === 'SUSPENDED') {
      throw suspendProblems.refuse('officer-already-suspended', `Officer ${officerId} is already suspended.`);
    }
    return {
      ...current,
      status: 'SUSPENDED',
      suspension: { reason, suspendedAt: at },
      updatedAt: at,
      version: current.version + 1,
    };
  });
}

/**
 * Reads the officer (with its audit head), computes the next state, and commits it conditioned on
 * the version read. A change that keeps losing to others ends as `concurrent-modification` (409,
 * RacesLost at the edge); an audit head that stays busy as 503.
 */
async function changeStatus(
  deps: OfficerDeps,
  tenantId: string,
  officerId: string,
  type: 'officer.credentialed' | 'officer.suspended',
  audit: AuditContext,
  next: (current: OfficerRecord) => OfficerRecord,
): Promise<OfficerRecord> {
  const { result } = await commitAudited(
    deps,
    tenantId,
    { kind: 'officer', id: officerId },
    { officer: tenantKeys.officer(tenantId, officerId) },
    (found) => {
      if (!found.officer) throw notFound('The officer');
      const current = toOfficer(found.officer);
      const changed = next(current);
      return {
        change: {
          type,
          subject: { kind: 'officer', id: officerId },
          occurredAt: changed.updatedAt,
          ...audit,
          before: { ...current },
          after: { ...changed },
        },
        intents: [
          officerIntents.changeStatus(deps.db.tableName, tenantId, officerId, current.version, changed),
        ],
        result: changed,
      };
    },
    anyRefusal,
  );
  return result;
}
