import { readdir, readFile } from 'node:fs/promises';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureTable } from '../../local/table.ts';
import { VirtualClock } from '../../shared/clock.ts';
import { ulidGenerator } from '../../shared/ids.ts';
import { credential, nominate } from '../../shared/officers/use-cases.ts';
import { upsertBooking } from '../../shared/store/bookings.ts';
import { createDb, type Db, dynamoClientConfig } from '../../shared/store/db.ts';
import { createFacility } from '../../shared/store/facilities.ts';
import { tenantKeys } from '../../shared/store/keys.ts';
import {
  type Refusal,
  type StoredItem,
  TransactionRefused,
  UnitOfWork,
} from '../../shared/store/unit-of-work.ts';
import { recordWarrant } from '../../shared/store/warrants.ts';
import { testDynamoEndpoint } from '../support/dynamodb.ts';
import { FakeStorage } from '../unit/support/fake-storage.ts';
import { apiKeyCases } from './intent-contract/api-key-cases.ts';
import { auditCases } from './intent-contract/audit-cases.ts';
import { bookingCases, personDataCases } from './intent-contract/booking-cases.ts';
import { credentialNoticeCases } from './intent-contract/credential-notice-cases.ts';
import { facilityCases, tenantCases } from './intent-contract/facility-and-tenant-cases.ts';
import {
  type Action,
  actionOf,
  actor,
  BOOKING,
  type Case,
  FACILITY,
  NOW,
  OFFICER,
  type Seeds,
  TABLE,
  WARRANT,
} from './intent-contract/fixtures.ts';
import { holdCases, outboxCases } from './intent-contract/hold-cases.ts';
import { officerCases } from './intent-contract/officer-cases.ts';
import { personCases } from './intent-contract/person-cases.ts';
import { warrantCases } from './intent-contract/warrant-cases.ts';
import { deliveryCases, webhookCases } from './intent-contract/webhook-cases.ts';

/**
 * The intent contract: each store intent's in-memory model (`model.holds`, `model.after`, which the
 * unit tests' FakeStorage runs) says what its DynamoDB condition and write say. Per case: one item
 * state goes into DynamoDB Local and into a FakeStorage; the one intent is committed through the
 * real UnitOfWork and through FakeStorage.commit; both must accept, or both refuse naming the same
 * module and rule, and both must leave the same stored item (GetItem vs the fake's item).
 *
 * Adding cases for a factory: ONE entry in the module's table under intent-contract/ (e.g.
 * officer-cases.ts), keyed by the factory's name; each row is `[name, state, 'accepted'|'refused']`
 * committed with the entry's intent for the case's own tenant `t` (fixtures.ts `on`; derive every
 * id and key from `t`, even outside a tenant's partition, so each case has its own item). `state`
 * returns the item WITHOUT its key (the harness keys it where the intent writes): start from a seed
 * item the store wrote (`s.booking`, `s.officer`, ...) or the store's own Put item (`putItemOf`),
 * and change one attribute per row. Cover an absent item, an accepted state, one refused state per
 * clause of the condition, and edges (equal values for `>=`, a missing attribute). Each table
 * `satisfies Record<keyof typeof xIntents, Case[]>`, so tsc names a factory without an entry; a new
 * `*Intents` object gets its own table file and one line in CONTRACT below, and the completeness
 * test names any exported factory that has no cases.
 */
const CONTRACT: Record<string, Record<string, Case[]>> = {
  bookingIntents: bookingCases,
  warrantIntents: warrantCases,
  officerIntents: officerCases,
  facilityIntents: facilityCases,
  tenantIntents: tenantCases,
  apiKeyIntents: apiKeyCases,
  auditIntents: auditCases,
  webhookIntents: webhookCases,
  deliveryIntents: deliveryCases,
  personDataIntents: personDataCases,
  holdIntents: holdCases,
  outboxIntents: outboxCases,
  credentialNoticeIntents: credentialNoticeCases,
  personIntents: personCases,
};

const SEED_TENANT = 'contract-seed';

let db: Db;
let seeds: Seeds;
let ran = 0;
const keysUsed = new Set<string>();

