import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { type NoticeLeadBreach, noticeLeadBreach } from '../jurisdictions/notice-lead.ts';
import type { CreateTenant, PatchTenant, Tenant } from '../schemas/tenant.ts';
import { DEFAULT_RELEASE_LEAD_MINUTES } from '../schemas/tenant.ts';
import { toIsoSeconds } from '../util/time.ts';
import type { Db } from './db.ts';
import { isConditionFailure } from './errors.ts';
import { keys, stateTenantsGsi } from './keys.ts';

type TenantItem = Tenant & { pk: string; sk: string; entity: 'Tenant'; gsi2pk: string; gsi2sk: string };

const toTenant = (item: Record<string, unknown>): Tenant => {
  const { pk: _pk, sk: _sk, entity: _entity, gsi2pk: _g, gsi2sk: _s, ...tenant } = item as TenantItem;
  return tenant;
};

/** Creates a tenant; undefined when the id is taken. */
export async function createTenant(db: Db, input: CreateTenant, now: Date): Promise<Tenant | undefined> {
  const at = toIsoSeconds(now);
  const tenant: Tenant = {
    ...input,
    releaseLeadMinutes: input.releaseLeadMinutes ?? DEFAULT_RELEASE_LEAD_MINUTES,
    contacts: [],
    createdAt: at,
    updatedAt: at,
    version: 1,
  };
  try {
    await db.doc.send(
      new PutCommand({
        TableName: db.tableName,
        Item: {
          ...keys.tenantProfile(input.tenantId),
          entity: 'Tenant',
          ...stateTenantsGsi(input.state, input.tenantId),
          ...tenant,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
  return tenant;
}

export async function getTenant(db: Db, tenantId: string): Promise<Tenant | undefined> {
  const { Item } = await db.doc.send(
    new GetCommand({ TableName: db.tableName, Key: keys.tenantProfile(tenantId) }),
  );
  return Item ? toTenant(Item) : undefined;
}

export type PatchResult =
  | { kind: 'ok'; tenant: Tenant }
  | { kind: 'not-found' }
  | { kind: 'conflict' }
  | { kind: 'rule'; breach: NoticeLeadBreach };

/**
 * Applies settings with optimistic locking on `version`, so two admins never overwrite each other
 * silently. A notice lead is checked against the county's state profile (earlier notice only);
 * `null` removes the county's own lead, so the state's applies again.
 */
export async function patchTenant(
  db: Db,
  tenantId: string,
  patch: PatchTenant,
  now: Date,
): Promise<PatchResult> {
  const current = await getTenant(db, tenantId);
  if (!current) return { kind: 'not-found' };
  const noticeLead = patch.releaseNoticeLeadMinutes;
  if (typeof noticeLead === 'number') {
    const breach = noticeLeadBreach(current.state, noticeLead);
    if (breach) return { kind: 'rule', breach };
  }
  // Absent: keep the county's own lead; null: drop it (the state's applies); a number: the new lead.
  const { releaseNoticeLeadMinutes: ownLead, ...unchanged } = current;
  const keptLead = noticeLead === undefined ? ownLead : (noticeLead ?? undefined);
  const next: Tenant = {
    ...unchanged,
    ...(keptLead !== undefined ? { releaseNoticeLeadMinutes: keptLead } : {}),
    ...(patch.releaseLeadMinutes !== undefined ? { releaseLeadMinutes: patch.releaseLeadMinutes } : {}),
    ...(patch.contacts !== undefined ? { contacts: patch.contacts } : {}),
    agreements: { ...current.agreements, ...(patch.agreements ?? {}) },
    updatedAt: toIsoSeconds(now),
    version: current.version + 1,
  };
  try {
    await db.doc.send(
      new PutCommand({
        TableName: db.tableName,
        Item: {
          ...keys.tenantProfile(tenantId),
          entity: 'Tenant',
          ...stateTenantsGsi(next.state, tenantId),
          ...next,
        },
        ConditionExpression: 'version = :expected',
        ExpressionAttributeValues: { ':expected': current.version },
      }),
    );
  } catch (error) {
    if (isConditionFailure(error)) return { kind: 'conflict' };
    throw error;
  }
  return { kind: 'ok', tenant: next };
}
