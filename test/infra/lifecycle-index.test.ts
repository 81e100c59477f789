import { describe, expect, it } from 'vitest';
import { LIFECYCLE_INDEX } from '../../shared/store/table-definition.ts';
import { synthesize } from './support/synth.ts';
import { onlyResource, props } from './support/template-helpers.ts';

/** Issue 17: the sparse index the retention purge Queries instead of scanning (no Scan anywhere). */
const { templates } = synthesize();
const [, table] = onlyResource(templates.data, 'AWS::DynamoDB::Table');

describe('person-data lifecycle index', () => {
  it('is a global index on gsi3pk / gsi3sk projecting only what the purge reads', () => {
    const indexes = props(table).GlobalSecondaryIndexes as Array<Record<string, unknown>>;
    expect(indexes.find((index) => index.IndexName === LIFECYCLE_INDEX.indexName)).toEqual({
      IndexName: 'personDataLifecycle',
      KeySchema: [
        { AttributeName: 'gsi3pk', KeyType: 'HASH' },
        { AttributeName: 'gsi3sk', KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['tenantId', 'bookingNumber', 'retention'] },
    });
  });
});
