import { describe, expect, it } from 'vitest';
import { TENANT_CONTEXT_KEY } from '../../shared/webhooks/secret-box.ts';
import { synthesize } from './support/synth.ts';
import {
  allows,
  asArray,
  identityStatements,
  type PolicyStatement,
  props,
  render,
  resourcesOfType,
} from './support/template-helpers.ts';

/** Issue 19 item 8: the key that seals webhook signing secrets, read from the templates as data. */
const { templates, allTemplates, names } = synthesize();

const keyEntry = Object.entries(resourcesOfType(templates.data, 'AWS::KMS::Key')).find(([id]) =>
  id.startsWith('WebhookSecretsKey'),
);
const [keyId, key] = keyEntry ?? ['', undefined];
const keyStatements = (): PolicyStatement[] =>
  key ? (props(key).KeyPolicy as { Statement: PolicyStatement[] }).Statement : [];
const roleArn = (functionName: string) =>
  `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/${functionName}`;
const CRYPTO = ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey', 'kms:ReEncryptFrom', 'kms:ReEncryptTo'];

function functionEnvironment(functionName: string): Record<string, unknown> {
  for (const template of allTemplates) {
    for (const fn of Object.values(resourcesOfType(template, 'AWS::Lambda::Function'))) {
      if (props(fn).FunctionName === functionName) {
        return (props(fn).Environment as { Variables: Record<string, unknown> }).Variables;
      }
    }
  }
  throw new Error(`no function ${functionName}`);
}

describe('the webhook secrets key', () => {
  it('is a rotating symmetric key of its own', () => {
    expect(key, 'WebhookSecretsKey in the data stack').toBeDefined();
    expect(props(key!).EnableKeyRotation).toBe(true);
    expect(props(key!).KeySpec ?? 'SYMMETRIC_DEFAULT').toBe('SYMMETRIC_DEFAULT');
  });

  it('lets the tenant-facing API function only encrypt and the sender only decrypt, each with a tenant context', () => {
    const use = keyStatements().filter((s) => CRYPTO.some((action) => allows(s, action)));
    const byRole = Object.fromEntries(
      use.map((s) => [
        asArray((s.Condition?.ArnEquals as Record<string, unknown[]>)?.['aws:PrincipalArn'])
          .map(render)
          .join(','),
        CRYPTO.filter((action) => allows(s, action)),
      ]),
    );
    expect(byRole).toEqual({
      [roleArn(names.apiFunction)]: ['kms:Encrypt'],
      [roleArn(names.webhookSenderFunction)]: ['kms:Decrypt'],
    });
    for (const statement of use) {
      expect(statement.Condition?.['ForAnyValue:StringEquals'], statement.Sid).toEqual({
        'kms:EncryptionContextKeys': [TENANT_CONTEXT_KEY],
      });
      expect(statement.Condition?.StringEquals, statement.Sid).toEqual({
        'kms:CallerAccount': { Ref: 'AWS::AccountId' },
      });
    }
  });

  it('is used by no other role: only those two hold an IAM grant on it', () => {
    const grants = allTemplates.flatMap((template) =>
      identityStatements(template).filter(({ statement }) =>
        asArray(statement.Resource).some((resource) => render(resource).includes(keyId)),
      ),
    );
    const actions = grants.flatMap(({ statement }) => asArray(statement.Action)).sort();
    expect(actions).toEqual(['kms:Decrypt', 'kms:Encrypt']);
  });

  it('is named to the two functions that use it', () => {
    for (const fn of [names.apiFunction, names.webhookSenderFunction]) {
      expect(render(functionEnvironment(fn).WEBHOOK_SECRETS_KEY_ID)).toContain(keyId);
    }
    expect(functionEnvironment(names.adminApiFunction).WEBHOOK_SECRETS_KEY_ID).toBeUndefined();
  });
});
