import { describe, expect, it } from 'vitest';
import { CONTEXT_DEFAULTS } from '../../infra/config.ts';
import { KEY_USE_ACTIONS } from '../../infra/constructs/key-policy.ts';
import { TABLE_DATA_PLANE_ACTIONS } from '../../infra/stacks/data-stack.ts';
import { synthesize } from './support/synth.ts';
import {
  allows,
  asArray,
  type CfnResource,
  type PolicyStatement,
  props,
  render,
  resourcesOfType,
  statementsOfRole,
} from './support/template-helpers.ts';

/** Issue 19: least privilege and CJIS-grade hardening, read from the templates as data. */
const { templates, allTemplates, names } = synthesize();

function functionNamed(name: string): { resource: CfnResource; roleId: string } {
  for (const template of allTemplates) {
    for (const resource of Object.values(resourcesOfType(template, 'AWS::Lambda::Function'))) {
      if (props(resource).FunctionName === name) {
        return { resource, roleId: render(props(resource).Role).replace(/^\$\{(.+)\.Arn\}$/, '$1') };
      }
    }
  }
  throw new Error(`no function ${name}`);
}

const dynamoStatements = (name: string): PolicyStatement[] =>
  statementsOfRole(templates.api, functionNamed(name).roleId).filter(
    (s) => s.Effect === 'Allow' && asArray(s.Action).some((a) => a.startsWith('dynamodb:')),
  );

const leadingKeys = (statement: PolicyStatement): string[] =>
  asArray(
    (statement.Condition?.['ForAllValues:StringLike'] as Record<string, string[]> | undefined)?.[
      'dynamodb:LeadingKeys'
    ],
  );

describe('item 1: the internet-facing roles reach API-key items only', () => {
  it.each([
    ['tenant-facing API function', names.apiFunction],
    ['authorizer', names.authorizerFunction],
  ])(
    'no statement of the %s reaches an index, or an item outside APIKEY#* without LeadingKeys',
    (_, name) => {
      const statements = dynamoStatements(name);
      expect(statements.length).toBeGreaterThan(0);
      for (const statement of statements) {
        for (const resource of asArray(statement.Resource).map(render)) {
          expect(resource, statement.Sid).not.toContain('/index/');
          expect(resource, statement.Sid).not.toBe('*');
        }
        expect(leadingKeys(statement), statement.Sid).toEqual(['APIKEY#*']);
        expect(statement.Condition?.Null, statement.Sid).toEqual({ 'dynamodb:LeadingKeys': 'false' });
      }
    },
  );

  it('lets the tenant-facing function write nothing on a key item but its last use', () => {
    for (const statement of dynamoStatements(names.apiFunction)) {
      for (const action of ['PutItem', 'DeleteItem', 'TransactWriteItems', 'BatchWriteItem']) {
        expect(allows(statement, `dynamodb:${action}`), statement.Sid).toBe(false);
      }
      if (allows(statement, 'dynamodb:UpdateItem')) {
        expect(statement.Condition?.['ForAllValues:StringEquals']).toEqual({
          'dynamodb:Attributes': ['pk', 'sk', 'lastUsedAt'],
        });
      }
    }
  });

  it('gives the authorizer nothing but reading and touching key items', () => {
    const actions = dynamoStatements(names.authorizerFunction).flatMap((s) => asArray(s.Action));
    expect(actions.sort()).toEqual(['dynamodb:GetItem', 'dynamodb:UpdateItem']);
  });
});

