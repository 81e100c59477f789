import { Aws, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Schedule } from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import {
  GLOBAL_INDEXES,
  type GlobalIndexDefinition,
  TableKeys,
  TTL_ATTRIBUTE,
} from '../../shared/store/table-definition.ts';
import { TENANT_CONTEXT_KEY } from '../../shared/webhooks/secret-box.ts';
import { acknowledge } from '../compliance.ts';
import type { AppConfig } from '../config.ts';
import { DataEventsTrail } from '../constructs/data-events-trail.ts';
import { appKey, viaService } from '../constructs/key-policy.ts';
import { appRolesArnPattern, type ResourceNames, roleArnFromName } from '../naming.ts';

export interface DataStackProps extends StackProps {
  readonly names: ResourceNames;
  readonly config: AppConfig;
}

/**
 * DynamoDB actions that read or write items (or export them): denied by the table's resource policy
 * to every principal but the app's roles and the break-glass role (issue 19 item 4).
 */
export const TABLE_DATA_PLANE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:Scan',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:ConditionCheckItem',
  'dynamodb:PartiQLSelect',
  'dynamodb:PartiQLInsert',
  'dynamodb:PartiQLUpdate',
  'dynamodb:PartiQLDelete',
  'dynamodb:ExportTableToPointInTime',
] as const;

/** Vault Lock (compliance mode once the grace period ends): no recovery point leaves before this. */
export const BACKUP_MIN_RETENTION = Duration.days(35);
export const BACKUP_MAX_RETENTION = Duration.days(400);
/** Days the lock may still be changed or removed after deployment; then it is immutable. */
export const VAULT_LOCK_GRACE = Duration.days(3);

/** CloudFormation's deployment role from `cdk bootstrap`: it creates the table and vault on the key. */
const deploymentRolePattern = (): string =>
  `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/cdk-*-cfn-exec-role-*`;

/**
 * Everything that holds the custody record: the single table (built from the same definition the
 * local runtime uses), its customer-managed key, its backups, and the key for log groups.
 * Nothing in here is ever deleted with the stack.
 */
