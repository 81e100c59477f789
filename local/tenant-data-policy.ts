import { DynamoDBServiceException } from '@aws-sdk/client-dynamodb';
import type { InitializeMiddleware } from '@smithy/types';
import { tenantPk } from '../shared/store/keys.ts';
import { ITEM_ACTIONS, type ItemAction, TableKeys } from '../shared/store/table-definition.ts';

/**
 * DynamoDB Local does not evaluate IAM, so the local runtime emulates the tenant-data role
 * (infra/constructs/tenant-data-role.ts) on every tenant-scoped client: a request is refused, as AWS
 * would refuse it with AccessDeniedException, unless
 *
 * - its operation is one the role grants (TENANT_DATA_ACTIONS; everything else, Scan, PartiQL,
 *   TransactGetItems, BatchWriteItem included, is granted to nobody),
 * - it names the base table only (the role's resource is the table ARN: no index, no other table), and
 * - every partition key it carries (`dynamodb:LeadingKeys`: Key, Item, each TransactItems and
 *   BatchGetItem key, a Query's partition-key condition) equals `TENANT#<tenant>` exactly: the
 *   policy's `ForAllValues:StringLike` pattern `TENANT#${aws:PrincipalTag/tenant}` has no wildcard,
 *   and `Null: false` refuses a request that carries no key at all.
 *
 * One exception (issue 13): the caller's API-key item `APIKEY#<hash>` may be read (GetItem,
 * BatchGetItem) or checked (a ConditionCheck inside TransactWriteItems), never written, so a request
 * checks its key in the same round trip as its first read or its transaction.
 *
 * It runs first in the client's stack (initialize, high priority), before retries and before any
 * request reaches DynamoDB Local, so a refused request writes nothing.
 */

/**
 * The role's item actions (TENANT_DATA_ACTIONS in infra/constructs/tenant-data-role.ts, which
 * test/unit/tenant-db checks against this): every item action, as SDK operation names.
 */
export const EMULATED_TENANT_ACTIONS: readonly ItemAction[] = ITEM_ACTIONS;

/** The partitions of API-key items by hash (shared/store/keys.ts `apiKeyByHash`). */
const API_KEY_PARTITION = 'APIKEY#';

export const TENANT_POLICY_MIDDLEWARE = 'emulate-tenant-data-role';

type Input = Record<string, unknown>;

const isRecord = (value: unknown): value is Input =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A key attribute as the document client (`'x'`) or the low-level client (`{ S: 'x' }`) carries it. */
function stringValue(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (isRecord(value) && typeof value.S === 'string') return value.S;
  return undefined;
}

const partitionOf = (key: unknown): string | undefined =>
  isRecord(key) ? stringValue(key[TableKeys.partitionKey]) : undefined;

