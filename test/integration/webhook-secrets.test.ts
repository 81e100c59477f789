import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime.ts';
import { VirtualClock } from '../../shared/clock.ts';
import { randomSecret } from '../../shared/ids.ts';
import { tenantPk } from '../../shared/store/keys.ts';
import { webhookKey } from '../../shared/store/webhook-subscriptions.ts';
import { LocalSecretBox, localMasterKey } from '../../shared/webhooks/local-secret-box.ts';
import type { Delivery } from '../../shared/webhooks/schemas.ts';
import { SecretNotOpened } from '../../shared/webhooks/secret-box.ts';
import { verifySignature } from '../../shared/webhooks/signature.ts';
import { type County, onboardCounty, serveHold } from '../support/custody.ts';
import { testDynamoEndpoint } from '../support/dynamodb.ts';
import { TEST_START } from '../support/runtime.ts';

/** Issue 19 item 8: webhook signing secrets are stored sealed for their tenant, never in plaintext. */

let rt: LocalRuntime;
const servers: Server[] = [];
beforeAll(async () => {
  rt = await startLocalRuntime({
    dynamoEndpoint: await testDynamoEndpoint(),
    tableName: `test-${randomSecret(6).replace(/[^a-zA-Z0-9]/g, 'x')}`,
    adminKey: `test_admin_${randomSecret(18)}`,
    clock: new VirtualClock({ start: TEST_START }),
    // One attempt: a delivery that cannot be signed settles as FAILED at once.
    webhooks: { timeoutMs: 300, maxAttempts: 1 },
  });
});
afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  await rt?.stop();
});

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  virtualAt: number;
}