describe('item 4: key policies and the table resource policy', () => {
  const keys = allTemplates.flatMap((template) => Object.entries(resourcesOfType(template, 'AWS::KMS::Key')));

  it.each(keys.map(([id, key]) => [id, key] as const))(
    '%s limits use to named roles or services',
    (_, key) => {
      const statements = (props(key).KeyPolicy as { Statement: PolicyStatement[] }).Statement;
      for (const statement of statements.filter((s) => s.Effect === 'Allow')) {
        const usesKey = KEY_USE_ACTIONS.filter((a) => a !== 'kms:DescribeKey').some((action) =>
          allows(statement, action.replace('*', '')),
        );
        const grants = allows(statement, 'kms:CreateGrant');
        expect(allows(statement, 'kms:*'), statement.Sid).toBe(false);
        if (!usesKey && !grants) continue;
        // Use is conditional: a service principal tied to this account, or the app's roles via a service.
        expect(statement.Condition, statement.Sid).toBeDefined();
        const principal = render((statement.Principal as { AWS?: unknown; Service?: unknown }).AWS ?? '');
        if (principal.includes(':root')) {
          const conditions = JSON.stringify(statement.Condition);
          // Through a service, or (a key the functions call themselves: webhook secrets, issue 19
          // item 8) by exact role ARNs and only with an encryption context.
          expect(conditions, statement.Sid).toMatch(/kms:ViaService|kms:EncryptionContextKeys/);
          if (usesKey) expect(conditions, statement.Sid).toContain('aws:PrincipalArn');
          if (grants && !usesKey) expect(conditions, statement.Sid).toContain('kms:GrantIsForAWSResource');
        }
      }
    },
  );

  it('keeps administration apart from use: the unconditioned account statement allows no cryptographic use', () => {
    for (const [id, key] of keys) {
      const statements = (props(key).KeyPolicy as { Statement: PolicyStatement[] }).Statement;
      // The statement that delegates to the account's IAM policies without a condition: administration.
      const admin = statements.filter(
        (s) =>
          s.Effect === 'Allow' &&
          s.Condition === undefined &&
          render((s.Principal as { AWS?: unknown }).AWS ?? '').includes(':root'),
      );
      expect(admin.length, id).toBe(1);
      for (const action of [
        'kms:Decrypt',
        'kms:Encrypt',
        'kms:GenerateDataKey',
        'kms:ReEncryptFrom',
        'kms:Sign',
      ]) {
        expect(allows(admin[0]!, action), `${id} ${action}`).toBe(false);
      }
      // A grant is use by another name: the app's keys (infra/constructs/key-policy.ts) allow none here.
      if (admin[0]!.Sid === 'AdministerThroughIam')
        expect(allows(admin[0]!, 'kms:CreateGrant'), id).toBe(false);
    }
  });

  it('denies data-plane actions on the table to all but the app roles (the break-glass role among them)', () => {
    const [table] = Object.values(resourcesOfType(templates.data, 'AWS::DynamoDB::Table'));
    const policy = (props(table!).ResourcePolicy as { PolicyDocument: { Statement: PolicyStatement[] } })
      .PolicyDocument.Statement;
    expect(policy).toHaveLength(1);
    const [deny] = policy as [PolicyStatement];
    expect(deny.Effect).toBe('Deny');
    expect(asArray(deny.Action).sort()).toEqual([...TABLE_DATA_PLANE_ACTIONS].sort());
    const exempt = asArray(deny.Condition?.ArnNotLike?.['aws:PrincipalArn']).map(render);
    expect(exempt).toEqual([`arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/${names.rolePrefix}*`]);
    expect(names.breakGlassRole.startsWith(names.rolePrefix)).toBe(true);
  });

  it('names every role of the app with the prefix the policies admit', () => {
    for (const template of allTemplates) {
      for (const [id, role] of Object.entries(resourcesOfType(template, 'AWS::IAM::Role'))) {
        const name = props(role).RoleName;
        // CDK's account-level API Gateway CloudWatch role is not an app role and touches no data.
        if (id.includes('CloudWatchRole')) continue;
        expect(typeof name === 'string' && name.startsWith(names.rolePrefix), id).toBe(true);
      }
    }
  });
});

describe('item 5: reserved concurrency', () => {
  const reserved = (name: string) => props(functionNamed(name).resource).ReservedConcurrentExecutions;

  it('sets executions aside for the hold-timer and the sweeper', () => {
    expect(reserved(names.holdTimerFunction)).toBe(CONTEXT_DEFAULTS.holdTimerConcurrency);
    expect(reserved(names.sweeperFunction)).toBe(CONTEXT_DEFAULTS.sweeperConcurrency);
  });

  it('caps the API functions and the authorizer', () => {
    expect(reserved(names.apiFunction)).toBe(CONTEXT_DEFAULTS.apiConcurrency);
    expect(reserved(names.adminApiFunction)).toBe(CONTEXT_DEFAULTS.adminApiConcurrency);
    expect(reserved(names.authorizerFunction)).toBe(CONTEXT_DEFAULTS.authorizerConcurrency);
  });

  it('alarms on throttles of each of them', () => {
    const alarms = Object.values(resourcesOfType(templates.observability, 'AWS::CloudWatch::Alarm'));
    const throttled = alarms
      .filter((a) => props(a).MetricName === 'Throttles')
      .map((a) => (props(a).Dimensions as Array<{ Value: unknown }>).map((d) => render(d.Value)).join());
    expect(throttled.length).toBe(5);
  });
});

