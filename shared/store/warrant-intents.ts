import type { Hold } from '../domain/hold.ts';
import type { Warrant } from '../schemas/warrant.ts';
import { tenantKeys } from './keys.ts';
import { type Intent, intent, putNew } from './unit-of-work.ts';

/** What recording, service and withdrawal do to a warrant (attribute contract in keys.ts: status, bookingNumber, holdId). */
export const warrantIntents = {
  /** Record a RECEIVED warrant: the warrant id is free in this county. */
  record: (table: string, tenantId: string, warrant: Warrant): Intent =>
    putNew('warrants', 'warrant-absent', table, {
      ...tenantKeys.warrant(tenantId, warrant.warrantId),
      type: 'Warrant',
      tenantId,
      ...warrant,
    }),

  /** Serve: the warrant is received (not served or withdrawn) and names the hold's booking. */
  markServed: (table: string, hold: Hold): Intent =>
    intent(
      'warrants',
      'warrant-received-for-booking',
      {
        Update: {
          TableName: table,
          Key: tenantKeys.warrant(hold.tenantId, hold.warrantId),
          UpdateExpression: 'SET #status = :served, holdId = :holdId, servedAt = :servedAt',
          ConditionExpression: '#status = :received AND bookingNumber = :bookingNumber',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':served': 'SERVED',
            ':received': 'RECEIVED',
            ':holdId': hold.holdId,
            ':servedAt': hold.servedAt,
            ':bookingNumber': hold.bookingNumber,
          },
        },
      },
      {
        holds: (warrant) => warrant?.status === 'RECEIVED' && warrant.bookingNumber === hold.bookingNumber,
        after: (warrant) => ({ ...warrant, status: 'SERVED', holdId: hold.holdId, servedAt: hold.servedAt }),
      },
    ),

  /** Withdraw, conditional on the status read (a service or withdrawal meanwhile refuses it). */
  withdraw: (
    table: string,
    tenantId: string,
    warrantId: string,
    readStatus: string,
    at: string,
    reason: string,
  ): Intent =>
    intent(
      'warrants',
      'warrant-unchanged',
      {
        Update: {
          TableName: table,
          Key: tenantKeys.warrant(tenantId, warrantId),
          UpdateExpression: 'SET #status = :withdrawn, withdrawnAt = :at, withdrawReason = :reason',
          ConditionExpression: '#status = :current',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':withdrawn': 'WITHDRAWN',
            ':at': at,
            ':reason': reason,
            ':current': readStatus,
          },
        },
      },
      {
        holds: (warrant) => warrant?.status === readStatus,
        after: (warrant) => ({ ...warrant, status: 'WITHDRAWN', withdrawnAt: at, withdrawReason: reason }),
      },
    ),
};
