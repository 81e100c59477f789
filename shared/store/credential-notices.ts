import { readEveryItem } from './batch-read.ts';
import type { Db } from './db.ts';
import { SK_PREFIX, tenantKeys, tenantPk } from './keys.ts';
import { queryAll } from './pagination.ts';
import { CREDENTIAL_EXPIRY_INDEX } from './table-definition.ts';
import { type Intent, intent, putNew } from './unit-of-work.ts';

/**
 * Credential expiry notices (issue 17 item 4): which officers' credentials run out on a given day
 * (the sparse credential-expiry index, one partition per day, no Scan), which notices were sent
 * (a marker item per officer, credential expiry date and notice, beside the officer in its county's
 * partition), and the transaction intents that send one: the marker (only if absent), the outbox
 * record (webhooks deliver it), and a check that the officer still holds that credential.
 */

/** An officer as the credential-expiry index shows it. */
export interface ExpiringCredential {
  tenantId: string;
  officerId: string;
  status: string;
  credentialNumber: string;
  expiresOn: string;
}

/** The notice marker of one (officer, credential expiry date, notice): its presence means "sent". */
export const credentialNoticeKey = (
  tenantId: string,
  officerId: string,
  expiresOn: string,
  daysBefore: number,
) => ({
  pk: tenantPk(tenantId),
  sk: `CREDNOTICE#${officerId}#${expiresOn}#${String(daysBefore).padStart(2, '0')}`,
});

/** Every officer whose credential's last valid day is `day` (YYYY-MM-DD), across counties. */
export async function credentialsExpiringOn(db: Db, day: string): Promise<ExpiringCredential[]> {
  const items = await queryAll(db, {
    IndexName: CREDENTIAL_EXPIRY_INDEX.indexName,
    KeyConditionExpression: '#day = :day AND begins_with(#sk, :officer)',
    ExpressionAttributeNames: {
      '#day': CREDENTIAL_EXPIRY_INDEX.partitionKey,
      '#sk': CREDENTIAL_EXPIRY_INDEX.sortKey,
    },
    ExpressionAttributeValues: { ':day': day, ':officer': SK_PREFIX.officer },
  });
  return items.map((item) => {
    const credential = item.credential as { credentialNumber?: unknown } | undefined;
    return {
      tenantId: String(item.tenantId),
      officerId: String(item.officerId),
      status: String(item.status),
      credentialNumber: String(credential?.credentialNumber ?? ''),
      expiresOn: day,
    };
  });
}

/** Which of these markers exist (by index in `keys`): so a sent notice is not even attempted again. */
export async function existingNoticeMarkers(
  db: Db,
  keys: readonly { pk: string; sk: string }[],
): Promise<Set<number>> {
  // Eventually consistent is enough: a marker missed here is refused by the transaction's condition.
  const found = await readEveryItem(db, keys, { consistent: false, projection: 'pk, sk' });
  const present = new Set(found.map((item) => `${item.pk}\u0000${item.sk}`));
  const existing = new Set<number>();
  keys.forEach((key, index) => {
    if (present.has(`${key.pk}\u0000${key.sk}`)) existing.add(index);
  });
  return existing;
}

/** Notices are delivery history, not the roster: kept as long as outbox records. */
const NOTICE_RETENTION_SECONDS = 400 * 86_400;
const OUTBOX_RETENTION_SECONDS = 30 * 86_400;

export interface CredentialNotice {
  tenantId: string;
  officerId: string;
  credentialNumber: string;
  expiresOn: string;
  /** The notice (30, 7 or 1 days before expiry) this is. */
  daysBefore: number;
  /** The days actually left (fewer than `daysBefore` when runs were missed). */
  daysLeft: number;
  eventId: string;
  occurredAt: string;
}

export const credentialNoticeIntents = {
  /** The officer still holds this credential and may serve with it (not renewed, suspended meanwhile). */
  stillHeld: (table: string, notice: CredentialNotice): Intent =>
    intent(
      'officers',
      'officer-credential-unchanged',
      {
        ConditionCheck: {
          TableName: table,
          Key: tenantKeys.officer(notice.tenantId, notice.officerId),
          ConditionExpression: '#status = :credentialed AND credentialExpiresOn = :expiresOn',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':credentialed': 'CREDENTIALED', ':expiresOn': notice.expiresOn },
        },
      },
      {
        holds: (officer) =>
          officer?.status === 'CREDENTIALED' && officer.credentialExpiresOn === notice.expiresOn,
      },
    ),

  /** The marker: only one transaction ever writes it, so the notice is sent once. */
  markSent: (table: string, notice: CredentialNotice): Intent =>
    putNew('credential-notices', 'notice-not-sent-yet', table, {
      ...credentialNoticeKey(notice.tenantId, notice.officerId, notice.expiresOn, notice.daysBefore),
      entity: 'CredentialNotice',
      tenantId: notice.tenantId,
      officerId: notice.officerId,
      expiresOn: notice.expiresOn,
      daysBefore: notice.daysBefore,
      eventId: notice.eventId,
      sentAt: notice.occurredAt,
      expiresAt: Math.floor(Date.parse(notice.occurredAt) / 1000) + NOTICE_RETENTION_SECONDS,
    }),

  /** The `officer.credential_expiring` webhook event (API.md), for the stream's outbox consumer. */
  emit: (table: string, notice: CredentialNotice): Intent =>
    intent('outbox', 'none', {
      Put: {
        TableName: table,
        Item: {
          ...tenantKeys.outbox(notice.tenantId, notice.eventId),
          entity: 'Outbox',
          id: notice.eventId,
          type: 'officer.credential_expiring',
          occurredAt: notice.occurredAt,
          tenantId: notice.tenantId,
          data: {
            officer: {
              officerId: notice.officerId,
              credentialNumber: notice.credentialNumber,
              expiresOn: notice.expiresOn,
            },
            daysLeft: notice.daysLeft,
          },
          expiresAt: Math.floor(Date.parse(notice.occurredAt) / 1000) + OUTBOX_RETENTION_SECONDS,
        },
      },
    }),
};