beforeAll(async () => {
  const client = new DynamoDBClient(dynamoClientConfig({ endpoint: await testDynamoEndpoint() }));
  await ensureTable(client, TABLE);
  db = createDb({ tableName: TABLE, client });
  // The seed items are written by the store's own writers, so the cases start from its shapes.
  const deps = { db, ids: ulidGenerator(new VirtualClock({ start: NOW })) };
  const audit = { actor };
  const t = SEED_TENANT;
  await createFacility(deps, t, { facilityId: FACILITY, name: 'Main Jail' }, NOW, audit);
  const booking = {
    facilityId: FACILITY,
    bookedAt: '2026-11-23T20:00:00Z',
    agencyOri: 'FL0520000',
    person: { firstName: 'Ana', lastName: 'Doe', dateOfBirth: '1990-01-01' },
    charges: [{ code: '316.193', description: 'DUI' }],
  };
  await upsertBooking(deps, t, BOOKING, booking, NOW, audit);
  const warrant = {
    warrantId: WARRANT,
    form: 'I-200' as const,
    issuedAt: '2026-11-23T21:00:00Z',
    issuingOfficer: 'SDDO Smith',
    fieldOffice: 'Miami',
    bookingNumber: BOOKING,
  };
  await recordWarrant(deps, t, warrant, NOW, audit);
  const officer = { officerId: OFFICER, name: 'Officer One', badgeNumber: '1234', facilityIds: [FACILITY] };
  await nominate(deps, t, officer, NOW, audit);
  const issued = {
    backgroundCheckPassedOn: '2026-10-01',
    trainedOn: '2026-10-15',
    credentialNumber: 'WSO-0001',
    expiresOn: '2027-10-15',
  };
  await credential(deps, t, OFFICER, issued, NOW, audit);
  seeds = {
    booking: await seed(tenantKeys.booking(t, BOOKING)),
    warrant: await seed(tenantKeys.warrant(t, WARRANT)),
    officer: await seed(tenantKeys.officer(t, OFFICER)),
  };
  expect(seeds.officer).toMatchObject({ status: 'CREDENTIALED', facilityIds: [FACILITY] });
});

async function seed(key: Action['key']): Promise<StoredItem> {
  const { pk: _pk, sk: _sk, ...item } = (await read(key)) ?? {};
  if (!('tenantId' in item)) throw new Error(`seed ${key.sk} missing`);
  return item;
}

async function read(key: Action['key']): Promise<StoredItem | undefined> {
  const { Item } = await db.doc.send(new GetCommand({ TableName: TABLE, Key: key, ConsistentRead: true }));
  return Item;
}

/** The case's item, keyed where the intent writes and moved to the case's tenant. */
function stateFor(c: Case, t: string, key: Action['key']): (StoredItem & Action['key']) | undefined {
  const state = c.state(seeds, t);
  if (!state) return undefined;
  return { ...state, ...('tenantId' in state ? { tenantId: t } : {}), ...key };
}

/**
 * An item as compared. DynamoDB cannot store `undefined` (the store's document client drops such
 * attributes: removeUndefinedValues), so a model's `{ x: undefined }` means "no x": the JSON round
 * trip drops them. Nothing else needs normalising for these items (strings, numbers, booleans,
 * lists and maps come back as they went in through the document client; no sets, no binaries).
 */
const comparable = (item: StoredItem | undefined): StoredItem | undefined =>
  item === undefined ? undefined : (JSON.parse(JSON.stringify(item)) as StoredItem);

type Outcome = { accepted: true } | { accepted: false; refusals: Refusal[] };

async function outcomeOf(commit: () => Promise<void>): Promise<Outcome> {
  try {
    await commit();
    return { accepted: true };
  } catch (error) {
    if (!(error instanceof TransactionRefused)) throw error;
    return { accepted: false, refusals: error.refusals };
  }
}

