import * as z from 'zod';
import { TENANT_ROLES } from '../auth/principal.ts';
import { clientId, text } from './common.ts';

export const createTenantKeyBody = z
  .strictObject({
    name: text(120),
    role: z.enum(TENANT_ROLES),
    officerId: clientId('The officer a wso-officer key acts as').optional(),
  })
  .superRefine((body, ctx) => {
    if (body.role === 'wso-officer' && !body.officerId) {
      ctx.addIssue({ code: 'custom', path: ['officerId'], message: 'is required for the wso-officer role' });
    }
    if (body.role !== 'wso-officer' && body.officerId) {
      ctx.addIssue({
        code: 'custom',
        path: ['officerId'],
        message: 'is only allowed for the wso-officer role',
      });
    }
  })
  .meta({ id: 'CreateTenantApiKey' });

export const createStateKeyBody = z.strictObject({ name: text(120) }).meta({ id: 'CreateStateApiKey' });

export const issuedKey = z
  .object({
    keyId: z.string(),
    apiKey: z.string().meta({ description: 'Shown once; store it securely.' }),
    role: z.string(),
  })
  .meta({ id: 'IssuedApiKey' });
