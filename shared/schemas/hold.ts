import * as z from 'zod';
import {
  HOLD_AUDIT_EVENT_TYPES,
  HOLD_STATUSES,
  HOLD_STEPS,
  type Hold,
  REVIEW_REASON_CODES,
} from '../domain/hold.ts';
import { clientId, instant, text, ulid } from './common.ts';

export const serveWarrantBody = z
  .strictObject({
    warrantId: clientId('The warrant being served'),
    bookingNumber: clientId('The booking of the person in custody'),
    officerId: clientId('The credentialed WSO officer serving the warrant'),
    servedAt: instant.meta({
      description: 'When the officer served the warrant: the 48-hour clock starts here',
    }),
    basis: z
      .enum(['WSO', 'IGSA'])
      .default('WSO')
      .meta({ description: 'IGSA holds (county has an IGSA) have no 48-hour release timer' }),
  })
  .meta({ id: 'ServeWarrant' });

export const transferBody = z
  .strictObject({
    transferredAt: instant.meta({ description: 'When ICE took custody' }),
    receivingOfficer: text(120).meta({ description: 'The ICE officer who took custody' }),
  })
  .meta({ id: 'TransferHold' });

export const releaseBody = z
  .strictObject({ releasedAt: instant.meta({ description: 'When the person was released from the jail' }) })
  .meta({ id: 'Release' });

export const withdrawBody = z.strictObject({ reason: text(500) }).meta({ id: 'WithdrawWarrant' });

/** OTHER says nothing by itself: it needs a note that does. */
export const OTHER_NOTE_MIN_LENGTH = 10;

export const reviewBody = z
  .strictObject({
    reasonCode: z.enum(REVIEW_REASON_CODES).meta({ description: 'Why the hold was late or overdue' }),
    note: text(2000)
      .optional()
      .meta({ description: `Required, at least ${OTHER_NOTE_MIN_LENGTH} characters, for reasonCode OTHER` }),
  })
  .refine((body) => body.reasonCode !== 'OTHER' || (body.note?.length ?? 0) >= OTHER_NOTE_MIN_LENGTH, {
    path: ['note'],
    message: `reasonCode OTHER needs a note of at least ${OTHER_NOTE_MIN_LENGTH} characters`,
  })
  .meta({ id: 'ReviewHold' });

export const holdListQuery = z.strictObject({
  status: z.enum(HOLD_STATUSES).optional(),
  needsReview: z.enum(['true', 'false']).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  nextToken: z.string().min(1).max(2048).optional(),
});

export const holdSchema = z
  .object({
    holdId: ulid,
    tenantId: z.string(),
    bookingNumber: z.string(),
    warrantId: z.string(),
    officerId: z.string(),
    facilityId: z.string(),
    basis: z.enum(['WSO', 'IGSA']),
    status: z.enum(HOLD_STATUSES),
    servedAt: instant,
    deadline: instant.optional().meta({ description: 'servedAt + 48 h (absent for IGSA holds)' }),
    releaseDueAt: instant.optional().meta({ description: 'deadline − the county\u2019s release lead' }),
    transferredAt: instant.optional(),
    receivingOfficer: z.string().optional(),
    releasedAt: instant.optional(),
    cancelledAt: instant.optional(),
    cancelReason: z
      .string()
      .optional()
      .meta({ description: 'Why it was cancelled: the warrant\u2019s withdrawal reason' }),
    releaseNoticeAt: instant
      .optional()
      .meta({ description: 'When the pre-release notice to ICE was emitted (hold.release_notice)' }),
    releaseDueMarkedAt: instant.optional(),
    overdueMarkedAt: instant.optional(),
    late: z.boolean(),
    needsReview: z.boolean(),
    review: z
      .object({
        reasonCode: z.enum(REVIEW_REASON_CODES),
        note: z.string().optional(),
        reviewedAt: instant,
        reviewedBy: z.string().meta({ description: 'The key id of the county-admin credential' }),
      })
      .optional()
      .meta({ description: 'The latest review of this late or overdue hold' }),
    rule: z.object({
      id: z.string(),
      version: z.number().int(),
      inputs: z.object({
        servedAt: instant,
        releaseLeadMinutes: z.number().int(),
        releaseNoticeLeadMinutes: z
          .number()
          .int()
          .optional()
          .meta({ description: 'Pre-release notice lead the hold was served with; 0: no notice step' }),
      }),
    }),
    nextStep: z.enum(HOLD_STEPS).optional(),
    nextActionAt: instant.optional(),
    createdAt: instant,
    updatedAt: instant,
    version: z.number().int(),
  })
  .meta({ id: 'Hold' });

export const holdPage = z
  .object({ items: z.array(holdSchema), nextToken: z.string().optional() })
  .meta({ id: 'HoldPage' });

export const holdEventSchema = z
  .object({
    eventId: z.string(),
    tenantId: z.string(),
    holdId: ulid,
    seq: z.number().int(),
    type: z.enum(HOLD_AUDIT_EVENT_TYPES),
    occurredAt: instant,
    actor: z.object({
      kind: z.string(),
      keyId: z.string().optional(),
      role: z.string().optional(),
      name: z.string().optional(),
    }),
    requestId: z.string().optional(),
    before: holdSchema.nullable(),
    after: holdSchema,
    prevHash: z.string(),
    hash: z.string(),
    /**
     * SHA-256 of the hold's state after the event: what `verify` holds the current hold against
     * (absent on events written before per-entity chains).
     */
    stateHash: z.string().optional(),
  })
  .meta({ id: 'HoldEvent' });

/**
 * The domain's Hold and the schema the API documents and tests validate against cannot drift: this
 * fails to compile when a field is in one and not the other, or typed differently.
 */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** Same fields (optional ones included, which assignability alone lets slip) of the same types. */
type SameShape<A, B> = Same<keyof A, keyof B> extends true ? Same<A, B> : false;
const holdMatchesSchema: SameShape<z.output<typeof holdSchema>, Hold> = true;
void holdMatchesSchema;
