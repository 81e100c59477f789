import { Aws, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledge } from '../compliance.ts';
import { appKey } from './key-policy.ts';

export interface DataEventsTrailProps {
  readonly trailName: string;
  readonly keyAlias: string;
  /** Tables whose item-level (data) events are recorded. */
  readonly tableArns: readonly string[];
}

/**
 * The stack's own CloudTrail trail (context cloudTrail=stack; issue 19 item 7): management events
 * (every use of the KMS keys is one) and the DynamoDB data events of the custody table, with log file
 * validation, into a versioned, KMS-encrypted bucket that only CloudTrail writes to. An
 * organization trail (cloudTrail=organization) is the stronger setup: see docs/DEPLOY.md §9.
 */
export class DataEventsTrail extends Construct {
  readonly trail: cloudtrail.CfnTrail;
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: DataEventsTrailProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const trailArn = stack.formatArn({
      service: 'cloudtrail',
      resource: 'trail',
      resourceName: props.trailName,
    });
    const fromThisTrail = { StringEquals: { 'aws:SourceArn': trailArn } };
    const key = appKey(this, 'Key', {
      description: 'WSO custody CloudTrail log files',
      alias: props.keyAlias,
      serviceUse: [
        new iam.PolicyStatement({
          sid: 'CloudTrailEncryptsThisTrailsLogs',
          principals: [new iam.ServicePrincipal('cloudtrail.amazonaws.com')],
          actions: ['kms:GenerateDataKey*', 'kms:DescribeKey'],
          resources: ['*'],
          conditions: {
            ...fromThisTrail,
            StringLike: {
              'kms:EncryptionContext:aws:cloudtrail:arn': `arn:${Aws.PARTITION}:cloudtrail:*:${Aws.ACCOUNT_ID}:trail/*`,
            },
          },
        }),
      ],
    });
    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: key,
      bucketKeyEnabled: true,
      enforceSSL: true,
      versioned: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const cloudTrail = new iam.ServicePrincipal('cloudtrail.amazonaws.com');
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudTrailAclCheck',
        principals: [cloudTrail],
        actions: ['s3:GetBucketAcl'],
        resources: [this.bucket.bucketArn],
        conditions: fromThisTrail,
      }),
    );
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudTrailWritesThisTrailOnly',
        principals: [cloudTrail],
        actions: ['s3:PutObject'],
        resources: [this.bucket.arnForObjects(`AWSLogs/${Aws.ACCOUNT_ID}/*`)],
        conditions: fromThisTrail,
      }),
    );

    this.trail = new cloudtrail.CfnTrail(this, 'Trail', {
      trailName: props.trailName,
      isLogging: true,
      s3BucketName: this.bucket.bucketName,
      kmsKeyId: key.keyArn,
      enableLogFileValidation: true,
      includeGlobalServiceEvents: true,
      isMultiRegionTrail: false,
      advancedEventSelectors: [
        {
          name: 'Management events (every KMS key use among them)',
          fieldSelectors: [{ field: 'eventCategory', equalTo: ['Management'] }],
        },
        {
          name: 'Item-level events of the custody table',
          fieldSelectors: [
            { field: 'eventCategory', equalTo: ['Data'] },
            { field: 'resources.type', equalTo: ['AWS::DynamoDB::Table'] },
            { field: 'resources.ARN', equalTo: [...props.tableArns] },
          ],
        },
      ],
    });
    this.trail.node.addDependency(this.bucket);

    acknowledge(
      this.bucket,
      'AwsSolutions-S1',
      'The bucket holds only CloudTrail log files, written by CloudTrail alone; log file validation ' +
        'proves them unaltered, and server access logs would need yet another bucket of their own.',
    );
    acknowledge(
      this.bucket,
      'NIST.800.53.R5-S3BucketLoggingEnabled',
      'The bucket holds only CloudTrail log files (see AwsSolutions-S1); the trail records its own writes.',
    );
    acknowledge(
      this.bucket,
      'NIST.800.53.R5-S3BucketReplicationEnabled',
      'Cross-Region copies of the audit trail are the organization trail’s job (cloudTrail=organization, ' +
        'docs/DEPLOY.md §9); this stack trail is the single-account fallback.',
    );
    acknowledge(
      this.trail,
      'NIST.800.53.R5-CloudTrailCloudWatchLogsEnabled',
      'Alerting reads CloudWatch metrics and the functions’ own logs; the trail is the audit record, ' +
        'validated in S3. Streaming it to CloudWatch Logs as well would double its storage of person-data access events.',
    );
  }
}
