import { type AuditContext, commitAuditedIntents } from '../audit/tenant-audit.ts';
import type { Clock } from '../clock.ts';
import { type IdGenerator, randomSecret } from '../ids.ts';
import { toIsoSeconds } from '../util/time.ts';
import type { WebhookEventType } from '../webhooks/event-types.ts';
import type { Webhook } from '../webhooks/schemas.ts';
import type { SecretBox } from '../webhooks/secret-box.ts';
import { readItem } from './batch-read.ts';
import type { Db } from './db.ts';
import { tenantPk } from './keys.ts';
import { prefixQuery, queryAll } from './pagination.ts';
import { tenantIntents } from './tenant-intents.ts';
import { deleteExisting, type Intent, putNew } from './unit-of-work.ts';

/**
 * Webhook subscriptions: `TENANT#<t>` / `WEBHOOK#<webhookId>`. The signing secret has to be usable
 * for HMAC, so it cannot be hashed like an API key; it is stored sealed for its tenant (attribute
 * `sealedSecret`, shared/webhooks/secret-box.ts: KMS with the tenant as encryption context in AWS),
 * so neither a table read nor a backup nor an item copied into another county's partition yields it.
 * No read path returns it. Creation and deletion are audited on the tenant's chain in the same
 * transaction.
 */
export const WEBHOOK_SK_PREFIX = 'WEBHOOK#';
export const webhookKey = (tenantId: string, webhookId: string) => ({
  pk: tenantPk(tenantId),
  sk: `${WEBHOOK_SK_PREFIX}${webhookId}`,
});

/** A subscription's writes (its secret is stored sealed, never in the clear). */
export const webhookIntents = {
  /** Create: the (new, generated) webhook id is free. */
  create: (table: string, webhook: Webhook, sealedSecret: string): Intent =>
    putNew('webhooks', 'webhook-absent', table, {
      ...webhookKey(webhook.tenantId, webhook.webhookId),
      entity: 'Webhook',
      ...webhook,
      sealedSecret,
    }),

  /** Delete: the subscription still exists (of two deletions racing, one deletes it). */
  delete: (table: string, tenantId: string, webhookId: string): Intent =>
    deleteExisting('webhooks', 'webhook-exists', table, webhookKey(tenantId, webhookId)),
};

/** Bounds the fan-out of one event (and the read of every subscription per stream batch). */
export const MAX_WEBHOOKS_PER_TENANT = 25;

/** The signing secret as the item keeps it. */
export type StoredSecret =
  | { kind: 'sealed'; sealed: string }
  /**
   * Subscriptions created before secrets were sealed (issue 19 item 8) hold the secret in plaintext
   * in the `secret` attribute; they keep working as they are (no migration rewrites them), and a
   * subscription re-created by its county gets a sealed one.
   */
  | { kind: 'plaintext'; secret: string };

export interface StoredWebhook extends Webhook {
  signingSecret: StoredSecret;
}

const storedSecretOf = (item: Record<string, unknown>): StoredSecret =>
  typeof item.sealedSecret === 'string'
    ? { kind: 'sealed', sealed: item.sealedSecret }
    : { kind: 'plaintext', secret: String(item.secret) };

/** The secret to sign with: opened for the subscription's own tenant (throws SecretNotOpened otherwise). */
export const openSigningSecret = (box: SecretBox, webhook: StoredWebhook): Promise<string> =>
  webhook.signingSecret.kind === 'sealed'
    ? box.open(webhook.tenantId, webhook.signingSecret.sealed)
    : Promise.resolve(webhook.signingSecret.secret);

const toWebhook = (item: Record<string, unknown>): StoredWebhook => ({
  webhookId: String(item.webhookId),
  tenantId: String(item.tenantId),
  url: String(item.url),
  events: item.events as WebhookEventType[],
  status: 'ACTIVE',
  ...(typeof item.description === 'string' ? { description: item.description } : {}),
  createdAt: String(item.createdAt),
  signingSecret: storedSecretOf(item),
});

/** The public view: never the secret. */
export const publicWebhook = ({ signingSecret: _secret, ...webhook }: StoredWebhook): Webhook => webhook;

export async function listWebhooks(db: Db, tenantId: string): Promise<StoredWebhook[]> {
  const pk = tenantPk(tenantId);
  const items = db.port
    ? await db.port.list(pk, WEBHOOK_SK_PREFIX)
    : await queryAll(db, prefixQuery(pk, WEBHOOK_SK_PREFIX));
  return items.map(toWebhook);
}

export async function getWebhook(
  db: Db,
  tenantId: string,
  webhookId: string,
  consistent = false,
): Promise<StoredWebhook | undefined> {
  const Item = await readItem(db, webhookKey(tenantId, webhookId), { consistent });
  return Item ? toWebhook(Item) : undefined;
}

export interface NewWebhook {
  /** Already normalised and vetted by the URL policy. */
  url: string;
  events: WebhookEventType[];
  description?: string;
}

export type CreateWebhookResult =
  /** `secret` in plaintext, to be shown once; the item holds it sealed only. */
  | { kind: 'created'; webhook: Webhook; secret: string }
  | { kind: 'tenant-not-found' }
  | { kind: 'limit-reached' };

export async function createWebhook(
  deps: { db: Db; ids: IdGenerator; clock: Clock; webhookSecrets: SecretBox },
  tenantId: string,
  input: NewWebhook,
  audit: AuditContext,
): Promise<CreateWebhookResult> {
  const { db } = deps;
  // A soft bound (two concurrent creations may both pass it): it caps fan-out, not a security limit.
  if ((await listWebhooks(db, tenantId)).length >= MAX_WEBHOOKS_PER_TENANT) return { kind: 'limit-reached' };
  const secret = `whsec_${randomSecret(32)}`;
  const webhook: Webhook = {
    webhookId: deps.ids.next(),
    tenantId,
    url: input.url,
    events: input.events,
    status: 'ACTIVE',
    ...(input.description ? { description: input.description } : {}),
    createdAt: toIsoSeconds(deps.clock.now()),
  };
  const sealedSecret = await deps.webhookSecrets.seal(tenantId, secret);
  const result = await commitAuditedIntents(
    deps,
    tenantId,
    {
      type: 'webhook.created',
      subject: { kind: 'webhook', id: webhook.webhookId },
      occurredAt: webhook.createdAt,
      actor: audit.actor,
      requestId: audit.requestId,
      before: null,
      after: { ...webhook },
    },
    [
      tenantIntents.mustExist(db.tableName, tenantId),
      webhookIntents.create(db.tableName, webhook, sealedSecret),
    ],
  );
  if (!result.ok) return { kind: 'tenant-not-found' };
  return { kind: 'created', webhook, secret };
}

/** Deletes a subscription; queued deliveries to it are settled as FAILED when they come up. */
export async function deleteWebhook(
  deps: { db: Db; ids: IdGenerator; clock: Clock },
  tenantId: string,
  webhookId: string,
  audit: AuditContext,
): Promise<boolean> {
  const existing = await getWebhook(deps.db, tenantId, webhookId, true);
  if (!existing) return false;
  const result = await commitAuditedIntents(
    deps,
    tenantId,
    {
      type: 'webhook.deleted',
      subject: { kind: 'webhook', id: webhookId },
      occurredAt: toIsoSeconds(deps.clock.now()),
      actor: audit.actor,
      requestId: audit.requestId,
      before: { ...publicWebhook(existing) },
      after: null,
    },
    [webhookIntents.delete(deps.db.tableName, tenantId, webhookId)],
  );
  return result.ok;
}
