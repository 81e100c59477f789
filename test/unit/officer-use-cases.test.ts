import { describe, expect, it } from 'vitest';
import type { AuditContext } from '../../shared/audit/tenant-audit.ts';
import type { DeclaredProblem } from '../../shared/errors/declared.ts';
import {
  credential,
  credentialProblems,
  nominate,
  nominateProblems,
  type OfficerDeps,
  type OfficerStore,
  suspend,
  suspendProblems,
} from '../../shared/officers/use-cases.ts';
import type { CredentialOfficer } from '../../shared/schemas/officer.ts';
import type { Db } from '../../shared/store/db.ts';
import type { OfficerRecord } from '../../shared/store/officers.ts';
import { refusedWith } from './support/refused.ts';

/**
 * The officer use cases without DynamoDB: an in-memory fake of the officer store port. It keeps the
 * store's contract and nothing more: a nominee needs its facilities and a free id, a status change
 * is conditional on the version it was computed from (`raceOnce` moves the stored version first,
 * as a concurrent change would).
 */
class FakeOfficerStore implements OfficerStore {
  readonly officers = new Map<string, OfficerRecord>();
  readonly facilities = new Set<string>(['main-jail']);
  raceOnce = false;

  nominateOfficer: OfficerStore['nominateOfficer'] = async (_deps, tenantId, input, now) => {
    const missing = input.facilityIds.find((id) => !this.facilities.has(id));
    if (missing !== undefined) return { kind: 'facility-not-found', facilityId: missing };
    if (this.officers.has(`${tenantId}/${input.officerId}`)) return { kind: 'exists' };
    const at = now.toISOString();
    const officer: OfficerRecord = {
      ...input,
      status: 'NOMINATED',
      createdAt: at,
      updatedAt: at,
      version: 1,
    };
    this.officers.set(`${tenantId}/${input.officerId}`, officer);
    return { kind: 'created', officer };
  };

  getOfficer: OfficerStore['getOfficer'] = async (_db, tenantId, officerId) =>
    this.officers.get(`${tenantId}/${officerId}`);

  credentialOfficer: OfficerStore['credentialOfficer'] = async (_deps, tenantId, current, issued, now) => {
    const { suspension: _lifted, ...rest } = current;
    return this.save(tenantId, current, {
      ...rest,
      status: 'CREDENTIALED',
      credential: issued,
      credentialExpiresOn: issued.expiresOn,
      updatedAt: now.toISOString(),
      version: current.version + 1,
    });
  };

  suspendOfficer: OfficerStore['suspendOfficer'] = async (_deps, tenantId, current, reason, now) =>
    this.save(tenantId, current, {
      ...current,
      status: 'SUSPENDED',
      suspension: { reason, suspendedAt: now.toISOString() },
      updatedAt: now.toISOString(),
      version: current.version + 1,
    });

  private save(tenantId: string, current: OfficerRecord, next: OfficerRecord) {
    const key = `${tenantId}/${current.officerId}`;
    const stored = this.officers.get(key);
    if (stored && this.raceOnce) {
      this.raceOnce = false;
      this.officers.set(key, { ...stored, version: stored.version + 1 });
    }
    if (this.officers.get(key)?.version !== current.version)
      return Promise.resolve({ kind: 'conflict' as const });
    this.officers.set(key, next);
    return Promise.resolve({ kind: 'updated' as const, officer: next });
  }
}

const NOW = new Date('2026-11-24T03:00:00Z');
const TENANT = 'pinellas-fl';
const audit: AuditContext = { actor: { kind: 'credential', keyId: 'k1', role: 'county-admin' } };
const nominee = { officerId: 'o-1', name: 'Dana Reyes', badgeNumber: 'B-1', facilityIds: ['main-jail'] };
const issued: CredentialOfficer = {
  backgroundCheckPassedOn: '2026-10-01',
  trainedOn: '2026-10-15',
  credentialNumber: 'WSO-1',
  expiresOn: '2027-10-15',
};