/** The value a Query's key condition gives the partition key, or undefined if it cannot be read. */
function queryPartition(input: Input): string | undefined {
  const legacy = input.KeyConditions;
  if (isRecord(legacy)) {
    const condition = legacy[TableKeys.partitionKey];
    if (!isRecord(condition) || condition.ComparisonOperator !== 'EQ') return undefined;
    const values = condition.AttributeValueList;
    return Array.isArray(values) && values.length === 1 ? stringValue(values[0]) : undefined;
  }
  const expression = input.KeyConditionExpression;
  if (typeof expression !== 'string') return undefined;
  const names = isRecord(input.ExpressionAttributeNames) ? input.ExpressionAttributeNames : {};
  const values = isRecord(input.ExpressionAttributeValues) ? input.ExpressionAttributeValues : {};
  const found: string[] = [];
  for (const clause of expression.split(/\s+AND\s+/i)) {
    const match = /^\s*\(?\s*([#\w]+)\s*=\s*(:\w+)\s*\)?\s*$/.exec(clause);
    if (!match?.[1] || !match[2]) continue;
    const attribute = match[1].startsWith('#') ? names[match[1]] : match[1];
    if (attribute !== TableKeys.partitionKey) continue;
    const value = stringValue(values[match[2]]);
    if (value === undefined) return undefined;
    found.push(value);
  }
  return found.length === 1 ? found[0] : undefined;
}

export type PolicyVerdict = { allowed: true } | { allowed: false; reason: string };

/**
 * Decides one request against the tenant-data role's policy. `operation` is the SDK operation name
 * (`GetItem`, `TransactWriteItems`, …), `input` the command input in either client's shape.
 */
export function evaluateTenantPolicy(
  operation: string,
  input: Input,
  tenantId: string,
  tableName: string,
): PolicyVerdict {
  const deny = (reason: string): PolicyVerdict => ({ allowed: false, reason });
  // ConditionCheckItem has no operation of its own: it is checked inside TransactWriteItems.
  if (!(EMULATED_TENANT_ACTIONS as readonly string[]).includes(operation)) {
    return deny(`no identity-based policy allows the dynamodb:${operation} action`);
  }
  const tables: unknown[] = [];
  const leadingKeys: (string | undefined)[] = [];
  /** Partition keys of API-key items read or checked (never written): allowed besides the tenant's. */
  const keyReads: (string | undefined)[] = [];
  switch (operation) {
    case 'GetItem':
      tables.push(input.TableName);
      keyReads.push(partitionOf(input.Key));
      break;
    case 'UpdateItem':
    case 'DeleteItem':
      tables.push(input.TableName);
      leadingKeys.push(partitionOf(input.Key));
      break;
    case 'PutItem':
      tables.push(input.TableName);
      leadingKeys.push(partitionOf(input.Item));
      break;
    case 'Query':
      if (input.IndexName !== undefined) {
        return deny(`the role grants the base table only, not the index ${String(input.IndexName)}`);
      }
      tables.push(input.TableName);
      leadingKeys.push(queryPartition(input));
      break;
    case 'BatchGetItem': {
      const requests = isRecord(input.RequestItems) ? input.RequestItems : {};
      for (const [table, request] of Object.entries(requests)) {
        tables.push(table);
        const batchKeys = isRecord(request) && Array.isArray(request.Keys) ? request.Keys : [];
        for (const key of batchKeys) keyReads.push(partitionOf(key));
      }
      break;
    }
    case 'TransactWriteItems': {
      const items = Array.isArray(input.TransactItems) ? input.TransactItems : [];
      for (const item of items) {
        if (!isRecord(item)) return deny('unreadable TransactItems entry');
        for (const [kind, action] of Object.entries(item)) {
          if (!isRecord(action)) continue;
          tables.push(action.TableName);
          (kind === 'ConditionCheck' ? keyReads : leadingKeys).push(
            partitionOf(kind === 'Put' ? action.Item : action.Key),
          );
        }
      }
      break;
    }
  }
  for (const key of keyReads) if (!key?.startsWith(API_KEY_PARTITION)) leadingKeys.push(key);
  if (leadingKeys.length === 0 && keyReads.length === 0)
    return deny('the request carries no leading key (Null dynamodb:LeadingKeys)');
  const foreignTable = tables.find((table) => table !== tableName);
  if (foreignTable !== undefined || tables.length === 0) {
    return deny(`the role grants the table ${tableName} only, not ${String(foreignTable)}`);
  }
  const expected = tenantPk(tenantId);
  const foreign = leadingKeys.find((key) => key !== expected);
  if (leadingKeys.includes(undefined) || foreign !== undefined) {
    return deny(`dynamodb:LeadingKeys ${String(foreign ?? 'unknown')} is not ${expected}`);
  }
  return { allowed: true };
}

/** What DynamoDB answers a request the caller's policy does not allow. */
export function accessDenied(operation: string, tenantId: string, reason: string): DynamoDBServiceException {
  return new DynamoDBServiceException({
    name: 'AccessDeniedException',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
    message:
      `User: arn:aws:sts::000000000000:assumed-role/tenant-data/tenant=${tenantId} is not authorized to ` +
      `perform: dynamodb:${operation} (local emulation of the tenant-data role: ${reason})`,
  });
}

/** Installs the emulation on a client's middleware stack (a document client shares its client's stack). */
export function enforceTenantPolicy(
  stack: { add(middleware: InitializeMiddleware<object, object>, options: object): void },
  tenantId: string,
  tableName: string,
  onDenied: (operation: string, reason: string) => void = () => undefined,
): void {
  const middleware: InitializeMiddleware<object, object> = (next, context) => async (args) => {
    const operation = (context.commandName ?? '').replace(/Command$/, '');
    const input = isRecord(args.input) ? args.input : {};
    const verdict = evaluateTenantPolicy(operation, input, tenantId, tableName);
    if (!verdict.allowed) {
      onDenied(operation, verdict.reason);
      throw accessDenied(operation, tenantId, verdict.reason);
    }
    return next(args);
  };
  stack.add(middleware, { step: 'initialize', priority: 'high', name: TENANT_POLICY_MIDDLEWARE });
}
