import { z } from 'zod';
import { HOLD_EVENT_TYPES, HOLD_STATUSES, HOLD_STEPS } from '../domain/hold.ts';
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
    late: z.boolean(),
    needsReview: z.boolean(),
    rule: z.object({
      id: z.string(),
      version: z.number().int(),
      inputs: z.object({ servedAt: instant, releaseLeadMinutes: z.number().int() }),
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
    seq: z.number().int(),
    type: z.enum(HOLD_EVENT_TYPES),
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
  })
  .meta({ id: 'HoldEvent' });
