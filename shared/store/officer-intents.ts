import { utcDate } from '../domain/service-rules.ts';
import { fieldUpdate } from './items.ts';
import { tenantKeys } from './keys.ts';
import type { OfficerRecord } from './officers.ts';
import { checkExists, type Intent, intent, putNew, type StoredItem } from './unit-of-work.ts';

/** What a status change (credential, suspension) writes: only the attributes it owns. */
export type OfficerStatusFields = Pick<
  OfficerRecord,
  'status' | 'updatedAt' | 'version' | 'credential' | 'credentialExpiresOn' | 'suspension'
>;

/**
 * The officer roster's writes, and checks on an officer inside another change's transaction
 * (attribute contract in keys.ts).
 */
export const officerIntents = {
  /** Nominate: the officer id is not on the roster yet. */
  nominate: (table: string, tenantId: string, officer: OfficerRecord): Intent =>
    putNew('officers', 'officer-absent', table, {
      ...tenantKeys.officer(tenantId, officer.officerId),
      type: 'Officer',
      tenantId,
      ...officer,
    }),

  /** The officer is on the roster (a wso-officer key names one). */
  mustExist: (table: string, tenantId: string, officerId: string): Intent =>
    checkExists('officers', 'officer-exists', table, tenantKeys.officer(tenantId, officerId)),

  /**
   * A status change computed from the officer at `expectedVersion`: an UpdateItem of the fields it
   * owns (an undefined field is removed), so attributes other modules keep on the item survive,
   * refused when another change moved the version meanwhile.
   */
  changeStatus: (
    table: string,
    tenantId: string,
    officerId: string,
    expectedVersion: number,
    fields: OfficerStatusFields,
  ): Intent => {
    const { status, updatedAt, version, credential, credentialExpiresOn, suspension } = fields;
    const owned = { status, updatedAt, version, credential, credentialExpiresOn, suspension };
    return intent(
      'officers',
      'officer-version-unchanged',
      {
        Update: {
          TableName: table,
          Key: tenantKeys.officer(tenantId, officerId),
          ...fieldUpdate(owned, { clauses: [], values: { ':expected': expectedVersion } }),
          ConditionExpression: 'version = :expected',
        },
      },
      {
        holds: (current) => current?.version === expectedVersion,
        after: (current) => {
          const next: StoredItem = { ...current };
          for (const [name, value] of Object.entries(owned)) {
            if (value === undefined) delete next[name];
            else next[name] = value;
          }
          return next;
        },
      },
    );
  },

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