function setUp() {
  const officers = new FakeOfficerStore();
  const deps: OfficerDeps = { db: {} as Db, ids: { next: () => 'id' }, officers };
  return { deps, officers };
}

/** The use case refused with `slug`, a problem it declares. */
async function refusal(work: Promise<unknown>, declared: { problems: readonly DeclaredProblem[] }) {
  const slug = await refusedWith(work);
  if (slug !== 'not-found') {
    expect(declared.problems.map((p) => (typeof p === 'string' ? p : p[0]))).toContain(slug);
  }
  return slug;
}

describe('officer use cases (no DynamoDB)', () => {
  it('nominates an officer, and refuses a taken id or an unknown facility', async () => {
    const { deps } = setUp();
    expect(await nominate(deps, TENANT, nominee, NOW, audit)).toMatchObject({
      status: 'NOMINATED',
      version: 1,
    });
    expect(await refusal(nominate(deps, TENANT, nominee, NOW, audit), nominateProblems)).toBe(
      'officer-exists',
    );
    const elsewhere = { ...nominee, officerId: 'o-2', facilityIds: ['annex'] };
    expect(await refusal(nominate(deps, TENANT, elsewhere, NOW, audit), nominateProblems)).toBe(
      'facility-not-found',
    );
  });

  it('credentials a nominee; each date rule refuses by its own name', async () => {
    const { deps } = setUp();
    await nominate(deps, TENANT, nominee, NOW, audit);
    const broken: [Partial<CredentialOfficer>, string][] = [
      [{ backgroundCheckPassedOn: '2026-11-25' }, 'background-check-in-future'],
      [{ trainedOn: '2026-11-25' }, 'training-in-future'],
      [{ expiresOn: '2026-10-15' }, 'credential-expires-before-training'],
      [{ trainedOn: '2025-01-01', expiresOn: '2026-11-23' }, 'credential-expired'],
    ];
    for (const [change, slug] of broken) {
      const work = credential(deps, TENANT, 'o-1', { ...issued, ...change }, NOW, audit);
      expect(await refusal(work, credentialProblems)).toBe(slug);
    }
    const officer = await credential(deps, TENANT, 'o-1', issued, NOW, audit);
    expect(officer).toMatchObject({ status: 'CREDENTIALED', credentialExpiresOn: '2027-10-15', version: 2 });
    expect(await refusal(credential(deps, TENANT, 'nobody', issued, NOW, audit), credentialProblems)).toBe(
      'not-found',
    );
  });

  it('suspends once; a second suspension is a conflict; a new credential lifts it', async () => {
    const { deps } = setUp();
    await nominate(deps, TENANT, nominee, NOW, audit);
    await credential(deps, TENANT, 'o-1', issued, NOW, audit);
    expect(await suspend(deps, TENANT, 'o-1', 'review', NOW, audit)).toMatchObject({
      status: 'SUSPENDED',
      suspension: { reason: 'review' },
    });
    expect(await refusal(suspend(deps, TENANT, 'o-1', 'again', NOW, audit), suspendProblems)).toBe(
      'officer-already-suspended',
    );
    const renewed = await credential(deps, TENANT, 'o-1', issued, NOW, audit);
    expect(renewed.status).toBe('CREDENTIALED');
    expect(renewed.suspension).toBeUndefined();
  });

  it('a change that lost a race to another is refused as concurrent-modification, nothing written', async () => {
    const { deps, officers } = setUp();
    await nominate(deps, TENANT, nominee, NOW, audit);
    officers.raceOnce = true;
    expect(await refusal(credential(deps, TENANT, 'o-1', issued, NOW, audit), credentialProblems)).toBe(
      'concurrent-modification',
    );
    expect(officers.officers.get(`${TENANT}/o-1`)?.status).toBe('NOMINATED');
  });
});
