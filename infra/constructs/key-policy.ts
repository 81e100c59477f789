import { Aws, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';

/**
 * What key administrators (the account's IAM principals, through IAM policies, e.g. CloudFormation's
 * deployment role) may do: manage the key, never use it. No kms:CreateGrant here: a grant is use.
 */
export const KEY_ADMIN_ACTIONS = [
  'kms:DescribeKey',
  'kms:GetKeyPolicy',
  'kms:PutKeyPolicy',
  'kms:GetKeyRotationStatus',
  'kms:EnableKeyRotation',
  'kms:DisableKeyRotation',
  'kms:RotateKeyOnDemand',
  'kms:ListKeyPolicies',
  'kms:ListResourceTags',
  'kms:ListGrants',
  'kms:RevokeGrant',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:UpdateKeyDescription',
  'kms:CreateAlias',
  'kms:UpdateAlias',
  'kms:DeleteAlias',
  'kms:EnableKey',
  'kms:DisableKey',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
] as const;

/** Cryptographic use of a symmetric key, as AWS services perform it on a caller's behalf. */
export const KEY_USE_ACTIONS = [
  'kms:Decrypt',
  'kms:Encrypt',
  'kms:GenerateDataKey*',
  'kms:ReEncrypt*',
  'kms:DescribeKey',
] as const;

/** The regional endpoint of a service, as `kms:ViaService` names it. */
export const viaService = (service: string): string => `${service}.${Aws.REGION}.amazonaws.com`;

export interface RoleUse {
  /** `aws:PrincipalArn` patterns of the roles that may use the key (the app's roles by prefix). */
  readonly principalArns: readonly string[];
  /** Services (`dynamodb`, `sqs`, `backup`) whose requests on the roles' behalf may use the key. */
  readonly viaServices: readonly string[];
  /**
   * Services that create grants on the key for their own resources when the table, queue or vault is
   * created (`kms:GrantIsForAWSResource`): DynamoDB, SQS and AWS Backup do.
   */
  readonly grantsForServices?: readonly string[];
}

/**
 * Named roles that call KMS themselves, with no service in between (so `kms:ViaService` cannot apply):
 * each only the actions listed, and only with an encryption context that has every key listed.
 */
export interface DirectRoleUse {
  readonly sid: string;
  /** Exact `aws:PrincipalArn`s (one role each, not a prefix). */
  readonly roleArns: readonly string[];
  readonly actions: readonly ('kms:Encrypt' | 'kms:Decrypt')[];
  readonly encryptionContextKeys: readonly string[];
}

export interface AppKeyProps {
  readonly description: string;
  readonly alias: string;
  /** Named roles through a service. */
  readonly roleUse?: RoleUse;
  /** Service principals (CloudWatch Logs, CloudWatch alarms) with the conditions that tie them to us. */
  readonly serviceUse?: readonly iam.PolicyStatement[];
  /** Roles calling KMS directly (the webhook secrets key). */
  readonly directUse?: readonly DirectRoleUse[];
}

/**
 * A customer-managed key whose policy keeps administration apart from use (issue 19 item 4): the
 * account administers it through IAM, and only the named roles, only through the named services, or
 * the listed service principals, may use it. Anyone else with `kms:Decrypt` in an IAM policy is refused,
 * because the key policy is the only one that delegates use.
 */
export function appKey(scope: Construct, id: string, props: AppKeyProps): kms.Key {
  const account = new iam.AccountRootPrincipal();
  const statements = [
    new iam.PolicyStatement({
      sid: 'AdministerThroughIam',
      principals: [account],
      actions: [...KEY_ADMIN_ACTIONS],
      resources: ['*'],
    }),
  ];
  const use = props.roleUse;
  if (use) {
    const roles = { ArnLike: { 'aws:PrincipalArn': [...use.principalArns] } };
    statements.push(
      new iam.PolicyStatement({
        sid: 'UseByNamedRolesThroughServices',
        principals: [account],
        actions: [...KEY_USE_ACTIONS],
        resources: ['*'],
        conditions: {
          ...roles,
          StringEquals: {
            'kms:ViaService': use.viaServices.map(viaService),
            'kms:CallerAccount': Aws.ACCOUNT_ID,
          },
        },
      }),
    );
    if ((use.grantsForServices ?? []).length > 0) {
      statements.push(
        new iam.PolicyStatement({
          sid: 'GrantsForServiceResources',
          principals: [account],
          actions: ['kms:CreateGrant'],
          resources: ['*'],
          conditions: {
            Bool: { 'kms:GrantIsForAWSResource': 'true' },
            StringEquals: {
              'kms:ViaService': (use.grantsForServices ?? []).map(viaService),
              'kms:CallerAccount': Aws.ACCOUNT_ID,
            },
          },
        }),
      );
    }
  }
  statements.push(...(props.serviceUse ?? []));
  for (const direct of props.directUse ?? []) {
    statements.push(
      new iam.PolicyStatement({
        sid: direct.sid,
        principals: [account],
        actions: [...direct.actions],
        resources: ['*'],
        conditions: {
          ArnEquals: { 'aws:PrincipalArn': [...direct.roleArns] },
          StringEquals: { 'kms:CallerAccount': Aws.ACCOUNT_ID },
          // "Contains": a call without the context (or without one of its keys) is refused.
          'ForAnyValue:StringEquals': { 'kms:EncryptionContextKeys': [...direct.encryptionContextKeys] },
        },
      }),
    );
  }
  return new kms.Key(scope, id, {
    description: props.description,
    alias: props.alias,
    enableKeyRotation: true,
    removalPolicy: RemovalPolicy.RETAIN,
    // Replaces CDK's default policy (root kms:*), which lets any IAM principal with kms:Decrypt use it.
    policy: new iam.PolicyDocument({ statements }),
  });
}
