import type { Principal } from '../auth/principal.ts';

/**
 * DESIGN.md §5: every read of person data is logged with the credential. One structured line per
 * read, message `personDataRead` and `audit: "personDataRead"`, so a CloudWatch metric filter or a
 * Logs Insights query finds them all; the log group keeps them at least a year (infra). The line
 * names the record read, never its content.
 */
export interface PersonDataReadLogger {
  info(message: string, attributes: Record<string, unknown>): void;
}

export interface PersonDataRead {
  principal: Principal | undefined;
  tenantId: string;
  /** What was read: `booking` today; warrants or holds if they ever carry person data. */
  record: 'booking';
  bookingNumber: string;
  requestId: string;
}

export function logPersonDataRead(logger: PersonDataReadLogger, read: PersonDataRead): void {
  logger.info('personDataRead', {
    audit: 'personDataRead',
    keyId: read.principal?.keyId ?? 'anonymous',
    role: read.principal?.role ?? 'none',
    keyScope: read.principal?.scope.kind ?? 'none',
    tenantId: read.tenantId,
    record: read.record,
    bookingNumber: read.bookingNumber,
    requestId: read.requestId,
  });
}
