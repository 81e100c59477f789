import { Aws, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Schedule } from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import {
  GLOBAL_INDEXES,
  type GlobalIndexDefinition,
  TableKeys,
  TTL_ATTRIBUTE,
} from '../../shared/store/table-definition.ts';
import { acknowledge } from '../compliance.ts';
import type { ResourceNames } from '../naming.ts';

export interface DataStackProps extends StackProps {
  readonly names: ResourceNames;
}

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

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);

    this.dataKey = new kms.Key(this, 'DataKey', {
      description: 'WSO custody table and backups',
      alias: `alias/${props.names.stackPrefix}-data`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.logsKey = new kms.Key(this, 'LogsKey', {
      description: 'WSO custody CloudWatch log groups',
      alias: `alias/${props.names.stackPrefix}-logs`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    allowCloudWatchLogs(this.logsKey);

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
    });
    for (const index of GLOBAL_INDEXES) this.table.addGlobalSecondaryIndex(toIndexProps(index));

    this.addBackupPlan(props.names);
  }

  /**
   * PITR covers 35 days. A county's liability record must survive longer than that (and a bad
   * deploy that is noticed late), so AWS Backup also keeps monthly copies for a year.
   */
  private addBackupPlan(names: ResourceNames): void {
    const vault = new backup.BackupVault(this, 'BackupVault', {
      backupVaultName: `${names.stackPrefix}-vault`,
      encryptionKey: this.dataKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const plan = new backup.BackupPlan(this, 'BackupPlan', {
      backupPlanName: `${names.stackPrefix}-table`,
      backupVault: vault,
      backupPlanRules: [
        new backup.BackupPlanRule({
          ruleName: 'Daily35Days',
          scheduleExpression: Schedule.cron({ hour: '5', minute: '0' }),
          deleteAfter: Duration.days(35),
        }),
        new backup.BackupPlanRule({
          ruleName: 'Monthly1Year',
          scheduleExpression: Schedule.cron({ day: '1', hour: '5', minute: '0' }),
          deleteAfter: Duration.days(366),
        }),
      ],
    });
    const selection = plan.addSelection('Table', {
      resources: [backup.BackupResource.fromArn(this.table.tableArn)],
    });
    acknowledge(
      selection,
      'AwsSolutions-IAM4',
      'AWS Backup service role: the AWS managed AWSBackupServiceRolePolicyForBackup is the documented ' +
        'policy for the backup selection role and is kept current by AWS as the service changes.',
      ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup'],
    );
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
function allowCloudWatchLogs(key: kms.Key): void {
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowCloudWatchLogsOfThisAccount',
      principals: [new iam.ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: {
        ArnLike: {
          'kms:EncryptionContext:aws:logs:arn': `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:*`,
        },
      },
    }),
  );
}
