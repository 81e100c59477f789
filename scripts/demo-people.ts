/**
 * Gives the local identity provider's demo people access to the demo's pages, through the public
 * people API: each state auditor to its state's dashboard, each county administrator to its
 * county's hold board. Mapped by verified e-mail; a mapping that exists already is left as it is.
 */
import { DEMO_ACCOUNTS } from '../local/oidc/demo-people.ts';

type Login = (typeof DEMO_ACCOUNTS)[number]['login'];

/** Who sees what: a state (state-oversight) or a county (county-admin). */
export const DEMO_ACCESS: Record<Login, { state: string } | { tenantId: string }> = {
  'auditor.fl': { state: 'FL' },
  'auditor.ga': { state: 'GA' },
  'admin.pinellas': { tenantId: 'pinellas-fl' },
  'admin.hillsborough': { tenantId: 'hillsborough-fl' },
};

export async function mapDemoPeople(
  baseUrl: string,
  adminKey: string,
  only: (access: { state: string } | { tenantId: string }) => boolean = () => true,
): Promise<void> {
  for (const account of DEMO_ACCOUNTS) {
    const access = DEMO_ACCESS[account.login];
    if (!only(access)) continue;
    const path =
      'state' in access ? `/v1/states/${access.state}/people` : `/v1/tenants/${access.tenantId}/people`;
    const role = 'state' in access ? 'state-oversight' : 'county-admin';
    const response = await fetch(`${baseUrl}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: account.name, email: account.email, role }),
    });
    if (response.status !== 201 && response.status !== 409) {
      throw new Error(`mapping ${account.login}: ${response.status} ${await response.text()}`);
    }
  }
}
