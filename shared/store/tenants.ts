import { type AuditContext, commitAuditedIntents } from '../audit/tenant-audit.ts';
import type { IdGenerator } from '../ids.ts';
import { type NoticeLeadBreach, noticeLeadBreach } from '../jurisdictions/notice-lead.ts';
import type { CreateTenant, PatchTenant, Tenant } from '../schemas/tenant.ts';
import { DEFAULT_RELEASE_LEAD_MINUTES } from '../schemas/tenant.ts';
import { toIsoSeconds } from '../util/time.ts';
import { readItem } from './batch-read.ts';
import type { Db } from './db.ts';
import { TABLE_ATTRIBUTES, withoutAttributes } from './items.ts';
import { keys } from './keys.ts';
import { lifecycleKeys } from './lifecycle-index.ts';
import { tenantIntents } from './tenant-intents.ts';

type AuditDeps = { db: Db; ids: IdGenerator };

const toTenant = (item: Record<string, unknown>): Tenant =>
  withoutAttributes<Tenant>(item, [...TABLE_ATTRIBUTES, 'gsi2pk', 'gsi2sk', ...lifecycleKeys.attributes]);

/**
 * Creates a tenant; undefined when the id is taken. The creation is the first event of the new
 * tenant's own audit chain (`tenant.created`), in the same transaction.
 */
export async function createTenant(
  deps: AuditDeps,
  input: CreateTenant,
  now: Date,
  audit: AuditContext,
): Promise<Tenant | undefined> {
  const { db } = deps;
  const at = toIsoSeconds(now);
  const tenant: Tenant = {
    ...input,
    releaseLeadMinutes: input.releaseLeadMinutes ?? DEFAULT_RELEASE_LEAD_MINUTES,
    contacts: [],
    createdAt: at,
    updatedAt: at,
    version: 1,
  };
  const result = await commitAuditedIntents(
    deps,
    input.tenantId,
    {
      type: 'tenant.created',
      subject: { kind: 'tenant', id: input.tenantId },
      occurredAt: at,
      ...audit,
      before: null,
      after: { ...tenant },
    },
    [tenantIntents.create(db.tableName, tenant)],
  );
  if (!result.ok) return undefined;
  return tenant;
}

export async function getTenant(db: Db, tenantId: string, consistent = false): Promise<Tenant | undefined> {
  const Item = await readItem(db, keys.tenantProfile(tenantId), { consistent });
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
 * `null` removes the county's own lead, so the state's applies again. The change and its
 * `tenant.settings_changed` audit event are one transaction.
 */
export async function patchTenant(
  deps: AuditDeps,
  tenantId: string,
  patch: PatchTenant,
  now: Date,
  audit: AuditContext,
): Promise<PatchResult> {
  const { db } = deps;
  const current = await getTenant(db, tenantId, true);
  if (!current) return { kind: 'not-found' };
  const noticeLead = patch.releaseNoticeLeadMinutes;
  if (typeof noticeLead === 'number') {
    const breach = noticeLeadBreach(current.state, noticeLead);
    if (breach) return { kind: 'rule', breach };
  }
  // Absent: keep the county's own lead; null: drop it (the state's applies); a number: the new lead.
  const { releaseNoticeLeadMinutes: ownLead, retention: ownRetention, ...unchanged } = current;
  const keptLead = noticeLead === undefined ? ownLead : (noticeLead ?? undefined);
  // Retention likewise: absent keeps it, null removes it (person data is kept again), an object sets it.
  const retention = patch.retention === undefined ? ownRetention : (patch.retention ?? undefined);
  const next: Tenant = {
    ...unchanged,
    ...(keptLead !== undefined ? { releaseNoticeLeadMinutes: keptLead } : {}),
    ...(retention !== undefined ? { retention } : {}),
    ...(patch.releaseLeadMinutes !== undefined ? { releaseLeadMinutes: patch.releaseLeadMinutes } : {}),
    ...(patch.contacts !== undefined ? { contacts: patch.contacts } : {}),
    agreements: { ...current.agreements, ...(patch.agreements ?? {}) },
    updatedAt: toIsoSeconds(now),
    version: current.version + 1,
  };
  const result = await commitAuditedIntents(
    deps,
    tenantId,
    {
      type: 'tenant.settings_changed',
      subject: { kind: 'tenant', id: tenantId },
      occurredAt: next.updatedAt,
      ...audit,
      before: { ...current },
      after: { ...next },
    },
    [tenantIntents.saveSettings(db.tableName, next, current.version)],
  );
  if (!result.ok) return { kind: 'conflict' };
  return { kind: 'ok', tenant: next };
}
