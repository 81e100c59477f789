import * as z from 'zod';
import { clientId, instant, text } from './common.ts';
import { pageOf } from './list.ts';

export const facilityId = clientId('The county\u2019s own id for a jail facility');

export const createFacilityBody = z
  .strictObject({ facilityId, name: text(120) })
  .meta({ id: 'CreateFacility' });

export const facility = z
  .object({ facilityId, name: z.string(), createdAt: instant })
  .meta({ id: 'Facility' });

export const facilityPage = pageOf(facility, 'FacilityPage');

export type CreateFacility = z.infer<typeof createFacilityBody>;
export type Facility = z.infer<typeof facility>;
