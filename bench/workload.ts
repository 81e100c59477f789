/**
 * The benchmark's workload: a county onboarded through the HTTP API, bookings with warrants to
 * serve, and the three measured operations (serve, read, transfer) through the API; plus the same
 * DynamoDB requests replayed raw from a recorded template with fresh ids.
 */
import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { monotonicFactory } from 'ulidx';
import type { LocalRuntime } from '../local/runtime.ts';
import type { Hold } from '../shared/domain/hold.ts';
import { ApiClient } from '../test/support/http.ts';
import type { RecordedCommand } from './recorder.ts';
import { VendorClient, type VendorResponse } from './vendor-client.ts';

export interface County {
  tenantId: string;
  admin: string;
  jail: string;
  liaison: string;
  officerId: string;
  facilityId: string;
  api: ApiClient;
  /** The measured operations' client (vendor-client.ts). */
  vendor: VendorClient;
}

function expectStatus<T>(response: VendorResponse<T>, status: number, what: string): T {
  if (response.status !== status) {
    throw new Error(`${what}: expected ${status}, got ${response.status}: ${response.text.slice(0, 300)}`);
  }
  return response.body;
}

/** A county with a facility, a credentialed officer and the keys the operations need. */
export async function onboardCounty(runtime: LocalRuntime, tenantId: string): Promise<County> {
  // No contract check (the tests check every response): the county-scaling and batch figures are
  // timed through this client, and the check would be the client's CPU counted as the API's.
  const api = new ApiClient(runtime.url, { checkContract: false });
  expectStatus(
    await api.post('/v1/tenants', {
      key: runtime.adminKey,
      body: {
        tenantId,
        countyFips: '12103',
        state: 'FL',
        name: 'Bench County',
        timeZone: 'America/New_York',
        agreements: { wsoMoaSignedOn: '2019-05-01', igsa: false, boa: false },
      },
    }),
    201,
    'create tenant',
  );
  const issue = async (issuer: string, role: string, extra: object = {}) =>
    expectStatus(
      await api.post<{ apiKey: string }>(`/v1/tenants/${tenantId}/api-keys`, {
        key: issuer,
        body: { name: `bench ${role}`, role, ...extra },
      }),
      201,
      `issue ${role} key`,
    ).apiKey;
  const admin = await issue(runtime.adminKey, 'county-admin');
  const jail = await issue(admin, 'jail-system');
  const liaison = await issue(admin, 'ice-liaison');
  const facilityId = 'main-jail';
  const officerId = 'off-1';
  const base = `/v1/tenants/${tenantId}`;
  expectStatus(
    await api.post(`${base}/facilities`, { key: admin, body: { facilityId, name: 'Main Jail' } }),
    201,
    'create facility',
  );
  expectStatus(
    await api.post(`${base}/officers`, {
      key: admin,
      body: { officerId, name: 'Dana Reyes', badgeNumber: 'B-100', facilityIds: [facilityId] },
    }),
    201,
    'nominate officer',
  );
  expectStatus(
    await api.post(`${base}/officers/${officerId}/credential`, {
      key: liaison,
      body: {
        backgroundCheckPassedOn: '2026-01-05',
        trainedOn: '2026-01-10',
        credentialNumber: 'WSO-0001',
        expiresOn: '2028-01-10',
      },
    }),
    200,
    'credential officer',
  );
  return {
    tenantId,
    admin,
    jail,
    liaison,
    officerId,
    facilityId,
    api,
    vendor: new VendorClient(runtime.url),
  };
}

/** One person to serve: fixed-width ids, so every replayed item has the template's size. */
export interface Case {
  bookingNumber: string;
  warrantId: string;
  holdId?: string;
}

export const caseIds = (index: number): Case => ({
  bookingNumber: `BK-${String(index).padStart(6, '0')}`,
  warrantId: `WR-${String(index).padStart(6, '0')}`,
});

export interface Times {
  bookedAt: string;
  servedAt: string;
  transferredAt: string;
}

/** Books the person and records the warrant (set-up, not measured). */
export async function prepareCase(county: County, item: Case, times: Times): Promise<void> {
  const base = `/v1/tenants/${county.tenantId}`;
  expectStatus(
    await county.api.put(`${base}/bookings/${item.bookingNumber}`, {
      key: county.jail,
      body: {
        facilityId: county.facilityId,
        bookedAt: times.bookedAt,
        person: { firstName: 'Alex', lastName: `Bench${item.bookingNumber}`, dateOfBirth: '1990-04-01' },
      },
    }),
    201,
    'book',
  );
  expectStatus(
    await county.api.post(`${base}/warrants`, {
      key: county.liaison,
      body: {
        warrantId: item.warrantId,
        form: 'I-200',
        issuedAt: times.bookedAt,
        issuingOfficer: 'SDDO Smith',
        fieldOffice: 'Miami',
        bookingNumber: item.bookingNumber,
      },
    }),
    201,
    'record warrant',
  );
}

