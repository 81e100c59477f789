import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { GLOBAL_INDEXES } from '../../shared/store/table-definition.ts';
import { acknowledge } from '../compliance.ts';
import {
  API_KEY_LEADING_KEY,
  DENIED_TABLE_ACTIONS,
  ITEM_ACTIONS,
  type ItemAction,
  indexArn,
  leadingKeysCondition,
  type TableRef,
} from './table-access.ts';

/** The session tag the API function sets when it assumes the role: the caller's tenant id. */
export const TENANT_SESSION_TAG = 'tenant';

/** `TENANT#<tenantId>` (shared/store/keys.ts `tenantPk`), with the tenant taken from the session tag. */
export const TENANT_LEADING_KEY = `TENANT#\${aws:PrincipalTag/${TENANT_SESSION_TAG}}`;

/** Item actions on tenant partitions of the base table (the indexes are not tenant-keyed). */
export const TENANT_DATA_ACTIONS: readonly ItemAction[] = ITEM_ACTIONS;

/**
 * Reads a tenant session may also make of API-key items (`APIKEY#<hash>`), so the caller's key is
 * read in the same BatchGetItem as the operation's first read, or checked inside its transaction
 * (DESIGN.md §7). Never a write: a key item carries its scope and role.
 */
export const KEY_READ_ACTIONS: readonly ItemAction[] = ['GetItem', 'BatchGetItem', 'ConditionCheckItem'];

export interface TenantDataRoleProps {
  readonly roleName: string;
  readonly table: TableRef;
  /** The only principals that may assume the role (the API and admin functions' execution roles). */
  readonly trustedRoles: readonly iam.IRole[];
}

/**
 * DESIGN.md §7, §9: tenant data access pinned with `dynamodb:LeadingKeys`. The API function
 * assumes this role per tenant with the session tag `tenant=<tenantId>` (sts:AssumeRole +
 * sts:TagSession) and uses the returned credentials for that tenant's items only. The role can
 * touch nothing but items whose partition key is `TENANT#<that tenant>`:
 *
 * - `ForAllValues:StringLike dynamodb:LeadingKeys = TENANT#${aws:PrincipalTag/tenant}`, and
 * - `Null dynamodb:LeadingKeys = false`, because ForAllValues is true for a request without keys
 *   (a Scan); Scan and PartiQL SELECT are also denied outright.
 *
 * The trust policy accepts only the API function's role, only with a non-empty `tenant` tag and no
 * other tag key. The in-code tenant check stays (defence in depth).
 */
export class TenantDataRole extends Construct {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: TenantDataRoleProps) {
    super(scope, id);
    const { tableArn, encryptionKey } = props.table;

    // Only the API function's role, only with a non-empty tenant tag, and no other tag key. The same
    // conditions guard AssumeRole and TagSession, so an untagged session cannot be created either.
    const trustConditions = {
      StringLike: { [`aws:RequestTag/${TENANT_SESSION_TAG}`]: '?*' },
      'ForAllValues:StringEquals': { 'aws:TagKeys': [TENANT_SESSION_TAG] },
    };
    this.role = new iam.Role(this, 'Role', {
      roleName: props.roleName,
      description: 'Tenant-scoped DynamoDB access, assumed by the API function with a tenant session tag',
      assumedBy: new iam.CompositePrincipal(
        ...props.trustedRoles.map((role) => new iam.ArnPrincipal(role.roleArn)),
      ).withConditions(trustConditions),
    });
    this.role.assumeRolePolicy?.addStatements(
      new iam.PolicyStatement({
        sid: 'TagSessionWithTenantOnly',
        principals: props.trustedRoles.map((role) => new iam.ArnPrincipal(role.roleArn)),
        actions: ['sts:TagSession'],
        conditions: trustConditions,
      }),
    );

    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'OneTenantsItemsOnly',
        actions: TENANT_DATA_ACTIONS.map((action) => `dynamodb:${action}`),
        resources: [tableArn],
        conditions: leadingKeysCondition([TENANT_LEADING_KEY]),
      }),
    );
    // One statement for both partitions: ForAllValues is judged over every key of a BatchGetItem.
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadKeyItemsWithTenantItems',
        actions: KEY_READ_ACTIONS.map((action) => `dynamodb:${action}`),
        resources: [tableArn],
        conditions: leadingKeysCondition([TENANT_LEADING_KEY, API_KEY_LEADING_KEY]),
      }),
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'NeverScan',
        effect: iam.Effect.DENY,
        actions: [...DENIED_TABLE_ACTIONS],
        resources: [tableArn, ...GLOBAL_INDEXES.map((index) => indexArn(tableArn, index.indexName))],
      }),
    );
    encryptionKey.grantEncryptDecrypt(this.role);

    // The caller side: the API and admin functions may assume the role and tag the session.
    for (const trusted of props.trustedRoles) {
      trusted.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'AssumeTenantDataRole',
          actions: ['sts:AssumeRole', 'sts:TagSession'],
          resources: [this.role.roleArn],
        }),
      );
    }

    acknowledge(
      this.role,
      'AwsSolutions-IAM5',
      'CDK KMS grant (grantEncryptDecrypt) on the one table key ARN: the action wildcards only cover ' +
        'the GenerateDataKey and ReEncrypt variants DynamoDB server-side encryption uses on the ' +
        "caller's behalf; the resource is never a wildcard.",
      ['Action::kms:GenerateDataKey*', 'Action::kms:ReEncrypt*'],
    );
    acknowledge(
      this.role,
      'NIST.800.53.R5-IAMNoInlinePolicy',
      'The inline policy carries the LeadingKeys condition that is the whole point of this role; it ' +
        'belongs to exactly this role and must never be attachable to another principal.',
    );
  }
}
