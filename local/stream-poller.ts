import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  type _Record,
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { dynamoClientConfig } from '../shared/store/db.ts';

/** Lambda's default batch size for DynamoDB event source mappings. */
const BATCH_SIZE = 100;

export type StreamHandler = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse>;

/**
 * Reads DynamoDB Local's stream of the table and hands the records, in Lambda's event shape and
 * batches, to the same stream handler the Lambda runs (what the event source mapping does in AWS).
 */
export class LocalStreamPoller {
  private readonly streams: DynamoDBStreamsClient;
  private readonly table: DynamoDBClient;
  private readonly tableName: string;
  private readonly handler: StreamHandler;
  private readonly observe: (records: readonly _Record[]) => void;
  private streamArn: string | undefined;
  /** Open shards and where we are in each; closed, drained shards are remembered as done. */
  private readonly iterators = new Map<string, string>();
  private readonly finished = new Set<string>();
  private queue: Promise<unknown> = Promise.resolve();
  /** Shards change only when one closes (DynamoDB rolls them); otherwise DescribeStream is skipped. */
  private shardsKnown = false;

  constructor(options: {
    endpoint: string;
    table: DynamoDBClient;
    tableName: string;
    handler: StreamHandler;
    /** Sees every record as it is read, before the handler (which may fail and retry) gets it. */
    observe?: (records: readonly _Record[]) => void;
  }) {
    this.streams = new DynamoDBStreamsClient(dynamoClientConfig({ endpoint: options.endpoint }));
    this.table = options.table;
    this.tableName = options.tableName;
    this.handler = options.handler;
    this.observe = options.observe ?? (() => undefined);
  }

  /** Delivers every record written so far; resolves with how many. Calls never overlap. */
  drain(): Promise<number> {
    const run = this.queue.then(() => this.drainOnce());
    this.queue = run.catch(() => undefined);
    return run;
  }

  stop(): void {
    this.streams.destroy();
  }

  private async drainOnce(): Promise<number> {
    if (!this.shardsKnown || this.iterators.size === 0) await this.discoverShards();
    let delivered = 0;
    for (const [shardId, iterator] of this.iterators) {
      let next: string | undefined = iterator;
      while (next) {
        const page: GetRecordsCommandOutput = await this.streams.send(
          new GetRecordsCommand({ ShardIterator: next, Limit: BATCH_SIZE }),
        );
        const records = page.Records ?? [];
        if (records.length > 0) {
          this.observe(records);
          await this.deliver(records);
          delivered += records.length;
        }
        next = page.NextShardIterator;
        if (records.length === 0) break;
      }
      if (next) this.iterators.set(shardId, next);
      else {
        this.iterators.delete(shardId);
        this.finished.add(shardId);
        // A closed shard has a successor: look for it now, and read it in this same drain.
        this.shardsKnown = false;
      }
    }
    if (!this.shardsKnown) {
      this.shardsKnown = true;
      const before = this.iterators.size;
      await this.discoverShards();
      if (this.iterators.size > before) delivered += await this.drainOnce();
    }
    return delivered;
  }

  private async deliver(records: _Record[]): Promise<void> {
    const event: DynamoDBStreamEvent = {
      Records: records.map((record) => toLambdaRecord(record, this.streamArn)),
    };
    // A failed batch is retried, as Lambda does, a bounded number of times.
    for (let attempt = 1; attempt <= 3; attempt++) {
      const result = await this.handler(event);
      if (result.batchItemFailures.length === 0) return;
    }
    console.error(`local stream: a batch of ${records.length} records failed 3 times; skipped`);
  }

  private async discoverShards(): Promise<void> {
    this.shardsKnown = true;
    if (!this.streamArn) {
      const table = await this.table.send(new DescribeTableCommand({ TableName: this.tableName }));
      this.streamArn = table.Table?.LatestStreamArn;
      if (!this.streamArn) throw new Error(`table ${this.tableName} has no stream`);
    }
    let startShard: string | undefined;
    do {
      const stream = await this.streams.send(
        new DescribeStreamCommand({ StreamArn: this.streamArn, ExclusiveStartShardId: startShard }),
      );
      for (const shard of stream.StreamDescription?.Shards ?? []) {
        const shardId = shard.ShardId;
        if (!shardId || this.iterators.has(shardId) || this.finished.has(shardId)) continue;
        const { ShardIterator } = await this.streams.send(
          new GetShardIteratorCommand({
            StreamArn: this.streamArn,
            ShardId: shardId,
            ShardIteratorType: 'TRIM_HORIZON',
          }),
        );
        if (ShardIterator) this.iterators.set(shardId, ShardIterator);
      }
      startShard = stream.StreamDescription?.LastEvaluatedShardId;
    } while (startShard);
  }
}

function toLambdaRecord(record: _Record, streamArn: string | undefined): DynamoDBRecord {
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion,
    eventSource: 'aws:dynamodb',
    awsRegion: record.awsRegion ?? 'us-east-1',
    eventSourceARN: streamArn,
    dynamodb: record.dynamodb as DynamoDBRecord['dynamodb'],
  };
}
