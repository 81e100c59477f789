/**
 * The one definition of the single DynamoDB table: the CDK app (infra/) and the local runtime
 * (local/) both build the table from this object, so keys and indexes cannot drift apart.
 *
 * Every partition key of tenant data starts with `TENANT#<tenantId>` (see keys.ts), so IAM can pin a
 * function to one tenant's items with `dynamodb:LeadingKeys`.
 */
export const TABLE_DEFAULT_NAME = 'wso-custody';

export const TableKeys = {
  partitionKey: 'pk',
  sortKey: 'sk',
} as const;

/** Sparse index of open holds by the time their next step is due: the backstop sweeper reads it. */
export const OPEN_HOLDS_INDEX = {
  indexName: 'openHoldsByNextAction',
  partitionKey: 'gsi1pk',
  sortKey: 'gsi1sk',
  /** Open holds are spread over this many index partitions so no single partition runs hot. */
  shards: 16,
  nonKeyAttributes: ['tenantId', 'holdId', 'nextActionAt', 'nextStep', 'version'],
} as const;

/** Index for state-level reads: the counties of a state and their report counters. */
export const STATE_INDEX = {
  indexName: 'byState',
  partitionKey: 'gsi2pk',
  sortKey: 'gsi2sk',
} as const;

/**
 * Sparse index of credentialed officers by the last day their credential is valid (issue 17, the
 * daily credential expiry notices): keyed on the officer item's own `credentialExpiresOn` (keys.ts),
 * so only officers that were ever credentialed are in it, and existing ones need no backfill. One
 * partition per day; the job queries the 30 days ahead. Sorted by the item's own sort key.
 */
export const CREDENTIAL_EXPIRY_INDEX = {
  indexName: 'officersByCredentialExpiry',
  partitionKey: 'credentialExpiresOn',
  sortKey: TableKeys.sortKey,
  nonKeyAttributes: ['tenantId', 'officerId', 'status', 'credential'],
} as const;

/**
 * Sparse index for the person-data lifecycle (issue 17): released bookings whose person data is
 * still kept, per tenant by release time (`TENANT#<t>#RELEASED` / releasedAt), and the tenants
 * with a retention period (`RETENTION#TENANTS` / tenantId). The purge job reads both with Queries,
 * never a Scan; a purged or sealed booking leaves the index. Keys: store/lifecycle-index.ts.
 */
export const LIFECYCLE_INDEX = {
  indexName: 'personDataLifecycle',
  partitionKey: 'gsi3pk',
  sortKey: 'gsi3sk',
  nonKeyAttributes: ['tenantId', 'bookingNumber', 'retention'],
} as const;

/** DynamoDB TTL attribute: only for garbage collection (idempotency records), never as a timer. */
export const TTL_ATTRIBUTE = 'expiresAt';

/**
 * Every item-level DynamoDB action a function may be given (IAM, SDK operation names alike). Scan is
 * deliberately not one of them. Here rather than in infra/, so the local runtime's emulation of the
 * tenant-data role reads the same list without loading the CDK.
 */
export const ITEM_ACTIONS = [
  'GetItem',
  'BatchGetItem',
  'Query',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'ConditionCheckItem',
  'TransactWriteItems',
] as const;

export type ItemAction = (typeof ITEM_ACTIONS)[number];

export interface GlobalIndexDefinition {
  indexName: string;
  partitionKey: string;
  sortKey: string;
  projection: { type: 'ALL' } | { type: 'INCLUDE'; nonKeyAttributes: readonly string[] };
}

export const GLOBAL_INDEXES: readonly GlobalIndexDefinition[] = [
  {
    indexName: OPEN_HOLDS_INDEX.indexName,
    partitionKey: OPEN_HOLDS_INDEX.partitionKey,
    sortKey: OPEN_HOLDS_INDEX.sortKey,
    projection: { type: 'INCLUDE', nonKeyAttributes: OPEN_HOLDS_INDEX.nonKeyAttributes },
  },
  {
    indexName: STATE_INDEX.indexName,
    partitionKey: STATE_INDEX.partitionKey,
    sortKey: STATE_INDEX.sortKey,
    projection: { type: 'ALL' },
  },
  {
    indexName: CREDENTIAL_EXPIRY_INDEX.indexName,
    partitionKey: CREDENTIAL_EXPIRY_INDEX.partitionKey,
    sortKey: CREDENTIAL_EXPIRY_INDEX.sortKey,
    projection: { type: 'INCLUDE', nonKeyAttributes: CREDENTIAL_EXPIRY_INDEX.nonKeyAttributes },
  },
  {
    indexName: LIFECYCLE_INDEX.indexName,
    partitionKey: LIFECYCLE_INDEX.partitionKey,
    sortKey: LIFECYCLE_INDEX.sortKey,
    projection: { type: 'INCLUDE', nonKeyAttributes: LIFECYCLE_INDEX.nonKeyAttributes },
  },
];

/** Every key attribute is a string; each is defined once (an index may reuse the table's sort key). */
export const KEY_ATTRIBUTES: readonly string[] = [
  ...new Set([
    TableKeys.partitionKey,
    TableKeys.sortKey,
    ...GLOBAL_INDEXES.flatMap((index) => [index.partitionKey, index.sortKey]),
  ]),
];
