/**
 * Report counters in the single table. One counter item per county and month, in the tenant's own
 * partition (so IAM's LeadingKeys pinning still holds), listed for the state on the `byState` index:
 *
 *   pk TENANT#<t>  sk REPORT#<YYYY-MM>   gsi2pk STATE#<st>#REPORT  gsi2sk <YYYY-MM>#<t>
 *
 * so a state's report for up to 24 months is one paged Query of the index, whatever the number of
 * holds. Each change is applied with its marker item (one per hold and version) in ONE transaction
 * whose marker Put is conditional on not existing: a redelivered stream record changes nothing.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Deltas } from '../reports/hold-figures.ts';
import { toIsoSeconds } from '../util/time.ts';
import type { Db } from './db.ts';
import { stateTenantsGsi, tenantPk } from './keys.ts';
import { queryAll } from './pagination.ts';
import { STATE_INDEX } from './table-definition.ts';

/**
 * Markers only have to outlive redelivery: stream records live 24 h, a failing batch is retried
 * within that. TTL (garbage collection, never a timer) removes them after a week.
 */
const MARKER_RETENTION_SECONDS = 7 * 86_400;

export const reportKeys = {
  counters: (tenantId: string, month: string) => ({ pk: tenantPk(tenantId), sk: `REPORT#${month}` }),
  /** `subject` is `HOLD#<holdId>` or `OFFICER#<officerId>`; versions only grow, one marker each. */
  marker: (tenantId: string, subject: string, version: number) => ({
    pk: tenantPk(tenantId),
    sk: `REPORTMARK#${subject}#${String(version).padStart(9, '0')}`,
  }),
};

export const stateReportPk = (state: string): string => `STATE#${state}#REPORT`;

export interface CounterChange {
  tenantId: string;
  state: string;
  month: string;
  subject: string;
  version: number;
  deltas: Deltas;
}

/** How often a transaction that lost to a concurrent one on the same counter item is tried again. */
const CONFLICT_ATTEMPTS = 4;

/** Adds `deltas` to the county-month counters once per (subject, version); false for a duplicate. */
export async function applyCounterChange(db: Db, change: CounterChange, now: Date): Promise<boolean> {
  const names: Record<string, string> = {
    '#entity': 'entity',
    '#tenantId': 'tenantId',
    '#state': 'state',
    '#month': 'month',
    '#gsiPk': STATE_INDEX.partitionKey,
    '#gsiSk': STATE_INDEX.sortKey,
    '#updatedAt': 'updatedAt',
  };
  const values: Record<string, unknown> = {
    ':entity': 'ReportCounters',
    ':tenantId': change.tenantId,
    ':state': change.state,
    ':month': change.month,
    ':gsiPk': stateReportPk(change.state),
    ':gsiSk': `${change.month}#${change.tenantId}`,
    ':updatedAt': toIsoSeconds(now),
  };
  const adds = Object.entries(change.deltas).map(([name, delta], index) => {
    names[`#c${index}`] = name;
    values[`:c${index}`] = delta;
    return `#c${index} :c${index}`;
  });
  const marker = reportKeys.marker(change.tenantId, change.subject, change.version);
  const command = new TransactWriteCommand({
    TransactItems: [
      {
        Put: {
          TableName: db.tableName,
          Item: {
            ...marker,
            entity: 'ReportMarker',
            expiresAt: Math.floor(now.getTime() / 1000) + MARKER_RETENTION_SECONDS,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      {
        Update: {
          TableName: db.tableName,
          Key: reportKeys.counters(change.tenantId, change.month),
          UpdateExpression:
            'SET #entity = :entity, #tenantId = :tenantId, #state = :state, #month = :month, ' +
            `#gsiPk = :gsiPk, #gsiSk = :gsiSk, #updatedAt = :updatedAt ADD ${adds.join(', ')}`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        },
      },
    ],
  });
  for (let attempt = 1; ; attempt++) {
    try {
      await db.doc.send(command);
      return true;
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const reasons = (error.CancellationReasons ?? []).map((reason) => reason.Code);
      if (reasons[0] === 'ConditionalCheckFailed') return false;
      // Another shard's batch was updating the same county-month: back off and try again; past
      // that, the batch fails and is redelivered (the marker keeps it exactly-once).
      if (!reasons.includes('TransactionConflict') || attempt >= CONFLICT_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** attempt * Math.random()));
    }
  }
}

/** The counter items of a state's counties for `from..to` (one Query of the `byState` index). */
export function queryStateCounters(
  db: Db,
  state: string,
  from: string,
  to: string,
): Promise<Record<string, unknown>[]> {
  return queryAll(db, {
    IndexName: STATE_INDEX.indexName,
    KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
    ExpressionAttributeNames: { '#pk': STATE_INDEX.partitionKey, '#sk': STATE_INDEX.sortKey },
    // Tenant ids are [a-z0-9-]: '~' sorts after all of them, so the last month is included whole.
    ExpressionAttributeValues: { ':pk': stateReportPk(state), ':from': `${from}#`, ':to': `${to}#~` },
  });
}

export interface StateCounty {
  tenantId: string;
  countyFips: string;
  name: string;
  timeZone: string;
}

/** The counties (tenants) of a state, from the `byState` index (one Query). */
export async function listStateCounties(db: Db, state: string): Promise<StateCounty[]> {
  const items = await queryAll(db, {
    IndexName: STATE_INDEX.indexName,
    KeyConditionExpression: '#pk = :pk',
    ExpressionAttributeNames: { '#pk': STATE_INDEX.partitionKey },
    ExpressionAttributeValues: { ':pk': stateTenantsGsi(state, '').gsi2pk },
  });
  return items
    .map((item) => ({
      tenantId: String(item.tenantId),
      countyFips: String(item.countyFips),
      name: String(item.name),
      timeZone: String(item.timeZone),
    }))
    .sort((a, b) => a.name.localeCompare(b.name) || a.tenantId.localeCompare(b.tenantId));
}