/** A receiver on 127.0.0.1 that answers 200 and records every request. */
async function receiver(): Promise<{ url: string; requests: Received[] }> {
  const requests: Received[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      requests.push({
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        virtualAt: rt.clock.now().getTime(),
      });
      response.writeHead(200).end('ok');
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`, requests };
}

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

async function subscribe(county: County, url: string): Promise<{ webhookId: string; secret: string }> {
  const response = await county.api.post<{ webhookId: string; secret: string }>(
    `/v1/tenants/${county.tenantId}/webhooks`,
    { key: county.admin, body: { url, events: ['hold.created'] } },
  );
  expect(response.status, response.text).toBe(201);
  return response.body;
}

const storedItem = async (tenantId: string, webhookId: string) =>
  (
    await rt.deps.db.doc.send(
      new GetCommand({ TableName: rt.deps.db.tableName, Key: webhookKey(tenantId, webhookId) }),
    )
  ).Item as Record<string, unknown>;

/** Serves a hold (hold.created) and lets the stream and the delivery queue run. */
async function triggerHoldCreated(county: County): Promise<void> {
  await serveHold(county, iso(rt.clock.now().getTime()));
  await rt.advanceTo(rt.clock.now());
}

async function onlyDelivery(county: County, webhookId: string): Promise<Delivery> {
  const response = await county.api.get<{ items: Delivery[] }>(
    `/v1/tenants/${county.tenantId}/webhooks/${webhookId}/deliveries`,
    { key: county.admin },
  );
  expect(response.status, response.text).toBe(200);
  expect(response.body.items).toHaveLength(1);
  return response.body.items[0] as Delivery;
}

function expectSignedWith(request: Received | undefined, secret: string): void {
  expect(request).toBeDefined();
  const check = verifySignature(request?.headers['wso-signature'] as string, request?.body ?? '', secret, {
    nowSeconds: Math.floor((request?.virtualAt ?? 0) / 1000),
  });
  expect(check.ok, JSON.stringify(check)).toBe(true);
}

describe('webhook signing secrets at rest', () => {
  it('are stored sealed: no item of the county holds the secret, and deliveries are signed with it', async () => {
    const county = await onboardCounty(rt, 'secrets-sealed');
    const hooks = await receiver();
    const { webhookId, secret } = await subscribe(county, hooks.url);
    expect(secret).toMatch(/^whsec_/);

    const item = await storedItem(county.tenantId, webhookId);
    expect(item.secret).toBeUndefined();
    expect(item.sealedSecret).toEqual(expect.stringMatching(/^local:v1:/));
    // Not in the subscription, nor in its audit event or any other item of the partition.
    const partition = await rt.deps.db.doc.send(
      new QueryCommand({
        TableName: rt.deps.db.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': tenantPk(county.tenantId) },
      }),
    );
    expect(partition.Items?.length).toBeGreaterThan(1);
    expect(JSON.stringify(partition.Items)).not.toContain(secret.slice('whsec_'.length));

    await triggerHoldCreated(county);
    expect(hooks.requests).toHaveLength(1);
    expectSignedWith(hooks.requests[0], secret);
  });

  it('copied into another county\u2019s subscription, a sealed secret does not open: nothing is sent', async () => {
    const victim = await onboardCounty(rt, 'secrets-victim');
    const thief = await onboardCounty(rt, 'secrets-thief');
    const victimHooks = await receiver();
    const thiefHooks = await receiver();
    const victimSub = await subscribe(victim, victimHooks.url);
    const thiefSub = await subscribe(thief, thiefHooks.url);
    const sealed = (await storedItem(victim.tenantId, victimSub.webhookId)).sealedSecret;
    await rt.deps.db.doc.send(
      new UpdateCommand({
        TableName: rt.deps.db.tableName,
        Key: webhookKey(thief.tenantId, thiefSub.webhookId),
        UpdateExpression: 'SET sealedSecret = :sealed',
        ExpressionAttributeValues: { ':sealed': sealed },
      }),
    );

    await triggerHoldCreated(thief);
    expect(thiefHooks.requests).toEqual([]);
    const delivery = await onlyDelivery(thief, thiefSub.webhookId);
    expect(delivery.status).toBe('FAILED');
    expect(delivery.history.map((attempt) => attempt.error)).toEqual([
      'the signing secret does not open for this tenant',
    ]);
    // The victim's own subscription still signs with its secret.
    await triggerHoldCreated(victim);
    expectSignedWith(victimHooks.requests[0], victimSub.secret);
  });

  it('still work for a subscription stored in plaintext before secrets were sealed', async () => {
    const county = await onboardCounty(rt, 'secrets-legacy');
    const hooks = await receiver();
    const webhookId = rt.deps.ids.next();
    const secret = `whsec_${randomSecret(32)}`;
    // The item as the code before issue 19 item 8 wrote it: the secret in the `secret` attribute.
    await rt.deps.db.doc.send(
      new PutCommand({
        TableName: rt.deps.db.tableName,
        Item: {
          ...webhookKey(county.tenantId, webhookId),
          entity: 'Webhook',
          webhookId,
          tenantId: county.tenantId,
          url: hooks.url,
          events: ['hold.created'],
          status: 'ACTIVE',
          createdAt: iso(rt.clock.now().getTime()),
          secret,
        },
      }),
    );

    await triggerHoldCreated(county);
    expect(hooks.requests).toHaveLength(1);
    expectSignedWith(hooks.requests[0], secret);
    const listed = await county.api.get<{ items: Record<string, unknown>[] }>(
      `/v1/tenants/${county.tenantId}/webhooks`,
      { key: county.admin },
    );
    expect(listed.body.items.map((item) => item.secret)).toEqual([undefined]);
  });
});

describe('the local secret box', () => {
  it('opens a secret for its own tenant only, and under its own master key only', async () => {
    const box = new LocalSecretBox(localMasterKey(undefined));
    const sealed = await box.seal('tenant-a', 'whsec_example');
    expect(sealed).not.toContain('whsec_example');
    expect(await box.open('tenant-a', sealed)).toBe('whsec_example');
    await expect(box.open('tenant-b', sealed)).rejects.toBeInstanceOf(SecretNotOpened);
    await expect(
      new LocalSecretBox(localMasterKey(undefined)).open('tenant-a', sealed),
    ).rejects.toBeInstanceOf(SecretNotOpened);
    await expect(box.open('tenant-a', 'kms:v1:AAAA')).rejects.toBeInstanceOf(SecretNotOpened);
  });
});
