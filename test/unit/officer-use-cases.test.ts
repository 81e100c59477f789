import { describe, expect, it } from 'vitest';
import type { AuditContext } from '../../shared/audit/tenant-audit.ts';
import type { DeclaredProblem } from '../../shared/errors/declared.ts';
import {
  credential,
  credentialProblems,
  nominate,
  nominateProblems,
  type OfficerDeps,
  suspend,
  suspendProblems,
} from '../../shared/officers/use-cases.ts';
import type { CredentialOfficer } from '../../shared/schemas/officer.ts';
import { auditHeadKey, TENANT_AUDIT_SK } from '../../shared/store/audit-chains.ts';
import { tenantKeys, tenantPk } from '../../shared/store/keys.ts';
import { RacesLost, type StoredItem } from '../../shared/store/unit-of-work.ts';
import { FakeStorage } from './support/fake-storage.ts';
import { refusedWith } from './support/refused.ts';

/**
 * The officer use cases without DynamoDB: the storage port is the intent-level fake
 * (support/fake-storage.ts), which judges each intent by its module's in-memory rule. What is
 * asserted is what the use cases decide and what their one unit of work leaves behind: the officer
 * and its audit event (chain head and event) in the same commit, or nothing at all.
 */
const NOW = new Date('2026-11-24T03:00:00Z');
const T = 'pinellas-fl';
const audit: AuditContext = { actor: { kind: 'credential', keyId: 'k1', role: 'county-admin' } };
const nominee = { officerId: 'o-1', name: 'Dana Reyes', badgeNumber: 'B-1', facilityIds: ['main-jail'] };
const issued: CredentialOfficer = {
  backgroundCheckPassedOn: '2026-10-01',
  trainedOn: '2026-10-15',
  credentialNumber: 'WSO-1',
  expiresOn: '2027-10-15',
};
const officerKey = tenantKeys.officer(T, 'o-1');
const headKey = auditHeadKey(T, { kind: 'officer', id: 'o-1' });

function setUp() {
  const storage = new FakeStorage();
  storage.put({ ...tenantKeys.facility(T, 'main-jail'), facilityId: 'main-jail', name: 'Main jail' });
  let n = 0;
  const deps: OfficerDeps = {
    db: storage.db(),
    ids: { next: () => `01EVENT${String(++n).padStart(4, '0')}` },
  };
  return { deps, storage };
}

/** The officer's audit events as stored, oldest first. */
const eventsOf = (storage: FakeStorage) =>
  [...storage.items.values()]
    .filter((item) => item.pk === tenantPk(T) && String(item.sk).startsWith(TENANT_AUDIT_SK.event('')))
    .sort((a, b) => String(a.sk).localeCompare(String(b.sk)));

/** The use case refused with `slug`, a problem it declares. */
async function refusal(work: Promise<unknown>, declared: { problems: readonly DeclaredProblem[] }) {
  const slug = await refusedWith(work);
  if (slug !== 'not-found') {
    expect(declared.problems.map((p) => (typeof p === 'string' ? p : p[0]))).toContain(slug);
  }
  return slug;
}