export async function apiServe(county: County, item: Case, times: Times): Promise<void> {
  const hold = expectStatus(
    await county.vendor.post<Hold>(`/v1/tenants/${county.tenantId}/holds`, {
      key: county.jail,
      body: {
        warrantId: item.warrantId,
        bookingNumber: item.bookingNumber,
        officerId: county.officerId,
        servedAt: times.servedAt,
      },
    }),
    201,
    'serve',
  );
  item.holdId = hold.holdId;
}

export async function apiTransfer(county: County, item: Case, times: Times): Promise<void> {
  expectStatus(
    await county.vendor.post(`/v1/tenants/${county.tenantId}/holds/${item.holdId}/transfer`, {
      key: county.liaison,
      body: { transferredAt: times.transferredAt, receivingOfficer: 'ERO Lee' },
    }),
    200,
    'transfer',
  );
}

export async function apiGetHold(county: County, item: Case): Promise<void> {
  expectStatus(
    await county.vendor.get(`/v1/tenants/${county.tenantId}/holds/${item.holdId}`, { key: county.jail }),
    200,
    'get hold',
  );
}

const ULID = /\b[0-9A-HJKMNP-TV-Z]{26}\b/g;

/**
 * The DynamoDB requests one API operation sent, kept to be sent again raw: the template's case ids
 * are swapped for another case's, and every other ULID in it (audit event and outbox ids) for a
 * fresh one, so each replay writes new items of the same size under the same conditions.
 */
export class RawTemplate {
  readonly commands: RecordedCommand[];
  private readonly source: Case;
  private readonly otherIds: string[];
  private readonly ulid = monotonicFactory();

  constructor(commands: RecordedCommand[], source: Case) {
    this.commands = commands.filter((command) => command.service === 'dynamodb');
    if (!source.holdId) throw new Error('the template case has no hold');
    this.source = source;
    const found = new Set<string>();
    for (const command of this.commands) {
      for (const match of JSON.stringify(command.input).matchAll(ULID)) found.add(match[0]);
    }
    found.delete(source.holdId);
    this.otherIds = [...found];
  }

  /** The transaction alone (what the 80% goal compares with). */
  get transaction(): RecordedCommand {
    const tx = this.commands.filter((command) => command.name === 'TransactWriteItems');
    if (tx.length !== 1) throw new Error(`expected one TransactWriteItems, recorded ${tx.length}`);
    return tx[0] as RecordedCommand;
  }

  /** The template's inputs rewritten for `target` (whose holdId must be set). */
  inputsFor(target: Case, commands: readonly RecordedCommand[]): RecordedCommand[] {
    if (!target.holdId) throw new Error('the target case has no hold id');
    const swaps = new Map<string, string>([
      [this.source.holdId as string, target.holdId],
      [this.source.bookingNumber, target.bookingNumber],
      [this.source.warrantId, target.warrantId],
      ...this.otherIds.map((id): [string, string] => [id, this.ulid()]),
    ]);
    const pattern = new RegExp([...swaps.keys()].map(escapeRegExp).join('|'), 'g');
    return commands.map((command) => ({
      ...command,
      input: substitute(command.input, (text) =>
        text.replace(pattern, (found) => swaps.get(found) ?? found),
      ) as Record<string, unknown>,
    }));
  }

  newHoldId(): string {
    return this.ulid();
  }
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A deep copy of `value` with every string (values and keys) passed through `swap`. */
export function substitute(value: unknown, swap: (text: string) => string): unknown {
  if (typeof value === 'string') return swap(value);
  if (Array.isArray(value)) return value.map((item) => substitute(item, swap));
  if (value instanceof Set) return new Set([...value].map((item) => substitute(item, swap)));
  if (value instanceof Uint8Array || value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [swap(key), substitute(item, swap)]));
}

type Input = Record<string, unknown>;

/** Sends recorded document-client inputs again, as the service's own client would. */
export async function sendRaw(doc: DynamoDBDocumentClient, command: RecordedCommand): Promise<void> {
  const input = command.input;
  switch (command.name.replace(/^auth:/, '')) {
    case 'GetItem':
      await doc.send(new GetCommand(input as unknown as ConstructorParameters<typeof GetCommand>[0]));
      return;
    case 'BatchGetItem':
      await doc.send(new BatchGetCommand(input as Input as ConstructorParameters<typeof BatchGetCommand>[0]));
      return;
    case 'TransactWriteItems':
      await doc.send(
        new TransactWriteCommand(input as Input as ConstructorParameters<typeof TransactWriteCommand>[0]),
      );
      return;
    case 'PutItem':
      await doc.send(new PutCommand(input as Input as ConstructorParameters<typeof PutCommand>[0]));
      return;
    case 'UpdateItem':
      await doc.send(new UpdateCommand(input as Input as ConstructorParameters<typeof UpdateCommand>[0]));
      return;
    case 'Query':
      await doc.send(new QueryCommand(input as Input as ConstructorParameters<typeof QueryCommand>[0]));
      return;
    default:
      throw new Error(`no raw replay for ${command.name}`);
  }
}
