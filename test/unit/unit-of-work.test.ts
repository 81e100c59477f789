import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import type { Hold } from '../../shared/domain/hold.ts';
import { AuditChainBusyError, auditRacePolicy, isAuditRace } from '../../shared/store/audit-chains.ts';
import { bookingIntents } from '../../shared/store/booking-intents.ts';
import type { Db } from '../../shared/store/db.ts';
import { officerIntents } from '../../shared/store/officer-intents.ts';
import {
  MAX_ATTEMPTS,
  RacesLost,
  retryLostRaces,
  TransactionRefused,
  UnitOfWork,
} from '../../shared/store/unit-of-work.ts';
import { warrantIntents } from '../../shared/store/warrant-intents.ts';

/** A table that refuses every transaction with the given reasons (one per item, as DynamoDB does). */
function refusingDb(codes: string[]): Db & { sent: unknown[] } {
  const sent: unknown[] = [];
  const doc = {
    send: async (command: { input: unknown }) => {
      sent.push(command.input);
      throw new TransactionCanceledException({
        message: 'Transaction cancelled',
        $metadata: {},
        CancellationReasons: codes.map((Code) => ({ Code })),
      });
    },
  } as unknown as DynamoDBDocumentClient;
  return { doc, tableName: 'table', sent };
}

const hold = {
  holdId: '01JAAAAAAAAAAAAAAAAAAAAAAA',
  tenantId: 't',
  bookingNumber: 'B1',
  warrantId: 'W1',
  facilityId: 'F1',
  servedAt: '2026-11-24T03:00:00Z',
} as Hold;

describe('the unit of work', () => {
  it('commits all intents as one TransactWriteItems and maps a cancellation back to module and rule', async () => {
    const db = refusingDb(['None', 'ConditionalCheckFailed', 'None']);
    const uow = new UnitOfWork(db).add(
      officerIntents.assertCanServe('table', 't', 'O1', new Date(hold.servedAt), 'F1'),
      bookingIntents.claimForHold('table', hold),
      warrantIntents.markServed('table', hold),
    );
    const refused = await uow.commit().catch((error: unknown) => error);
    expect(db.sent).toHaveLength(1);
    expect((db.sent[0] as { TransactItems: unknown[] }).TransactItems).toHaveLength(3);
    expect(refused).toBeInstanceOf(TransactionRefused);
    expect((refused as TransactionRefused).refusals).toEqual([
      { module: 'bookings', rule: 'booking-free-in-custody', code: 'ConditionalCheckFailed' },
    ]);
    expect((refused as TransactionRefused).lostRace).toBe(false);
  });

  it('tells a conflict with another transaction (a lost race) from a broken rule', async () => {
    const uow = new UnitOfWork(refusingDb(['TransactionConflict', 'None'])).add(
      bookingIntents.freeFromHold('table', hold),
      warrantIntents.markServed('table', hold),
    );
    const refused = (await uow.commit().catch((error: unknown) => error)) as TransactionRefused;
    expect(refused.lostRace).toBe(true);
    expect(refused.refusals).toEqual([]);
  });

  it('retries a lost race in one place, a bounded number of times, and passes other errors through', async () => {
    let calls = 0;
    await expect(
      retryLostRaces('the hold', async () => {
        calls++;
        throw new TransactionRefused([], true, undefined);
      }),
    ).rejects.toBeInstanceOf(RacesLost);
    expect(calls).toBe(MAX_ATTEMPTS);
    await expect(
      retryLostRaces('the hold', async () => {
        throw new Error('throttled');
      }),
    ).rejects.toThrow('throttled');
    expect(await retryLostRaces('the hold', async (attempt) => attempt)).toBe(1);
  });

  it('passes a cancellation by neither a rule nor a race (throttling) through unchanged, for the edge to answer 503', async () => {
    const uow = new UnitOfWork(refusingDb(['ThrottlingError', 'None'])).add(
      bookingIntents.freeFromHold('table', hold),
      warrantIntents.markServed('table', hold),
    );
    const error = await uow.commit().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TransactionCanceledException);
    expect(error).not.toBeInstanceOf(TransactionRefused);
  });

  it('an audit head race: retried with a pause between attempts, then AuditChainBusyError (503), not RacesLost', async () => {
    const headRace = new TransactionRefused(
      [{ module: 'audit', rule: 'audit-head-unchanged', code: 'ConditionalCheckFailed' }],
      false,
      undefined,
    );
    const ownRule = new TransactionRefused(
      [
        { module: 'officers', rule: 'officer-version-unchanged', code: 'ConditionalCheckFailed' },
        { module: 'audit', rule: 'audit-head-unchanged', code: 'ConditionalCheckFailed' },
      ],
      false,
      undefined,
    );
    expect(isAuditRace(headRace)).toBe(true);
    expect(isAuditRace(new TransactionRefused([], true, undefined))).toBe(true);
    expect(isAuditRace(ownRule)).toBe(false);
    const paused: number[] = [];
    const policy = { ...auditRacePolicy, pause: async (attempt: number) => void paused.push(attempt) };
    await expect(
      retryLostRaces('officer o-1', async () => Promise.reject(headRace), isAuditRace, policy),
    ).rejects.toBeInstanceOf(AuditChainBusyError);
    expect(paused).toEqual([1, 2, 3, 4, 5, 6, 7]);
    await expect(
      retryLostRaces(
        'officer o-1',
        async () => Promise.reject(ownRule),
        () => true,
        policy,
      ),
    ).rejects.toBeInstanceOf(RacesLost);
  });
});