describe('item 6: backups cannot be deleted', () => {
  const [vault] = Object.values(resourcesOfType(templates.data, 'AWS::Backup::BackupVault'));

  it('locks the vault (compliance mode after the grace period) with a minimum retention', () => {
    expect(props(vault!).LockConfiguration).toEqual({
      MinRetentionDays: 35,
      MaxRetentionDays: 400,
      ChangeableForDays: 3,
    });
  });

  it('denies deleting recovery points to everyone', () => {
    const statements = (props(vault!).AccessPolicy as { Statement: PolicyStatement[] }).Statement;
    const deny = statements.find((s) => s.Effect === 'Deny');
    expect(asArray(deny?.Action)).toContain('backup:DeleteRecoveryPoint');
  });

  it('copies every recovery point to another account when configured', () => {
    const copyVault = 'arn:aws:backup:us-east-1:111122223333:backup-vault:wso-copies';
    const data = synthesize({ context: { backupCopyVaultArn: copyVault } }).templates.data;
    const [plan] = Object.values(resourcesOfType(data, 'AWS::Backup::BackupPlan'));
    const rules = (props(plan!).BackupPlan as { BackupPlanRule: Array<{ CopyActions?: unknown[] }> })
      .BackupPlanRule;
    for (const rule of rules) {
      expect(rule.CopyActions).toEqual([expect.objectContaining({ DestinationBackupVaultArn: copyVault })]);
    }
  });
});

describe('item 7: alerting', () => {
  const alarms = Object.values(resourcesOfType(templates.observability, 'AWS::CloudWatch::Alarm'));
  const named = (suffix: string) => alarms.find((a) => String(props(a).AlarmName).endsWith(`-${suffix}`));

  it.each(['AuthorizerErrors', 'Api4xxSpike', 'WafBlocks', 'StreamIteratorAge'])('alarms on %s', (suffix) => {
    const alarm = named(suffix);
    expect(alarm, suffix).toBeDefined();
    expect(asArray(props(alarm!).AlarmActions).length).toBe(1);
  });

  it('records the table\u2019s data events and all management events (KMS use) in a validated trail', () => {
    const [trail] = Object.values(resourcesOfType(templates.data, 'AWS::CloudTrail::Trail'));
    expect(props(trail!).EnableLogFileValidation).toBe(true);
    expect(props(trail!).KMSKeyId).toBeDefined();
    const selectors = props(trail!).AdvancedEventSelectors as Array<{
      FieldSelectors: Array<{ Field: string; Equals: unknown[] }>;
    }>;
    const fields = selectors.map((s) =>
      Object.fromEntries(s.FieldSelectors.map((f) => [f.Field, f.Equals.map(render)])),
    );
    expect(fields).toContainEqual({ eventCategory: ['Management'] });
    const [tableId] = Object.keys(resourcesOfType(templates.data, 'AWS::DynamoDB::Table'));
    expect(fields).toContainEqual({
      eventCategory: ['Data'],
      'resources.type': ['AWS::DynamoDB::Table'],
      'resources.ARN': [`\${${tableId}.Arn}`],
    });
  });

  it('leaves the trail to the organization when configured so', () => {
    const data = synthesize({ context: { cloudTrail: 'organization' } }).templates.data;
    expect(Object.keys(resourcesOfType(data, 'AWS::CloudTrail::Trail'))).toEqual([]);
  });

  it('watches the web ACL by name for blocked requests', () => {
    const dimensions = props(named('WafBlocks')!).Dimensions as Array<{ Name: string; Value: unknown }>;
    expect(dimensions.find((d) => d.Name === 'WebACL')?.Value).toBe(names.webAcl);
  });
});
