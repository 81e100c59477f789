import { Logger } from '@aws-lambda-powertools/logger';
import { beforeEach, describe, expect, it } from 'vitest';
import type { AuditContext } from '../../shared/audit/tenant-audit.ts';
import { VirtualClock } from '../../shared/clock.ts';
import { hashApiKey } from '../../shared/keys/hashing.ts';
import { MAX_LIVE_KEYS_PER_TENANT } from '../../shared/keys/key-cap.ts';
import {
  installPlatformAdminKey,
  issueStateKey,
  issueTenantKey,
  issueTenantKeyProblems,
  type KeyAdminDeps,
  revokeTenantKey,
} from '../../shared/keys/use-cases.ts';
import { auditHeadKey, TENANT_AUDIT_SK } from '../../shared/store/audit-chains.ts';
import { keys, tenantKeys, tenantPk } from '../../shared/store/keys.ts';
import type { StoredItem } from '../../shared/store/unit-of-work.ts';
import { FakeStorage } from './support/fake-storage.ts';
import { refusedWith } from './support/refused.ts';

/**
 * The key use cases without DynamoDB or API Gateway: the storage port is the intent-level fake
 * (support/fake-storage.ts: each intent judged by its module's in-memory rule), the usage plan an
 * in-memory fake of its own port (which can be made to fail).
 */
const T = 'pinellas-fl';
const audit: AuditContext = { actor: { kind: 'credential', keyId: 'admin', role: 'county-admin' } };
let storage: FakeStorage;
let plan: { registered: Map<string, string>; removed: string[]; failNext: boolean };
let deps: KeyAdminDeps & { ids: { next(): string } };

const pointerOf = (keyId: string) => storage.get(keys.apiKeyPointer(tenantPk(T), keyId));
const keyEvents = () =>
  [...storage.items.values()]
    .filter((item) => item.pk === tenantPk(T) && String(item.sk).startsWith(TENANT_AUDIT_SK.event('')))
    .sort((a, b) => String(a.sk).localeCompare(String(b.sk)))
    .map((event) => `${String(event.type)} ${(event.subject as { id: string }).id}`);

beforeEach(() => {
  storage = new FakeStorage();
  storage.put({ ...keys.tenantProfile(T), tenantId: T, state: 'FL' });
  plan = { registered: new Map(), removed: [], failNext: false };
  let n = 0;
  deps = {
    db: storage.db(),
    clock: new VirtualClock({ start: new Date('2026-11-24T03:00:00Z') }),
    logger: new Logger({ logLevel: 'SILENT' }),
    ids: { next: () => `key-${String(++n).padStart(4, '0')}` },
    usagePlanKeys: {
      register: async (keyId, value) => {
        if (plan.failNext) {
          plan.failNext = false;
          throw new Error('TooManyRequestsException');
        }
        plan.registered.set(`agw-${keyId}`, value);
        return `agw-${keyId}`;
      },
      remove: async (apiGatewayKeyId) => {
        plan.removed.push(apiGatewayKeyId);
        plan.registered.delete(apiGatewayKeyId);
      },
      adopt: async () => undefined,
    },
  };
});

