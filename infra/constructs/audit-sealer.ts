import { Aws, CfnOutput, CustomResource, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { STALE_CHECKPOINT_MS } from '../../shared/audit/seal-backlog.ts';
import { AUDIT_EVENT_ENTITIES } from '../../shared/audit/sealer.ts';
import { CUSTODY_METRICS } from '../../shared/observability/metrics.ts';
import { FUNCTION_ENTRIES } from '../bundling.ts';
import { acknowledge } from '../compliance.ts';
import type { LogLevel } from '../config.ts';
import { custodyMetric } from '../stacks/observability-stack.ts';
import { CustodyFunction, FUNCTION_MEMORY_MB } from './custody-function.ts';
import { KEY_ADMIN_ACTIONS } from './key-policy.ts';
import { grantTableAccess } from './table-access.ts';

/** Checkpoints stay unchangeable, by anyone, for at least this long (DESIGN.md §5: >= 1 year). */
export const CHECKPOINT_RETENTION_DAYS = 366;
/** The stream batches audit events for up to this long: one checkpoint per county per batch. */
export const SEAL_BATCHING_WINDOW = Duration.seconds(30);
/** A county whose events wait longer than this for a checkpoint raises the lag alarms. */
export const SEAL_LAG_ALARM = Duration.millis(STALE_CHECKPOINT_MS);
/** The deploy-time reader of the signing key's public half (a custom resource's function). */
export const PUBLIC_KEY_READER_SUFFIX = 'audit-public-key';

/**
 * The reader's code (CloudFormation custom resource protocol): GetPublicKey, base64 of the DER
 * SubjectPublicKeyInfo as the attribute `PublicKey`, the answer PUT to the presigned ResponseURL.
 */
const PUBLIC_KEY_READER_CODE = `
const { KMSClient, GetPublicKeyCommand } = require('@aws-sdk/client-kms');
const kms = new KMSClient({});
exports.handler = async (event) => {
  const answer = { Status: 'SUCCESS', PhysicalResourceId: event.ResourceProperties.KeyId, StackId: event.StackId,
    RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId, Data: {} };
  try {
    if (event.RequestType !== 'Delete') {
      const key = await kms.send(new GetPublicKeyCommand({ KeyId: event.ResourceProperties.KeyId }));
      answer.Data.PublicKey = Buffer.from(key.PublicKey).toString('base64');
    }
  } catch (error) {
    console.error(error);
    Object.assign(answer, { Status: 'FAILED', Reason: String(error).slice(0, 200) });
  }
  const response = await fetch(event.ResponseURL, { method: 'PUT', headers: { 'content-type': '' }, body: JSON.stringify(answer) });
  if (!response.ok) throw new Error('CloudFormation refused the answer: ' + response.status);
};
`;

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
            // The app's one list of administration actions, plus reading the public key (not use).
            actions: [...KEY_ADMIN_ACTIONS, 'kms:GetPublicKey'],
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

    // The key auditors pin. CloudFormation has no attribute for an asymmetric key's public half, so a
    // custom resource reads it once per deployment (kms:GetPublicKey on this key only).
    new CfnOutput(this, 'AuditPublicKey', {
      description:
        'Audit checkpoint signing key (ECC_NIST_P256), public half: base64 DER SubjectPublicKeyInfo (SPKI); ' +
        'wrap in -----BEGIN PUBLIC KEY----- / -----END PUBLIC KEY----- for PEM, pin in npm run audit:verify',
      value: this.readPublicKey(props).getAttString('PublicKey'),
    });
    new CfnOutput(this, 'AuditSigningKeyArn', { value: this.signingKey.keyArn });
    new CfnOutput(this, 'AuditCheckpointBucket', { value: this.bucket.bucketName });
  }

  /**
   * The alarms, created in the scope that owns the alarm topic (the observability stack), so the
   * reference runs one way: sealer errors; a county with an event waiting more than 5 minutes for a
   * checkpoint (StaleAuditCounties, which the sealer reports on every run); and the sealer stream's
   * iterator age, the backstop for a sealer that stopped running altogether.
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
      new cloudwatch.Alarm(scope, 'AuditCheckpointStale', {
        alarmDescription:
          'A county has had an audit event waiting more than 5 minutes for a signed checkpoint: its newest checkpoint is stale',
        metric: custodyMetric(CUSTODY_METRICS.staleAuditCounties, {
          statistic: 'Maximum',
          period: Duration.minutes(1),
        }),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        // The sealer reports only when events arrive: a quiet platform has no data and nothing stale.
        // A sealer that stops running is caught by the Errors and IteratorAge alarms.
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    ];
    for (const alarm of alarms) alarm.addAlarmAction(action);
    dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({ title: 'Audit sealer', alarms, width: 24 }));
    return alarms;
  }

  /**
   * Reads the signing key's public half at deploy time: a custom resource whose function calls
   * kms:GetPublicKey on this key only and answers it base64-encoded. (CDK's AwsCustomResource decodes
   * the SDK's binary PublicKey as UTF-8 text, which mangles DER, so it cannot serve here.) The
   * function follows the platform's rules where they apply to it: name prefix, nodejs24.x on arm64,
   * tracing, its own encrypted log group kept as long as ours, a role without managed policies.
   */
  private readPublicKey(props: AuditSealerProps): CustomResource {
    const functionName = `${props.prefix}-${PUBLIC_KEY_READER_SUFFIX}`;
    const logGroup = new logs.LogGroup(this, 'PublicKeyReaderLogs', {
      logGroupName: `/aws/lambda/${functionName}`,
      retention: props.logRetention,
      encryptionKey: props.logsKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const role = new iam.Role(this, 'PublicKeyReaderRole', {
      // Named like every role of the app, so the key and table policies' prefix covers it.
      roleName: functionName,
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Reads the public half of the audit signing key at deploy time; cannot sign',
    });
    logGroup.grantWrite(role);
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['kms:GetPublicKey'], resources: [this.signingKey.keyArn] }),
    );
    const reader = new lambda.Function(this, 'PublicKeyReaderFunction', {
      functionName,
      description:
        'Deploy time: answers the audit signing key\u2019s public key (base64 DER SPKI) to CloudFormation',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: FUNCTION_MEMORY_MB,
      timeout: Duration.minutes(1),
      tracing: lambda.Tracing.ACTIVE,
      role,
      logGroup,
      environment: props.fipsEndpoints ? { AWS_USE_FIPS_ENDPOINT: 'true' } : {},
      handler: 'index.handler',
      code: lambda.Code.fromInline(PUBLIC_KEY_READER_CODE),
    });
    this.acknowledgeReader(role, reader);
    return new CustomResource(this, 'PublicKeyReader', {
      serviceToken: reader.functionArn,
      resourceType: 'Custom::AuditPublicKey',
      properties: { KeyId: this.signingKey.keyArn },
    });
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

  private acknowledgeReader(role: iam.IRole, provider: lambda.Function): void {
    acknowledge(
      role,
      'AwsSolutions-IAM5',
      'X-Ray PutTraceSegments and PutTelemetryRecords do not support resource-level permissions, ' +
        'so active tracing can only be granted on "*".',
      ['Resource::*'],
    );
    acknowledge(
      role,
      'NIST.800.53.R5-IAMNoInlinePolicy',
      'The inline policy belongs to the one role of the deploy-time public-key reader: it lives and ' +
        'dies with that role and nothing else can attach it.',
    );
    acknowledge(
      provider,
      'NIST.800.53.R5-LambdaInsideVPC',
      'Runs only during deployment and calls one AWS API (kms:GetPublicKey) over TLS with IAM ' +
        'authentication; it has no private resource to reach.',
    );
    acknowledge(
      provider,
      'NIST.800.53.R5-LambdaConcurrency',
      'Invoked by CloudFormation only, once per create or update of the stack: it never competes for ' +
        "the account's concurrency.",
    );
    acknowledge(
      provider,
      'NIST.800.53.R5-LambdaDLQ',
      'Invoked synchronously by CloudFormation through the custom resource; a failure fails the ' +
        'deployment, which CloudFormation reports and rolls back.',
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