export class DataStack extends Stack {
  readonly table: dynamodb.Table;
  /** Encrypts the table and its backups. */
  readonly dataKey: kms.Key;
  /** Encrypts every CloudWatch log group of the platform. */
  readonly logsKey: kms.Key;
  /** Seals webhook signing secrets, each for its tenant (encryption context `tenant`, issue 19 item 8). */
  readonly webhookSecretsKey: kms.Key;
  /** Holds no permission of its own: incident responders attach one; only it may bypass the table policy. */
  readonly breakGlassRole: iam.Role;
  readonly backupVault: backup.BackupVault;
  /** The stack's own trail (cloudTrail=stack); absent when an organization trail records the events. */
  readonly trail: DataEventsTrail | undefined;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);
    const { names } = props;
    const appRoles = appRolesArnPattern(this, names);

    this.breakGlassRole = new iam.Role(this, 'BreakGlassRole', {
      roleName: names.breakGlassRole,
      description:
        'Break-glass access to the custody table: assumed with MFA only, permissions attached at need',
      assumedBy: new iam.AccountRootPrincipal().withConditions({
        Bool: { 'aws:MultiFactorAuthPresent': 'true' },
      }),
    });

    // Only the app's roles (named with the stack prefix, the break-glass role among them) may use the
    // table key, and only through DynamoDB or AWS Backup.
    this.dataKey = appKey(this, 'DataKey', {
      description: 'WSO custody table and backups',
      alias: `alias/${names.stackPrefix}-data`,
      roleUse: {
        principalArns: [appRoles, deploymentRolePattern()],
        viaServices: ['dynamodb', 'backup'],
        grantsForServices: ['dynamodb', 'backup'],
      },
    });

    // Used by the functions themselves (shared/webhooks/kms-secret-box.ts), not through a service, so
    // not the data key: the tenant-facing API function seals a new subscription's secret, the sender
    // opens it to sign, and every call must name its tenant in the encryption context.
    this.webhookSecretsKey = appKey(this, 'WebhookSecretsKey', {
      description: 'WSO custody webhook signing secrets, sealed per tenant',
      alias: `alias/${names.stackPrefix}-webhook-secrets`,
      directUse: [
        {
          sid: 'SealByTheTenantFacingApi',
          roleArns: [roleArnFromName(this, names.apiFunction)],
          actions: ['kms:Encrypt'],
          encryptionContextKeys: [TENANT_CONTEXT_KEY],
        },
        {
          sid: 'OpenByTheWebhookSender',
          roleArns: [roleArnFromName(this, names.webhookSenderFunction)],
          actions: ['kms:Decrypt'],
          encryptionContextKeys: [TENANT_CONTEXT_KEY],
        },
      ],
    });

    this.logsKey = appKey(this, 'LogsKey', {
      description: 'WSO custody CloudWatch log groups',
      alias: `alias/${names.stackPrefix}-logs`,
      serviceUse: [cloudWatchLogsUse()],
    });

    // Table (AWS::DynamoDB::Table), not TableV2: TableV2 renders a customer-managed key per replica
    // Region and so cannot be synthesized in a Region-agnostic stack.
    this.table = new dynamodb.Table(this, 'Table', {
      tableName: props.names.table,
      partitionKey: { name: TableKeys.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TableKeys.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true, recoveryPeriodInDays: 35 },
      deletionProtection: true,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.dataKey,
      // The stream feeds the outbox (webhooks) and the report counters, which need both images.
      stream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
      // Garbage collection of idempotency records only; TTL deletes up to 48 h late, never a timer.
      timeToLiveAttribute: TTL_ATTRIBUTE,
      removalPolicy: RemovalPolicy.RETAIN,
      // Defence in depth beside the key policy: an IAM policy elsewhere in the account that allows
      // dynamodb:* still cannot read or write an item of this table.
      resourcePolicy: new iam.PolicyDocument({
        statements: [
          new iam.PolicyStatement({
            sid: 'OnlyTheAppsRolesTouchItems',
            effect: iam.Effect.DENY,
            principals: [new iam.AnyPrincipal()],
            actions: [...TABLE_DATA_PLANE_ACTIONS],
            resources: ['*'],
            conditions: {
              ArnNotLike: { 'aws:PrincipalArn': [appRoles] },
              Bool: { 'aws:PrincipalIsAWSService': 'false' },
            },
          }),
        ],
      }),
    });
    for (const index of GLOBAL_INDEXES) {
      if (props.config.deferIndexes.includes(index.indexName)) continue;
      this.table.addGlobalSecondaryIndex(toIndexProps(index));
    }

    this.backupVault = this.addBackupPlan(names, props.config.backupCopyVaultArn);
    if (props.config.cloudTrail === 'stack') {
      this.trail = new DataEventsTrail(this, 'AuditTrail', {
        trailName: `${names.stackPrefix}-data-events`,
        keyAlias: `alias/${names.stackPrefix}-trail`,
        tableArns: [this.table.tableArn],
      });
    }
    acknowledge(
      this.breakGlassRole,
      'NIST.800.53.R5-IAMNoInlinePolicy',
      'The break-glass role has no policy at all until an incident; its trust policy requires MFA.',
    );
  }

  /**
   * PITR covers 35 days. A county's liability record must survive longer than that (and a bad
   * deploy that is noticed late), so AWS Backup also keeps monthly copies for a year.
   */
  private addBackupPlan(names: ResourceNames, copyVaultArn: string | undefined): backup.BackupVault {
    const vault = new backup.BackupVault(this, 'BackupVault', {
      backupVaultName: `${names.stackPrefix}-vault`,
      encryptionKey: this.dataKey,
      removalPolicy: RemovalPolicy.RETAIN,
      // Vault Lock: with changeableFor set it becomes compliance mode after the grace period, and no
      // one (root included) can shorten retention or delete a recovery point early.
      lockConfiguration: {
        minRetention: BACKUP_MIN_RETENTION,
        maxRetention: BACKUP_MAX_RETENTION,
        changeableFor: VAULT_LOCK_GRACE,
      },
      // Access policy denying backup:DeleteRecoveryPoint and UpdateRecoveryPointLifecycle to everyone.
      blockRecoveryPointDeletion: true,
    });
    // A copy in another account survives the loss of this one (configuration: backupCopyVaultArn).
    const copyActions: backup.BackupPlanCopyActionProps[] =
      copyVaultArn === undefined
        ? []
        : [
            {
              destinationBackupVault: backup.BackupVault.fromBackupVaultArn(this, 'CopyVault', copyVaultArn),
              deleteAfter: Duration.days(366),
            },
          ];
    const plan = new backup.BackupPlan(this, 'BackupPlan', {
      backupPlanName: `${names.stackPrefix}-table`,
      backupVault: vault,
      backupPlanRules: [
        new backup.BackupPlanRule({
          ruleName: 'Daily35Days',
          scheduleExpression: Schedule.cron({ hour: '5', minute: '0' }),
          deleteAfter: Duration.days(35),
          copyActions,
        }),
        new backup.BackupPlanRule({
          ruleName: 'Monthly1Year',
          scheduleExpression: Schedule.cron({ day: '1', hour: '5', minute: '0' }),
          deleteAfter: Duration.days(366),
          copyActions,
        }),
      ],
    });
    // Named with the app's prefix: the table's resource policy and the data key admit it by name.
    const role = new iam.Role(this, 'BackupRole', {
      roleName: names.backupRole,
      description: 'AWS Backup role of the custody table backup plan',
      assumedBy: new iam.ServicePrincipal('backup.amazonaws.com'),
      managedPolicies: [
        iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSBackupServiceRolePolicyForBackup'),
        iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSBackupServiceRolePolicyForRestores'),
      ],
    });
    plan.addSelection('Table', {
      resources: [backup.BackupResource.fromArn(this.table.tableArn)],
      role,
    });
    acknowledge(
      role,
      'AwsSolutions-IAM4',
      'AWS Backup service role: the AWS managed AWSBackupServiceRolePolicyForBackup is the documented ' +
        'policy for the backup selection role and is kept current by AWS as the service changes.',
      [
        'Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup',
        'Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores',
      ],
    );
    return vault;
  }
}

function toIndexProps(index: GlobalIndexDefinition): dynamodb.GlobalSecondaryIndexProps {
  const keys = {
    indexName: index.indexName,
    partitionKey: { name: index.partitionKey, type: dynamodb.AttributeType.STRING },
    sortKey: { name: index.sortKey, type: dynamodb.AttributeType.STRING },
  };
  return index.projection.type === 'ALL'
    ? { ...keys, projectionType: dynamodb.ProjectionType.ALL }
    : {
        ...keys,
        projectionType: dynamodb.ProjectionType.INCLUDE,
        nonKeyAttributes: [...index.projection.nonKeyAttributes],
      };
}

/**
 * CloudWatch Logs encrypts with the key on the caller's behalf: the regional service principal
 * must be allowed, limited to log groups of this account and Region by the encryption context.
 */
function cloudWatchLogsUse(): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'AllowCloudWatchLogsOfThisAccount',
    principals: [new iam.ServicePrincipal(viaService('logs'))],
    actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
    resources: ['*'],
    conditions: {
      ArnLike: {
        'kms:EncryptionContext:aws:logs:arn': `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:*`,
      },
    },
  });
}
