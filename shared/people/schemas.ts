import * as z from 'zod';

// The people API's bodies and answers (functions/api/routes/people.ts); storage is people.ts.

/** Roles a person may hold on each kind of scope: the roles whose pages exist. */
export const TENANT_PERSON_ROLES = ['county-admin', 'ice-liaison'] as const;
export const STATE_PERSON_ROLES = ['state-oversight'] as const;

const issuerUrl = z
  .url({ protocol: /^https?$/ })
  .max(512)
  .meta({
    description: 'The identity provider\u2019s issuer (the `iss` of its ID tokens)',
    example: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Example',
  });
const subject = z.string().min(1).max(255).meta({ description: 'The `sub` the issuer gives the person' });
const email = z.email().max(254).meta({
  description: 'Matched only against a verified e-mail address (`email_verified: true`)',
});
const name = z.string().trim().min(1).max(120);

/** Either issuer + subject, or a verified e-mail: two exact shapes, so OpenAPI says so too. */
const bySubject = { issuer: issuerUrl, subject };
const byEmail = { email };

function personBody<R extends z.ZodType>(role: R, id: string) {
  return z
    .union([z.strictObject({ name, role, ...bySubject }), z.strictObject({ name, role, ...byEmail })])
    .meta({ id });
}

export const createTenantPersonBody = personBody(z.enum(TENANT_PERSON_ROLES), 'CreateTenantPerson');
export const createStatePersonBody = personBody(
  z.enum(STATE_PERSON_ROLES).default('state-oversight'),
  'CreateStatePerson',
);

export const personSchema = z
  .object({
    personId: z.string(),
    name: z.string(),
    role: z.string(),
    issuer: z.string().optional(),
    subject: z.string().optional(),
    email: z.string().optional(),
    createdAt: z.string(),
    createdBy: z.string().optional(),
  })
  .meta({ id: 'Person' });
export type PersonView = z.infer<typeof personSchema>;

export const personList = z.object({ items: z.array(personSchema) }).meta({ id: 'PersonList' });
