import { utcDate } from '../domain/service-rules.ts';
import { tenantKeys } from './keys.ts';
import { type Intent, intent } from './unit-of-work.ts';

/** Checks on an officer inside another change's transaction (attribute contract in keys.ts). */
export const officerIntents = {
  /** Serve: credentialed, credential valid on the service date, assigned to the facility. */
  assertCanServe: (
    table: string,
    tenantId: string,
    officerId: string,
    servedAt: Date,
    facilityId: string,
  ): Intent =>
    intent(
      'officers',
      'officer-can-serve',
      {
        ConditionCheck: {
          TableName: table,
          Key: tenantKeys.officer(tenantId, officerId),
          ConditionExpression:
            '#status = :credentialed AND credentialExpiresOn >= :serviceDate AND contains(facilityIds, :facilityId)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':credentialed': 'CREDENTIALED',
            ':serviceDate': utcDate(servedAt),
            ':facilityId': facilityId,
          },
        },
      },
      {
        holds: (officer) =>
          officer?.status === 'CREDENTIALED' &&
          typeof officer.credentialExpiresOn === 'string' &&
          officer.credentialExpiresOn >= utcDate(servedAt) &&
          Array.isArray(officer.facilityIds) &&
          officer.facilityIds.includes(facilityId),
      },
    ),
};
