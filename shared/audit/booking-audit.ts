import type { Booking } from '../schemas/booking.ts';
import { stableStringify } from '../util/stable-json.ts';

/**
 * A booking as its audit events keep it. The hold chain refers to the person only through the
 * booking number, and the audit trail follows it: the person's identity and the charges stay in the
 * booking item (whose reads are logged, DESIGN.md §5), never in an event any audit reader can list.
 * The event names which of them changed (`changed`), so a rewrite is still on record.
 */
export function bookingAuditView(booking: Booking): Record<string, unknown> {
  const { person: _person, charges, ...rest } = booking;
  return { ...rest, chargeCount: charges?.length ?? 0 };
}

/** Paths of the person's fields and of the charges that differ between two versions. */
export function changedPersonData(before: Booking | undefined, after: Booking): string[] {
  const paths: string[] = [];
  const names = new Set([...Object.keys(before?.person ?? {}), ...Object.keys(after.person ?? {})]);
  for (const name of [...names].sort()) {
    const field = name as keyof NonNullable<Booking['person']>;
    if (before?.person?.[field] !== after.person?.[field]) paths.push(`person.${name}`);
  }
  if (stableStringify(before?.charges ?? []) !== stableStringify(after.charges ?? [])) paths.push('charges');
  return paths;
}