describe('officer use cases (intent-level fake of the storage port)', () => {
  it('nominates an officer with its officer.nominated event in the same commit', async () => {
    const { deps, storage } = setUp();
    expect(await nominate(deps, T, nominee, NOW, audit)).toMatchObject({ status: 'NOMINATED', version: 1 });
    expect(storage.committed).toHaveLength(1);
    expect(storage.committed[0]?.map((i) => `${i.module}: ${i.rule}`)).toEqual([
      'facilities: facility-exists',
      'officers: officer-absent',
      'audit: audit-head-unchanged',
      'audit: audit-event-new',
    ]);
    expect(storage.get(officerKey)).toMatchObject({ status: 'NOMINATED', facilityIds: ['main-jail'] });
    expect(eventsOf(storage)).toEqual([
      expect.objectContaining({ type: 'officer.nominated', seq: 1, subject: { kind: 'officer', id: 'o-1' } }),
    ]);
    expect(storage.get(headKey)).toMatchObject({ seq: 1, hash: eventsOf(storage)[0]?.hash });
  });

  it('refuses a taken id or an unknown facility (naming it), writing nothing', async () => {
    const { deps, storage } = setUp();
    await nominate(deps, T, nominee, NOW, audit);
    expect(await refusal(nominate(deps, T, nominee, NOW, audit), nominateProblems)).toBe('officer-exists');
    const elsewhere = { ...nominee, officerId: 'o-2', facilityIds: ['main-jail', 'annex'] };
    const error = await nominate(deps, T, elsewhere, NOW, audit).catch((caught: Error) => caught);
    expect(await refusal(Promise.reject(error), nominateProblems)).toBe('facility-not-found');
    expect((error as Error).message).toContain('annex');
    expect(storage.committed).toHaveLength(1);
    expect(storage.get(tenantKeys.officer(T, 'o-2'))).toBeUndefined();
  });

  it('a facility missing only at commit time is refused by its intent and named by the fresh read', async () => {
    const { deps, storage } = setUp();
    // The facility disappears between the read and the commit (facilities are never deleted; the
    // rule is a condition of the transaction all the same).
    storage.interleaved.push(() => storage.items.clear());
    expect(await refusal(nominate(deps, T, nominee, NOW, audit), nominateProblems)).toBe(
      'facility-not-found',
    );
    expect(storage.committed).toHaveLength(0);
  });

  it('credentials a nominee; each date rule refuses by its own name, writing nothing', async () => {
    const { deps, storage } = setUp();
    await nominate(deps, T, nominee, NOW, audit);
    const broken: [Partial<CredentialOfficer>, string][] = [
      [{ backgroundCheckPassedOn: '2026-11-25' }, 'background-check-in-future'],
      [{ trainedOn: '2026-11-25' }, 'training-in-future'],
      [{ expiresOn: '2026-10-15' }, 'credential-expires-before-training'],
      [{ trainedOn: '2025-01-01', expiresOn: '2026-11-23' }, 'credential-expired'],
    ];
    for (const [change, slug] of broken) {
      const work = credential(deps, T, 'o-1', { ...issued, ...change }, NOW, audit);
      expect(await refusal(work, credentialProblems)).toBe(slug);
    }
    expect(storage.committed).toHaveLength(1);
    const officer = await credential(deps, T, 'o-1', issued, NOW, audit);
    expect(officer).toMatchObject({ status: 'CREDENTIALED', credentialExpiresOn: '2027-10-15', version: 2 });
    expect(storage.get(officerKey)).toMatchObject({
      status: 'CREDENTIALED',
      credentialExpiresOn: '2027-10-15',
      version: 2,
      credential: { credentialNumber: 'WSO-1', credentialedAt: '2026-11-24T03:00:00Z' },
    });
    expect(eventsOf(storage).map((e) => [e.type, e.seq])).toEqual([
      ['officer.nominated', 1],
      ['officer.credentialed', 2],
    ]);
    expect(await refusal(credential(deps, T, 'nobody', issued, NOW, audit), credentialProblems)).toBe(
      'not-found',
    );
    // One round trip to read (the officer with its audit head), one to commit.
    storage.reads.length = 0;
    storage.committed.length = 0;
    await credential(deps, T, 'o-1', issued, NOW, audit);
    expect(storage.reads).toEqual([['officer', 'auditHead']]);
    expect(storage.committed).toHaveLength(1);
  });

  it('suspends once; a second suspension is refused; a new credential lifts it (suspension removed)', async () => {
    const { deps, storage } = setUp();
    await nominate(deps, T, nominee, NOW, audit);
    await credential(deps, T, 'o-1', issued, NOW, audit);
    expect(await suspend(deps, T, 'o-1', 'review', NOW, audit)).toMatchObject({
      status: 'SUSPENDED',
      suspension: { reason: 'review' },
    });
    expect(storage.get(officerKey)).toMatchObject({ status: 'SUSPENDED', version: 3 });
    expect(await refusal(suspend(deps, T, 'o-1', 'again', NOW, audit), suspendProblems)).toBe(
      'officer-already-suspended',
    );
    const renewed = await credential(deps, T, 'o-1', issued, NOW, audit);
    expect(renewed.status).toBe('CREDENTIALED');
    expect(renewed.suspension).toBeUndefined();
    expect(storage.get(officerKey)?.suspension).toBeUndefined();
    expect(eventsOf(storage).map((e) => e.type)).toEqual([
      'officer.nominated',
      'officer.credentialed',
      'officer.suspended',
      'officer.credentialed',
    ]);
    expect(await refusal(suspend(deps, T, 'nobody', 'x', NOW, audit), suspendProblems)).toBe('not-found');
  });

  it('a change that lost a race is decided again on the fresh officer: a concurrent suspension wins', async () => {
    const { deps, storage } = setUp();
    await nominate(deps, T, nominee, NOW, audit);
    await credential(deps, T, 'o-1', issued, NOW, audit);
    // Another suspension commits between our read and our commit (officer version and audit head
    // both move): ours is refused, read again, and refused by the rule the fresh read shows.
    storage.interleaved.push(() => {
      const officer = storage.get(officerKey) as StoredItem;
      storage.put({ ...officer, ...officerKey, status: 'SUSPENDED', version: 3 });
      storage.put({ ...(storage.get(headKey) as StoredItem), ...headKey, seq: 3 });
    });
    expect(await refusal(suspend(deps, T, 'o-1', 'mine', NOW, audit), suspendProblems)).toBe(
      'officer-already-suspended',
    );
    expect(eventsOf(storage)).toHaveLength(2);
  });

  it('an officer that keeps changing ends as concurrent-modification (RacesLost), nothing written', async () => {
    const { deps, storage } = setUp();
    await nominate(deps, T, nominee, NOW, audit);
    const bump = () => {
      const officer = storage.get(officerKey) as StoredItem;
      storage.put({ ...officer, ...officerKey, version: Number(officer.version) + 1 });
    };
    storage.interleaved.push(...Array.from({ length: 10 }, () => bump));
    const error = await credential(deps, T, 'o-1', issued, NOW, audit).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RacesLost);
    expect(credentialProblems.problems).toContain('concurrent-modification');
    expect(storage.get(officerKey)?.status).toBe('NOMINATED');
    expect(eventsOf(storage)).toHaveLength(1);
  });
});
