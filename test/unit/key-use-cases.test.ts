import { Logger } from '@aws-lambda-powertools/logger';
import { beforeEach, describe, expect, it } from 'vitest';
import type { AuditContext } from '../../shared/audit/tenant-audit.ts';
import type { KeyScope } from '../../shared/auth/principal.ts';
import { VirtualClock } from '../../shared/clock.ts';
import { hashApiKey } from '../../shared/keys/hashing.ts';
import { MAX_LIVE_KEYS_PER_TENANT } from '../../shared/keys/key-cap.ts';
import type { KeyStore } from '../../shared/keys/key-store.ts';
import {
  issueStateKey,
  issueTenantKey,
  issueTenantKeyProblems,
  type KeyAdminDeps,
  revokeTenantKey,
} from '../../shared/keys/use-cases.ts';
import type { ApiKeyItem } from '../../shared/store/api-keys.ts';
import type { ItemKey } from '../../shared/store/batch-read.ts';
import type { Db } from '../../shared/store/db.ts';
import { keys, tenantKeys } from '../../shared/store/keys.ts';
import { refusedWith } from './support/refused.ts';

/**
 * The key use cases without DynamoDB or API Gateway: an in-memory fake of the key store port (keys
 * by owner and id; a condition is "this item exists"; audit events are kept as a list) and of the
 * usage plan (which can be made to fail).
 */
class FakeKeyStore implements KeyStore {
  readonly keys = new Map<string, ApiKeyItem>();
  readonly existing = new Set<string>();
  readonly events: string[] = [];

  private static id = (owner: KeyScope, keyId: string) => `${JSON.stringify(owner)}/${keyId}`;

  countLiveKeys: KeyStore['countLiveKeys'] = async (_db, tenantId, atMost) =>
    Math.min(
      atMost,
      [...this.keys.values()].filter(
        (key) => key.scope.kind === 'tenant' && key.scope.tenantId === tenantId && !key.revokedAt,
      ).length,
    );

  readKeyPointer: KeyStore['readKeyPointer'] = async (_db, owner, keyId) => {
    const found = this.keys.get(FakeKeyStore.id(owner, keyId));
    return found ? { ...found } : undefined;
  };

  commitIssue: KeyStore['commitIssue'] = async (_deps, item, conditions: ItemKey[], change) => {
    const failed = conditions.findIndex((key) => !this.existing.has(`${key.pk}/${key.sk}`));
    if (failed >= 0) return failed;
    this.keys.set(FakeKeyStore.id(item.scope, item.keyId), { ...item });
    if (change) this.events.push(`${change.type} ${change.subject.id}`);
    return undefined;
  };

  commitRevoke: KeyStore['commitRevoke'] = async (_deps, pointer, revokedAt, revokedBy, change) => {
    const id = FakeKeyStore.id(pointer.scope, pointer.keyId);
    const stored = this.keys.get(id);
    if (!stored || stored.revokedAt) return;
    this.keys.set(id, { ...stored, revokedAt, revokedBy } as ApiKeyItem);
    if (change) this.events.push(`${change.type} ${change.subject.id}`);
  };
}

const T = 'pinellas-fl';
const audit: AuditContext = { actor: { kind: 'credential', keyId: 'admin', role: 'county-admin' } };
let store: FakeKeyStore;
let plan: { registered: Map<string, string>; removed: string[]; failNext: boolean };
let deps: KeyAdminDeps & { ids: { next(): string } };

beforeEach(() => {
  store = new FakeKeyStore();
  store.existing.add(`${keys.tenantProfile(T).pk}/${keys.tenantProfile(T).sk}`);
  plan = { registered: new Map(), removed: [], failNext: false };
  let n = 0;
  deps = {
    db: {} as Db,
    clock: new VirtualClock({ start: new Date('2026-11-24T03:00:00Z') }),
    logger: new Logger({ logLevel: 'SILENT' }),
    ids: { next: () => `key-${++n}` },
    keys: store,
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

describe('key use cases (no DynamoDB, no API Gateway)', () => {
  it('issues a county key shown once, stored only by its hash, with its usage-plan key and audit event', async () => {
    const issued = await issueTenantKey(deps, T, { name: 'vendor', role: 'jail-system' }, undefined, audit);
    const stored = store.keys.get(`${JSON.stringify({ kind: 'tenant', tenantId: T })}/${issued.keyId}`);
    expect(stored).toMatchObject({ hash: hashApiKey(issued.apiKey), role: 'jail-system' });
    expect(JSON.stringify(stored)).not.toContain(issued.apiKey);
    expect(plan.registered.get(stored?.apiGatewayKeyId ?? '')).toBe(hashApiKey(issued.apiKey));
    expect(store.events).toEqual([`apikey.issued ${issued.keyId}`]);
  });

  it('an officer key for an officer not on the roster is refused, and its usage-plan key removed again', async () => {
    const request = { name: 'officer', role: 'wso-officer' as const, officerId: 'o-9' };
    expect(await refusedWith(issueTenantKey(deps, T, request, undefined, audit))).toBe('officer-not-found');
    expect(issueTenantKeyProblems.problems).toContain('officer-not-found');
    expect(plan.registered.size).toBe(0);
    expect(plan.removed).toHaveLength(1);
    const officer = tenantKeys.officer(T, 'o-9');
    store.existing.add(`${officer.pk}/${officer.sk}`);
    expect((await issueTenantKey(deps, T, request, undefined, audit)).role).toBe('wso-officer');
  });

  it('an unknown county is not found; an API Gateway failure is temporarily-unavailable with nothing written', async () => {
    expect(
      await refusedWith(issueTenantKey(deps, 'other', { name: 'x', role: 'jail-system' }, undefined, audit)),
    ).toBe('not-found');
    plan.failNext = true;
    expect(await refusedWith(issueStateKey(deps, 'FL', 'auditor', undefined))).toBe(
      'temporarily-unavailable',
    );
    expect(store.keys.size).toBe(0);
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

  it('revokes once (one event, the usage-plan key removed); again is fine; an unknown key is not found', async () => {
    const issued = await issueTenantKey(deps, T, { name: 'vendor', role: 'jail-system' }, undefined, audit);
    await revokeTenantKey(deps, T, issued.keyId, undefined, audit);
    await revokeTenantKey(deps, T, issued.keyId, undefined, audit);
    expect(store.events).toEqual([`apikey.issued ${issued.keyId}`, `apikey.revoked ${issued.keyId}`]);
    expect(plan.removed).toEqual([`agw-${issued.keyId}`, `agw-${issued.keyId}`]);
    expect(await refusedWith(revokeTenantKey(deps, T, 'nope', undefined, audit))).toBe('not-found');
  });
});