describe('key use cases (intent-level fake of the storage port, no API Gateway)', () => {
  it('issues a county key shown once, stored only by its hash, with its usage-plan key and audit event in one commit', async () => {
    const issued = await issueTenantKey(deps, T, { name: 'vendor', role: 'jail-system' }, undefined, audit);
    const byHash = storage.get(keys.apiKeyByHash(hashApiKey(issued.apiKey)));
    expect(byHash).toMatchObject({
      keyId: issued.keyId,
      role: 'jail-system',
      scope: { kind: 'tenant', tenantId: T },
    });
    expect(pointerOf(issued.keyId)).toMatchObject({ hash: hashApiKey(issued.apiKey) });
    expect(JSON.stringify([...storage.items.values()])).not.toContain(issued.apiKey);
    expect(plan.registered.get(String(byHash?.apiGatewayKeyId))).toBe(hashApiKey(issued.apiKey));
    expect(storage.committed).toHaveLength(1);
    expect(storage.committed[0]?.map((i) => `${i.module}: ${i.rule}`)).toEqual([
      'tenants: tenant-exists',
      'apikeys: key-hash-new',
      'apikeys: key-id-new',
      'audit: audit-head-unchanged',
      'audit: audit-event-new',
    ]);
    expect(keyEvents()).toEqual([`apikey.issued ${issued.keyId}`]);
    // The event names the key, never its secret or hash.
    expect(JSON.stringify(keyEvents())).not.toContain(hashApiKey(issued.apiKey));
  });

  it('an officer key for an officer not on the roster is refused, and its usage-plan key removed again', async () => {
    const request = { name: 'officer', role: 'wso-officer' as const, officerId: 'o-9' };
    expect(await refusedWith(issueTenantKey(deps, T, request, undefined, audit))).toBe('officer-not-found');
    expect(issueTenantKeyProblems.problems).toContain('officer-not-found');
    expect(plan.registered.size).toBe(0);
    expect(plan.removed).toHaveLength(1);
    expect(storage.committed).toHaveLength(0);
    storage.put({ ...tenantKeys.officer(T, 'o-9'), officerId: 'o-9', status: 'CREDENTIALED' });
    expect((await issueTenantKey(deps, T, request, undefined, audit)).role).toBe('wso-officer');
  });

  it('an unknown county is not found; an API Gateway failure is temporarily-unavailable with nothing written', async () => {
    expect(
      await refusedWith(issueTenantKey(deps, 'other', { name: 'x', role: 'jail-system' }, undefined, audit)),
    ).toBe('not-found');
    expect(plan.removed).toHaveLength(1);
    plan.failNext = true;
    expect(await refusedWith(issueStateKey(deps, 'FL', 'auditor', undefined))).toBe(
      'temporarily-unavailable',
    );
    expect(storage.committed).toHaveLength(0);
  });

  it('a state key goes on no county chain; the operator key is rewritten in place when installed again', async () => {
    const state = await issueStateKey(deps, 'FL', 'auditor', undefined);
    expect(storage.get(keys.apiKeyPointer(keys.statePk('FL'), state.keyId))).toMatchObject({
      role: 'state-oversight',
    });
    const admin = 'a'.repeat(32);
    const first = await installPlatformAdminKey(deps, admin);
    expect(await installPlatformAdminKey(deps, admin)).toBe(first);
    expect(storage.get(keys.apiKeyByHash(hashApiKey(admin)))).toMatchObject({ role: 'platform-admin' });
    expect(keyEvents()).toEqual([]);
  });

  it(`caps a county at ${MAX_LIVE_KEYS_PER_TENANT} live keys before touching API Gateway; a revocation frees a place`, async () => {
    const ids: string[] = [];
    for (let i = 0; i < MAX_LIVE_KEYS_PER_TENANT; i++) {
      ids.push(
        (await issueTenantKey(deps, T, { name: `k${i}`, role: 'jail-system' }, undefined, audit)).keyId,
      );
    }
    const registered = plan.registered.size;
    expect(
      await refusedWith(issueTenantKey(deps, T, { name: 'one more', role: 'jail-system' }, undefined, audit)),
    ).toBe('api-key-cap');
    expect(plan.registered.size).toBe(registered);
    await revokeTenantKey(deps, T, ids[0] as string, undefined, audit);
    expect(
      (await issueTenantKey(deps, T, { name: 'replacement', role: 'jail-system' }, undefined, audit)).role,
    ).toBe('jail-system');
  });

  it('revokes once (both items, one event, the usage-plan key removed); again is fine; an unknown key is not found', async () => {
    const issued = await issueTenantKey(deps, T, { name: 'vendor', role: 'jail-system' }, undefined, audit);
    storage.reads.length = 0;
    await revokeTenantKey(deps, T, issued.keyId, undefined, audit);
    // One round trip to read (the key's pointer with its audit head), one to commit.
    expect(storage.reads).toEqual([['pointer', 'auditHead']]);
    expect(pointerOf(issued.keyId)?.revokedAt).toBe('2026-11-24T03:00:00Z');
    expect(storage.get(keys.apiKeyByHash(hashApiKey(issued.apiKey)))?.revokedAt).toBe('2026-11-24T03:00:00Z');
    await revokeTenantKey(deps, T, issued.keyId, undefined, audit);
    expect(keyEvents()).toEqual([`apikey.issued ${issued.keyId}`, `apikey.revoked ${issued.keyId}`]);
    expect(plan.removed).toEqual([`agw-${issued.keyId}`, `agw-${issued.keyId}`]);
    expect(await refusedWith(revokeTenantKey(deps, T, 'nope', undefined, audit))).toBe('not-found');
  });

  it('a revocation that lost the race to another writes no second event', async () => {
    const issued = await issueTenantKey(deps, T, { name: 'vendor', role: 'jail-system' }, undefined, audit);
    const pointer = keys.apiKeyPointer(tenantPk(T), issued.keyId);
    const head = auditHeadKey(T, { kind: 'apikey', id: issued.keyId });
    // Another revocation commits between our read and our commit: ours is refused by the key's
    // rule and by the moved head, reads again, and finds the key revoked.
    storage.interleaved.push(() => {
      storage.put({ ...(storage.get(pointer) as StoredItem), ...pointer, revokedAt: '2026-11-24T02:59:00Z' });
      storage.put({ ...(storage.get(head) as StoredItem), ...head, seq: 2 });
    });
    await revokeTenantKey(deps, T, issued.keyId, undefined, audit);
    expect(pointerOf(issued.keyId)?.revokedAt).toBe('2026-11-24T02:59:00Z');
    expect(keyEvents()).toEqual([`apikey.issued ${issued.keyId}`]);
    expect(storage.committed).toHaveLength(1);
  });
});
