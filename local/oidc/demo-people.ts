import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as OTPAuth from 'otpauth';
import { randomSecret } from '../../shared/ids.ts';

/**
 * The people of the local identity provider: the state auditors and county administrators of
 * `npm run demo` (which maps their e-mail addresses to roles through the people API). Each has a
 * password and a TOTP secret (the second factor), generated once per data directory and kept
 * beside the data (0600), like the admin key; an in-memory run gets fresh ones.
 */
export interface LocalAccount {
  /** What the person types as "Username"; also the subject (`sub`) of their ID tokens. */
  login: string;
  name: string;
  email: string;
  password: string;
  /** Base32 secret for an authenticator app (RFC 6238, SHA-1, 6 digits, 30 s). */
  totpSecret: string;
}

/** Who exists at the local provider; access comes from the people mappings, not from here. */
export const DEMO_ACCOUNTS = [
  { login: 'auditor.fl', name: 'Florida state auditor', email: 'auditor.fl@demo.wso.local' },
  { login: 'auditor.ga', name: 'Georgia state auditor', email: 'auditor.ga@demo.wso.local' },
  { login: 'admin.pinellas', name: 'Pinellas County administrator', email: 'admin.pinellas@demo.wso.local' },
  {
    login: 'admin.hillsborough',
    name: 'Hillsborough County administrator',
    email: 'admin.hillsborough@demo.wso.local',
  },
] as const;

export const totpOf = (account: Pick<LocalAccount, 'totpSecret' | 'login'>): OTPAuth.TOTP =>
  new OTPAuth.TOTP({
    issuer: 'WSO local',
    label: account.login,
    algorithm: 'SHA1',
    digits: 6,
    period: 30,
    secret: OTPAuth.Secret.fromBase32(account.totpSecret),
  });

function freshAccounts(): LocalAccount[] {
  return DEMO_ACCOUNTS.map((account) => ({
    ...account,
    password: `demo-${randomSecret(9)}`,
    totpSecret: new OTPAuth.Secret({ size: 20 }).base32,
  }));
}

/** The accounts of this data directory (created on first start), or fresh ones in memory. */
export function loadAccounts(dataDir: string | undefined): LocalAccount[] {
  if (!dataDir) return freshAccounts();
  const file = join(dataDir, 'oidc-accounts.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as LocalAccount[];
  mkdirSync(dataDir, { recursive: true });
  const accounts = freshAccounts();
  writeFileSync(file, `${JSON.stringify(accounts, null, 2)}\n`, { mode: 0o600 });
  return accounts;
}