async function runCase(c: Case): Promise<void> {
  ran += 1;
  const t = `contract-${String(ran).padStart(3, '0')}`;
  const intent = c.intent(t);
  const action = actionOf(intent);
  // Ids derive from the case's tenant, so no case sees another's item (keys outside a tenant too).
  const id = `${action.key.pk}\u0000${action.key.sk}`;
  expect(keysUsed.has(id), `${action.key.pk} ${action.key.sk} is used by another case`).toBe(false);
  keysUsed.add(id);
  const state = stateFor(c, t, action.key);

  if (state) await db.doc.send(new PutCommand({ TableName: TABLE, Item: state }));
  const real = await outcomeOf(() => new UnitOfWork(db).add(intent).commit());
  const stored = await read(action.key);
  expect(real.accepted ? 'accepted' : 'refused', 'DynamoDB').toBe(c.expect);
  if (!real.accepted) {
    expect(real.refusals).toEqual([
      { module: intent.module, rule: intent.rule, code: 'ConditionalCheckFailed' },
    ]);
  }

  const fake = new FakeStorage();
  if (state) fake.put(state);
  const modelled = await outcomeOf(() => fake.commit([intent]));
  expect(modelled, 'the model accepts or refuses as DynamoDB does, naming the same rule').toEqual(real);
  expect(comparable(fake.get(action.key)), 'the model leaves the item DynamoDB leaves').toStrictEqual(
    comparable(stored),
  );
}

for (const [exported, factories] of Object.entries(CONTRACT)) {
  describe(exported, () => {
    for (const [factory, cases] of Object.entries(factories)) {
      describe(factory, () => {
        for (const c of cases) {
          it(`${c.expect === 'accepted' ? 'accepts' : 'refuses'}: ${c.name}`, () => runCase(c));
        }
      });
    }
  });
}

const STORE = new URL('../../shared/store/', import.meta.url);
const storeFiles = async () => (await readdir(STORE)).filter((name) => name.endsWith('.ts')).sort();

/** Every exported `*Intents` object of shared/store, by export name: its file and factory names. */
async function exportedFactories(): Promise<Map<string, { file: string; factories: string[] }>> {
  const found = new Map<string, { file: string; factories: string[] }>();
  for (const file of await storeFiles()) {
    const module = (await import(new URL(file, STORE).href)) as Record<string, unknown>;
    for (const [name, value] of Object.entries(module)) {
      if (name.endsWith('Intents') && typeof value === 'object' && value !== null) {
        found.set(name, { file, factories: Object.keys(value) });
      }
    }
  }
  return found;
}

const everyFactory = () =>
  Object.entries(CONTRACT).flatMap(([exported, factories]) =>
    Object.entries(factories).map(([factory, cases]) => ({ name: `${exported}.${factory}`, cases })),
  );

describe('completeness', () => {
  it('every intent factory exported from shared/store has cases', async () => {
    const missing: string[] = [];
    for (const [name, { file, factories }] of await exportedFactories()) {
      for (const factory of factories) {
        if (!CONTRACT[name]?.[factory]?.length) missing.push(`${name}.${factory} (shared/store/${file})`);
      }
    }
    expect(missing, 'factories without cases: add them to intent-contract/').toEqual([]);
  });

  it('every store module that builds intents exports them as a `*Intents` object', async () => {
    const homes = new Set([...(await exportedFactories()).values()].map((entry) => entry.file));
    const stray: string[] = [];
    for (const file of await storeFiles()) {
      if (file === 'unit-of-work.ts') continue; // defines `intent` and the existence intents
      const source = await readFile(new URL(file, STORE), 'utf8');
      if (/\b(intent|putNew|checkExists|deleteExisting)\(/.test(source) && !homes.has(file)) stray.push(file);
    }
    expect(stray, 'intents built outside an exported *Intents object escape this contract').toEqual([]);
  });

  it('each factory has an absent case, an accepted one, and a refused one when it is conditional', () => {
    const thin = everyFactory().filter(({ cases }) => {
      const conditional = cases.some((c) => actionOf(c.intent('contract-probe')).conditional);
      return (
        !cases.some((c) => c.state(seeds, 'contract-probe') === undefined) ||
        !cases.some((c) => c.expect === 'accepted') ||
        (conditional && !cases.some((c) => c.expect === 'refused'))
      );
    });
    expect(thin.map(({ name }) => name)).toEqual([]);
  });

  it('every factory with a condition carries an in-memory model of it', () => {
    const unmodelled = everyFactory().filter(({ cases }) =>
      cases.some((c) => {
        const intent = c.intent('contract-probe');
        return actionOf(intent).conditional && !intent.model?.holds;
      }),
    );
    expect(unmodelled.map(({ name }) => name)).toEqual([]);
  });

  it('ran every case against DynamoDB Local and the fake', () => {
    expect(ran).toBe(everyFactory().flatMap(({ cases }) => cases).length);
  });
});
