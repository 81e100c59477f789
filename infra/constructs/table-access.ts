import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { GLOBAL_INDEXES, ITEM_ACTIONS, type ItemAction } from '../../shared/store/table-definition.ts';

export { ITEM_ACTIONS, type ItemAction };

/**
 * Reading everything without a key is never allowed (DESIGN.md §8). PartiQL is listed as well:
 * a SELECT without a key condition is a scan under another name.
 */
export const DENIED_TABLE_ACTIONS = ['dynamodb:Scan', 'dynamodb:PartiQLSelect'] as const;

export interface TableRef {
  readonly tableArn: string;
  /** Key the table is encrypted with. */
  readonly encryptionKey: kms.IKey;
}

export interface TableAccess {
  /** Actions on the base table. */
  readonly tableActions: readonly ItemAction[];
  /**
   * Partition key patterns the table actions are pinned to (`dynamodb:LeadingKeys`, with the Null
   * guard: see leadingKeysCondition). Absent: every partition.
   */
  readonly leadingKeys?: readonly string[];
  /** Indexes the function may Query (an index supports nothing but Query and Scan). */
  readonly queryIndexes?: readonly string[];
}

/** Partition key of the API-key lookup items (`APIKEY#<hash>`, shared/store/keys.ts). */
export const API_KEY_LEADING_KEY = 'APIKEY#*';

/**
 * Pins item actions to partitions: `ForAllValues:StringLike` on `dynamodb:LeadingKeys`, and
 * `Null = false` because ForAllValues is true for a request that carries no key at all (a Scan).
 */
export function leadingKeysCondition(patterns: readonly string[]): Record<string, Record<string, unknown>> {
  return {
    'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...patterns] },
    Null: { 'dynamodb:LeadingKeys': 'false' },
  };
}

export function indexArn(tableArn: string, indexName: string): string {
  return `${tableArn}/index/${indexName}`;
}

/**
 * Grants exactly the listed actions, adds an explicit Deny of Scan on the table and every index
 * (so no later broad grant can re-enable it), and lets the role use the table's KMS key.
 *
 * TransactWriteItems is authorized per contained operation as well, so a function that writes in
 * transactions also needs the Put/Update/Delete/ConditionCheck actions it uses inside them.
 */
export function grantTableAccess(role: iam.IRole, table: TableRef, access: TableAccess): void {
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'TableItemAccess',
      actions: access.tableActions.map((action) => `dynamodb:${action}`),
      resources: [table.tableArn],
      ...(access.leadingKeys === undefined ? {} : { conditions: leadingKeysCondition(access.leadingKeys) }),
    }),
  );
  const queryIndexes = access.queryIndexes ?? [];
  if (queryIndexes.length > 0) {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'IndexQuery',
        actions: ['dynamodb:Query'],
        resources: queryIndexes.map((name) => indexArn(table.tableArn, name)),
      }),
    );
  }
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'NeverScan',
      effect: iam.Effect.DENY,
      actions: [...DENIED_TABLE_ACTIONS],
      resources: [
        table.tableArn,
        ...GLOBAL_INDEXES.map((index) => indexArn(table.tableArn, index.indexName)),
      ],
    }),
  );
  table.encryptionKey.grantEncryptDecrypt(role);
}
