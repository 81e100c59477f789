import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import {
  GLOBAL_INDEXES,
  KEY_ATTRIBUTES,
  TableKeys,
  TTL_ATTRIBUTE,
} from '../../shared/store/table-definition.ts';
import { synthesize } from './support/synth.ts';
import { onlyResource, props, render, resourcesOfType } from './support/template-helpers.ts';

const { templates, names } = synthesize();
const data = templates.data;
const [tableId, table] = onlyResource(data, 'AWS::DynamoDB::Table');
const tableProps = props(table);

describe('custody table', () => {
  it('has the keys of shared/store/table-definition.ts, all strings', () => {
    expect(tableProps.KeySchema).toEqual([
      { AttributeName: TableKeys.partitionKey, KeyType: 'HASH' },
      { AttributeName: TableKeys.sortKey, KeyType: 'RANGE' },
    ]);
    const definitions = tableProps.AttributeDefinitions as Array<{
      AttributeName: string;
      AttributeType: string;
    }>;
    expect(definitions.map((d) => d.AttributeName).sort()).toEqual([...KEY_ATTRIBUTES].sort());
    expect(new Set(definitions.map((d) => d.AttributeType))).toEqual(new Set(['S']));
  });

  it('has exactly the global secondary indexes of the definition file', () => {
    const expected = GLOBAL_INDEXES.map((index) => ({
      IndexName: index.indexName,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: 'HASH' },
        { AttributeName: index.sortKey, KeyType: 'RANGE' },
      ],
      Projection:
        index.projection.type === 'ALL'
          ? { ProjectionType: 'ALL' }
          : { ProjectionType: 'INCLUDE', NonKeyAttributes: [...index.projection.nonKeyAttributes] },
    }));
    expect(tableProps.GlobalSecondaryIndexes).toEqual(expected);
  });

  it('is on-demand, with point-in-time recovery, deletion protection, stream and TTL', () => {
    expect(tableProps).toMatchObject({
      TableName: names.table,
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: true,
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
      TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
    });
  });

  it('is retained when the stack or the resource goes away', () => {
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.UpdateReplacePolicy).toBe('Retain');
  });

  it('is encrypted with a customer-managed KMS key that rotates', () => {
    const sse = tableProps.SSESpecification as {
      SSEEnabled: boolean;
      SSEType: string;
      KMSMasterKeyId: unknown;
    };
    expect(sse).toMatchObject({ SSEEnabled: true, SSEType: 'KMS' });
    const keyId = render(sse.KMSMasterKeyId).replace(/^\$\{(.+)\.Arn\}$/, '$1');
    const key = resourcesOfType(data, 'AWS::KMS::Key')[keyId];
    expect(key, `table key ${keyId} is a KMS key of this stack`).toBeDefined();
    expect(props(key!)).toMatchObject({ EnableKeyRotation: true });
    expect(key!.DeletionPolicy).toBe('Retain');
  });

  it('is in an AWS Backup plan with monthly copies kept for a year', () => {
    data.hasResourceProperties('AWS::Backup::BackupSelection', {
      BackupSelection: Match.objectLike({ Resources: [{ 'Fn::GetAtt': [tableId, 'Arn'] }] }),
    });
    data.hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: Match.objectLike({
        BackupPlanRule: Match.arrayWith([
          Match.objectLike({ RuleName: 'Monthly1Year', Lifecycle: { DeleteAfterDays: 366 } }),
        ]),
      }),
    });
  });
});

describe('log key', () => {
  it('lets only CloudWatch Logs of this account and Region use it, and rotates', () => {
    data.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: Match.objectLike({
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: { 'Fn::Join': ['', ['logs.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } },
            Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': Match.anyValue() } },
          }),
        ]),
      }),
    });
  });
});
