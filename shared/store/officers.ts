import type { OfficerStatus } from '../domain/custody-rules.ts';
import type { Credential, Suspension } from '../schemas/officer.ts';
import { readItem } from './batch-read.ts';
import type { Db } from './db.ts';
import { fromItem } from './items.ts';
import { SK_PREFIX, tenantKeys, tenantPk } from './keys.ts';
import { type Page, type PageRequest, queryPage } from './pagination.ts';

/**
 * The officer roster. The item follows the contract in keys.ts, which the serve-warrant
 * transaction puts conditions on: `status`, `facilityIds` (a list, for `contains`) and
 * `credentialExpiresOn` (a top-level copy of the credential's expiry). Every change bumps
 * `version` under a condition on the version read, so two liaisons never overwrite each other,
 * and is written with its audit event (`officer.nominated|credentialed|suspended`) on the officer's
 * chain in the same transaction: the writes are intents (officer-intents.ts), the use cases
 * shared/officers/use-cases.ts.
 */

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

export const toOfficer = (item: Record<string, unknown>): OfficerRecord => fromItem<OfficerRecord>(item);

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
