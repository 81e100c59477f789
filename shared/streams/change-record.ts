import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';

/** One item change from the table's stream, unmarshalled: what every stream consumer reads. */
export interface ChangeRecord {
  /** The stream record's id: unique per change, stable across redeliveries (dedupe on it). */
  eventId: string;
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  pk: string;
  sk: string;
  newImage?: Record<string, unknown>;
  oldImage?: Record<string, unknown>;
}

type Image = Record<string, AttributeValue>;

export function toChangeRecord(record: DynamoDBRecord): ChangeRecord | undefined {
  const data = record.dynamodb;
  if (!data?.Keys || !record.eventID || !record.eventName) return undefined;
  const keys = unmarshall(data.Keys as Image);
  return {
    eventId: record.eventID,
    eventName: record.eventName,
    pk: String(keys.pk),
    sk: String(keys.sk),
    ...(data.NewImage ? { newImage: unmarshall(data.NewImage as Image) } : {}),
    ...(data.OldImage ? { oldImage: unmarshall(data.OldImage as Image) } : {}),
  };
}

/** The entity type of a change (`entity` attribute of the new, else the old, image). */
export const entityOf = (record: ChangeRecord): string | undefined =>
  (record.newImage?.entity ?? record.oldImage?.entity) as string | undefined;
