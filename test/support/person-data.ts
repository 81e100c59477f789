import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { expect } from 'vitest';
import type { LocalRuntime } from '../../local/runtime.ts';
import type { County } from './custody.ts';

/**
 * A person whose every value is unique in the test table, so "no person data anywhere" is a plain
 * search for these strings in everything the API answers and in every item the table holds.
 */
export function distinctivePerson(tag: string) {
  const person = {
    firstName: `Quillon${tag}`,
    lastName: `Sealwright${tag}`,
    // A day of its own per tag, so one test's person never shows up in another's search.
    dateOfBirth: `1971-03-${String(1 + (tag.charCodeAt(0) % 28)).padStart(2, '0')}`,
    fbiNumber: `QX71${tag}`.slice(0, 9),
    stateId: `SID-SEAL-${tag}`,
  };
  const charges = [{ code: '893.13', description: `Distinctive charge text ${tag}` }];
  const values = [person.firstName, person.lastName, person.dateOfBirth, person.fbiNumber, person.stateId];
  return { person, charges, values: [...values, charges[0]?.description ?? ''] };
}

/** Every item of the test's own table (a Scan in test code only: the product never scans). */
export async function tableText(runtime: LocalRuntime): Promise<string[]> {
  const { db } = runtime.deps;
  const items: string[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.doc.send(
      new ScanCommand({ TableName: db.tableName, ConsistentRead: true, ExclusiveStartKey: start }),
    );
    for (const item of page.Items ?? []) items.push(JSON.stringify(item));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/**
 * What the API lets a county and its state see that could carry a booking's person data: the
 * booking, its hold and the hold's events, the holds list, the hold board, the county's audit
 * events and current state, the state's report (JSON and CSV) and dashboard. Every answer's text.
 */
export async function apiSurfaces(
  county: County,
  stateKey: string,
  bookingNumber: string,
  holdId?: string,
): Promise<Record<string, string>> {
  const { api, tenantId, admin } = county;
  const base = `/v1/tenants/${tenantId}`;
  const paths: Record<string, [string, string]> = {
    booking: [`${base}/bookings/${bookingNumber}`, admin],
    holds: [`${base}/holds?limit=100`, admin],
    holdBoard: [`${base}/hold-board`, admin],
    auditEvents: [`${base}/audit/events?limit=100`, admin],
    currentState: [`${base}/audit/current-state?kind=booking&limit=100`, admin],
    report: ['/v1/oversight/states/FL/report?from=2026-11&to=2026-12', stateKey],
    reportCsv: ['/v1/oversight/states/FL/report?from=2026-11&to=2026-12&format=csv', stateKey],
    dashboard: ['/v1/oversight/states/FL/dashboard?from=2026-11&to=2026-12', stateKey],
    ...(holdId
      ? {
          hold: [`${base}/holds/${holdId}`, admin],
          holdEvents: [`${base}/holds/${holdId}/events`, admin],
        }
      : {}),
  } as Record<string, [string, string]>;
  const answers: Record<string, string> = {};
  for (const [name, [path, key]] of Object.entries(paths)) {
    const response = await api.get(path, { key });
    expect(response.status, `${name}: ${response.text.slice(0, 300)}`).toBe(200);
    answers[name] = response.text;
  }
  return answers;
}

/** The texts that contain any of `values`: their names, or for a list of texts the texts themselves. */
export const leaks = (texts: Record<string, string> | string[], values: readonly string[]): string[] =>
  Object.entries(texts).flatMap(([name, text]) =>
    values.some((value) => text.includes(value)) ? [Array.isArray(texts) ? text.slice(0, 300) : name] : [],
  );
