import { type AuditContext, commitWithTenantAudit } from '../audit/tenant-audit.ts';
import type { OfficerStatus } from '../domain/custody-rules.ts';
import type { IdGenerator } from '../ids.ts';
import type { Credential, NominateOfficer, Suspension } from '../schemas/officer.ts';
import { toIsoSeconds } from '../util/time.ts';
import { readItem } from './batch-read.ts';
import type { Db } from './db.ts';
import { fieldUpdate, fromItem } from './items.ts';
import { SK_PREFIX, tenantKeys, tenantPk } from './keys.ts';
import { type Page, type PageRequest, queryPage } from './pagination.ts';

/**
 * The officer roster. The item follows the contract in keys.ts, which the serve-warrant
 * transaction puts conditions on: `status`, `facilityIds` (a list, for `contains`) and
 * `credentialExpiresOn` (a top-level copy of the credential's expiry). Every change bumps
 * `version` under a condition on the version read, so two liaisons never overwrite each other,
 * and is written with its audit event (`officer.nominated|credentialed|suspended`) on the tenant's
 * chain in the same transaction.
 */

type AuditDeps = { db: Db; ids: IdGenerator };
export interface OfficerRecord {
  officerId: string;
  name: string;
  badgeNumber: string;
  facilityIds: string[];
  status: OfficerStatus;
  credential?: Credential;
  credentialExpiresOn?: string;
  suspension?: Suspension;
  createdAt: string;
  updatedAt: string;
  version: number;
}

const toOfficer = (item: Record<string, unknown>): OfficerRecord => fromItem<OfficerRecord>(item);

export type NominateResult =
  | { kind: 'created'; officer: OfficerRecord }
  | { kind: 'facility-not-found'; facilityId: string }
  | { kind: 'exists' };

/** Puts a NOMINATED officer, checking in the same transaction that each of its facilities exists. */
export async function nominateOfficer(
  deps: AuditDeps,
  tenantId: string,
  input: NominateOfficer,
  now: Date,
  audit: AuditContext,
): Promise<NominateResult> {
  const { db } = deps;
  const at = toIsoSeconds(now);
  const officer: OfficerRecord = { ...input, status: 'NOMINATED', createdAt: at, updatedAt: at, version: 1 };
  // At most 50 facility checks (the schema's bound) + the officer + 2 audit items: within 100.
  const result = await commitWithTenantAudit(
    deps,
    tenantId,
    {
      type: 'officer.nominated',
      subject: { kind: 'officer', id: input.officerId },
      occurredAt: at,
      ...audit,
      before: null,
      after: { ...officer },
    },
    [
      ...input.facilityIds.map((facilityId) => ({
        ConditionCheck: {
          TableName: db.tableName,
          Key: tenantKeys.facility(tenantId, facilityId),
          ConditionExpression: 'attribute_exists(pk)',
        },
      })),
      {
        Put: {
          TableName: db.tableName,
          Item: { ...tenantKeys.officer(tenantId, input.officerId), type: 'Officer', tenantId, ...officer },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    ],
  );
  if (result.ok) return { kind: 'created', officer };
  const facilityId = input.facilityIds[result.failedIndex];
  return facilityId === undefined ? { kind: 'exists' } : { kind: 'facility-not-found', facilityId };
}

export async function getOfficer(
  db: Db,
  tenantId: string,
  officerId: string,
): Promise<OfficerRecord | undefined> {
  // Read-modify-write callers compare against this version: read the latest.
  const Item = await readItem(db, tenantKeys.officer(tenantId, officerId), { consistent: true });
  return Item ? toOfficer(Item) : undefined;
}

export async function listOfficers(
  db: Db,
  tenantId: string,
  page: Pick<PageRequest, 'limit' | 'startKey'>,
): Promise<Page<OfficerRecord>> {
  return queryPage(db, { pk: tenantPk(tenantId), skPrefix: SK_PREFIX.officer, ...page }, toOfficer);
}

export type OfficerUpdate = { kind: 'updated'; officer: OfficerRecord } | { kind: 'conflict' };

/** ICE issues (or renews) the credential: CREDENTIALED, and any suspension is lifted. */
export function credentialOfficer(
  deps: AuditDeps,
  tenantId: string,
  current: OfficerRecord,
  credential: Credential,
  now: Date,
  audit: AuditContext,
): Promise<OfficerUpdate> {
  const { suspension: _lifted, ...rest } = current;
  return saveStatusChange(deps, tenantId, 'officer.credentialed', audit, current, {
    ...rest,
    status: 'CREDENTIALED',
    credential,
    credentialExpiresOn: credential.expiresOn,
    updatedAt: toIsoSeconds(now),
    version: current.version + 1,
  });
}

export function suspendOfficer(
  deps: AuditDeps,
  tenantId: string,
  current: OfficerRecord,
  reason: string,
  now: Date,
  audit: AuditContext,
): Promise<OfficerUpdate> {
  const at = toIsoSeconds(now);
  return saveStatusChange(deps, tenantId, 'officer.suspended', audit, current, {
    ...current,
    status: 'SUSPENDED',
    suspension: { reason, suspendedAt: at },
    updatedAt: at,
    version: current.version + 1,
  });
}

/**
 * Writes only the attributes a status change owns (an UpdateItem, not a Put, so attributes other
 * modules keep on the item survive), conditioned on the version the change was computed from.
 */
async function saveStatusChange(
  deps: AuditDeps,
  tenantId: string,
  type: 'officer.credentialed' | 'officer.suspended',
  audit: AuditContext,
  current: OfficerRecord,
  next: OfficerRecord,
): Promise<OfficerUpdate> {
  const { status, updatedAt, version, credential, credentialExpiresOn, suspension } = next;
  const update = fieldUpdate(
    { status, updatedAt, version, credential, credentialExpiresOn, suspension },
    { clauses: [], values: { ':expected': current.version } },
  );
  const result = await commitWithTenantAudit(
    deps,
    tenantId,
    {
      type,
      subject: { kind: 'officer', id: current.officerId },
      occurredAt: updatedAt,
      ...audit,
      before: { ...current },
      after: { ...next },
    },
    [
      {
        Update: {
          TableName: deps.db.tableName,
          Key: tenantKeys.officer(tenantId, current.officerId),
          ...update,
          ConditionExpression: 'version = :expected',
        },
      },
    ],
  );
  return result.ok ? { kind: 'updated', officer: next } : { kind: 'conflict' };
}
