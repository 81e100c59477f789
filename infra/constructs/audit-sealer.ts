import { Aws, CfnOutput, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { AUDIT_EVENT_ENTITIES } from '../../shared/audit/sealer.ts';
import { FUNCTION_ENTRIES } from '../bundling.ts';
import { acknowledge } from '../compliance.ts';
import type { LogLevel } from '../config.ts';
import { CustodyFunction } from './custody-function.ts';
import { grantTableAccess } from './table-access.ts';

/** Checkpoints stay unchangeable, by anyone, for at least this long (DESIGN.md §5: >= 1 year). */
export const CHECKPOINT_RETENTION_DAYS = 366;
/** The stream batches audit events for up to this long: one checkpoint per county per batch. */
export const SEAL_BATCHING_WINDOW = Duration.seconds(30);
/** A county whose events wait longer than this for a checkpoint raises the lag alarm. */
export const SEAL_LAG_ALARM = Duration.minutes(5);

export interface AuditSealerProps {
  /** The stage's resource prefix (`wso-custody-<stage>`): the bucket is `<prefix>-audit-<account>-<region>`. */
  readonly prefix: string;
  readonly functionName: string;
  readonly stage: string;
  readonly logLevel: LogLevel;
  readonly logRetention: logs.RetentionDays;
  readonly logsKey: kms.IKey;
  readonly fipsEndpoints: boolean;
  readonly table: dynamodb.ITable;
  readonly dataKey: kms.IKey;
  /** Where stream batches that failed every retry are recorded. */
  readonly failures: sqs.IQueue;
}

/**
 * The audit sealer (DESIGN.md §5, API.md "Audit checkpoints"): an asymmetric KMS key
 * (ECC_NIST_P256, SIGN_VERIFY) whose key policy lets ONLY the sealer's role sign, an S3 bucket with
 * Object Lock in compliance mode for the checkpoints, the sealer function on the table's stream
 * (audit events only), the public key as a stack output, and alarms for sealer errors and for
 * events waiting more than 5 minutes for a checkpoint.
 */
export class AuditSealer extends Construct {
  readonly signingKey: kms.Key;
  readonly bucket: s3.Bucket;
  readonly sealer: CustodyFunction;
  /** The checkpoint objects' ARN pattern, and how cdk-nag names it (for the acknowledgement). */
  private readonly objectsArn: string;
  private readonly objectsFinding: string;

  constructor(scope: Construct, id: string, props: AuditSealerProps) {
    super(scope, id);

    // A name built from the prefix and pseudo parameters: the grants below name it without a
    // cross-stack export, and their one wildcard (the objects) can be acknowledged exactly.
    const bucketSuffix = 'audit';
    this.bucket = new s3.Bucket(this, 'Checkpoints', {
      bucketName: `${props.prefix}-${bucketSuffix}-${Aws.ACCOUNT_ID}-${Aws.REGION}`,
      objectLockEnabled: true,
      objectLockDefaultRetention: s3.ObjectLockRetention.compliance(Duration.days(CHECKPOINT_RETENTION_DAYS)),
      versioned: true,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.dataKey,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const bucketArn = `arn:${Aws.PARTITION}:s3:::${props.prefix}-${bucketSuffix}-${Aws.ACCOUNT_ID}-${Aws.REGION}`;
    this.objectsArn = `${bucketArn}/*`;
    this.objectsFinding = `Resource::arn:<AWS::Partition>:s3:::${props.prefix}-${bucketSuffix}-<AWS::AccountId>-<AWS::Region>/*`;
    this.acknowledgeBucket();

    this.sealer = new CustodyFunction(this, 'Sealer', {
      functionName: props.functionName,
      entry: FUNCTION_ENTRIES.sealer,
      description: 'Seals each county\u2019s new audit events into signed, archived checkpoints',
      serviceName: 'wso-sealer',
      stage: props.stage,
      logLevel: props.logLevel,
      logRetention: props.logRetention,
      logsKey: props.logsKey,
      timeout: Duration.seconds(120),
      fipsEndpoints: props.fipsEndpoints,
      concurrency: {
        unreserved:
          'Invoked by the table stream only: at most one concurrent batch per stream shard, so it never competes for the account\u2019s concurrency.',
      },
      environment: { TABLE_NAME: props.table.tableName, AUDIT_BUCKET: this.bucket.bucketName },
    });
    const sealerRole = this.sealer.role;

    this.signingKey = new kms.Key(this, 'SigningKey', {
      description: 'Signs audit checkpoints (ES256); only the sealer may sign',
      keySpec: kms.KeySpec.ECC_NIST_P256,
      keyUsage: kms.KeyUsage.SIGN_VERIFY,
      removalPolicy: RemovalPolicy.RETAIN,
      // Not the default policy (kms:* for the account, which any IAM admin could turn into Sign).
      policy: new iam.PolicyDocument({
        statements: [
          new iam.PolicyStatement({
            sid: 'KeyAdministrationWithoutUse',
            principals: [new iam.AccountRootPrincipal()],
            actions: [
              'kms:Create*',
              'kms:Describe*',
              'kms:Enable*',
              'kms:List*',
              'kms:Put*',
              'kms:Update*',
              'kms:Revoke*',
              'kms:Disable*',
              'kms:Get*',
              'kms:Delete*',
              'kms:TagResource',
              'kms:UntagResource',
              'kms:ScheduleKeyDeletion',
              'kms:CancelKeyDeletion',
            ],
            resources: ['*'],
          }),
          new iam.PolicyStatement({
            sid: 'SealerSigns',
            principals: [sealerRole],
            actions: ['kms:Sign', 'kms:GetPublicKey', 'kms:DescribeKey'],
            resources: ['*'],
          }),
          new iam.PolicyStatement({
            sid: 'NobodyElseSigns',
            effect: iam.Effect.DENY,
            principals: [new iam.AnyPrincipal()],
            actions: ['kms:Sign'],
            resources: ['*'],
            conditions: { ArnNotEquals: { 'aws:PrincipalArn': sealerRole.roleArn } },
          }),
        ],
      }),
    });
    this.sealer.function.addEnvironment('AUDIT_KEY_ID', this.signingKey.keyArn);
    sealerRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['kms:Sign', 'kms:GetPublicKey'],
        resources: [this.signingKey.keyArn],
      }),
    );
    // Write-once checkpoints and the reads that find the previous one; no delete, no retention bypass.
    sealerRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:PutObject', 's3:GetObject'],
        resources: [this.objectsArn],
      }),
    );
    sealerRole.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucketArn] }),
    );
    this.acknowledgeObjects(sealerRole);
    acknowledge(
      this.sealer.function,
      'NIST.800.53.R5-LambdaDLQ',
      'Invoked by a DynamoDB stream event source mapping, never asynchronously: failed batches go ' +
        "to the mapping's SQS on-failure destination (the stream failure queue, alarmed).",
    );
    props.dataKey.grant(sealerRole, 'kms:GenerateDataKey', 'kms:Decrypt');
    // Reads the newest checkpoint copy (Query) and writes the copy (PutItem).
    grantTableAccess(
      sealerRole,
      { tableArn: props.table.tableArn, encryptionKey: props.dataKey },
      {
        tableActions: ['Query', 'PutItem'],
      },
    );

    this.sealer.function.addEventSource(
      new DynamoEventSource(props.table, {
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: 1000,
        maxBatchingWindow: SEAL_BATCHING_WINDOW,
        reportBatchItemFailures: true,
        retryAttempts: 20,
        maxRecordAge: Duration.hours(24),
        onFailure: new SqsDlq(props.failures),
        filters: [
          lambda.FilterCriteria.filter({
            eventName: lambda.FilterRule.isEqual('INSERT'),
            dynamodb: { NewImage: { entity: { S: [...AUDIT_EVENT_ENTITIES] } } },
          }),
        ],
      }),
    );

    // The key auditors pin. CloudFormation has no attribute for an asymmetric key's public half, and a
    // custom-resource Lambda would be a seventh function outside the platform's function rules, so the
    // output names the key: `aws kms get-public-key --key-id <arn>` (or GET /v1/audit/public-key)
    // returns it, and its kid (RFC 7638 thumbprint) is what every checkpoint names.
    new CfnOutput(this, 'AuditPublicKey', {
      description:
        'Audit checkpoint signing key (ECC_NIST_P256): aws kms get-public-key --key-id <this> gives the SPKI to pin in npm run audit:verify',
      value: this.signingKey.keyArn,
    });
    new CfnOutput(this, 'AuditCheckpointBucket', { value: this.bucket.bucketName });
  }

  /**
   * The alarms, created in the scope that owns the alarm topic (the observability stack), so the
   * reference runs one way: sealer errors, and audit events waiting more than 5 minutes for a
   * checkpoint (the sealer stream's iterator age: some county's newest checkpoint is stale).
   */
  alarmsIn(
    scope: Construct,
    action: cloudwatch.IAlarmAction,
    dashboard: cloudwatch.Dashboard,
  ): cloudwatch.Alarm[] {
    const alarms = [
      new cloudwatch.Alarm(scope, 'AuditSealerErrors', {
        alarmDescription: 'The audit sealer failed: checkpoints may stop; see its logs',
        metric: this.sealer.function.metricErrors({ period: Duration.minutes(1), statistic: 'Sum' }),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      new cloudwatch.Alarm(scope, 'AuditCheckpointLag', {
        alarmDescription: 'Audit events have waited more than 5 minutes for a signed checkpoint',
        metric: this.sealer.function.metric('IteratorAge', {
          period: Duration.minutes(1),
          statistic: 'Maximum',
        }),
        threshold: SEAL_LAG_ALARM.toMilliseconds(),
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    ];
    for (const alarm of alarms) alarm.addAlarmAction(action);
    dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({ title: 'Audit sealer', alarms, width: 24 }));
    return alarms;
  }

  /** The API reads the archive (listing, verify) and the public key; it can never sign. */
  grantReader(role: iam.IRole, fn: lambda.Function, dataKey: kms.IKey): void {
    fn.addEnvironment('AUDIT_KEY_ID', this.signingKey.keyArn);
    fn.addEnvironment('AUDIT_BUCKET', this.bucket.bucketName);
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['kms:GetPublicKey'], resources: [this.signingKey.keyArn] }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [this.objectsArn] }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [this.objectsArn.slice(0, -2)] }),
    );
    this.acknowledgeObjects(role);
    dataKey.grant(role, 'kms:Decrypt');
  }

  private acknowledgeObjects(role: iam.IRole): void {
    acknowledge(
      role,
      'AwsSolutions-IAM5',
      'Checkpoint objects are named <tenantId>/<seq>.json and created as counties seal: the grant is on ' +
        'the objects of this one bucket, which holds nothing else; Object Lock (compliance) keeps every ' +
        'one unchangeable whatever the grant.',
      [this.objectsFinding],
    );
  }

  private acknowledgeBucket(): void {
    acknowledge(
      this.bucket,
      'AwsSolutions-S1',
      'Every request that reaches the checkpoints is a CloudTrail data event candidate; the objects are ' +
        'write-once under Object Lock (compliance), so access logs would record reads of signed, ' +
        'person-free checkpoints only.',
    );
    acknowledge(
      this.bucket,
      'NIST.800.53.R5-S3BucketLoggingEnabled',
      'Checkpoints are write-once under Object Lock (compliance) and carry no person data; writes come ' +
        'only from the sealer role, whose every call is in its own structured log.',
    );
    acknowledge(
      this.bucket,
      'NIST.800.53.R5-S3BucketReplicationEnabled',
      'A lost checkpoint is re-creatable only as a new one, never a copy; durability is S3 standard ' +
        '(eleven nines) and the table keeps a listing copy of each. Cross-Region replication is a ' +
        'deployment choice for docs/DEPLOY.md, not a default.',
    );
  }
}
