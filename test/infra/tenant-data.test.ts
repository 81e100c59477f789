import { describe, expect, it } from 'vitest';
import { DENIED_TABLE_ACTIONS } from '../../infra/constructs/table-access.ts';
import {
  TENANT_DATA_ACTIONS,
  TENANT_LEADING_KEY,
  TENANT_SESSION_TAG,
} from '../../infra/constructs/tenant-data-role.ts';
import { tenantPk } from '../../shared/store/keys.ts';
import { synthesize } from './support/synth.ts';
import {
  asArray,
  type CfnResource,
  type PolicyStatement,
  props,
  render,
  resourcesOfType,
  statementsOfRole,
} from './support/template-helpers.ts';

const { templates, names } = synthesize();
const api = templates.api;

const [roleId, role] = Object.entries(resourcesOfType(api, 'AWS::IAM::Role')).find(
  ([, r]) => props(r).RoleName === names.tenantDataRole,
) as [string, CfnResource];
const [, apiFunction] = Object.entries(resourcesOfType(api, 'AWS::Lambda::Function')).find(
  ([, r]) => props(r).FunctionName === names.apiFunction,
) as [string, CfnResource];
const apiRoleId = render(props(apiFunction).Role).replace(/^\$\{(.+)\.Arn\}$/, '$1');
const [, adminFunction] = Object.entries(resourcesOfType(api, 'AWS::Lambda::Function')).find(
  ([, r]) => props(r).FunctionName === names.adminApiFunction,
) as [string, CfnResource];
const adminRoleId = render(props(adminFunction).Role).replace(/^\$\{(.+)\.Arn\}$/, '$1');
const trustedRoleArns = [`\${${adminRoleId}.Arn}`, `\${${apiRoleId}.Arn}`].sort();
const trust = (props(role).AssumeRolePolicyDocument as { Statement: PolicyStatement[] }).Statement;
const permissions = statementsOfRole(api, roleId);

describe('TenantDataRole (dynamodb:LeadingKeys, DESIGN.md §9)', () => {
  it('uses the tenant partition key layout of the table', () => {
    expect(TENANT_LEADING_KEY).toBe(tenantPk(`\${aws:PrincipalTag/${TENANT_SESSION_TAG}}`));
  });

  it('is trusted by the API and admin API function roles only, for AssumeRole and TagSession, with a tenant tag', () => {
    expect(trust.flatMap((s) => asArray(s.Action)).sort()).toEqual(['sts:AssumeRole', 'sts:TagSession']);
    for (const statement of trust) {
      expect(statement.Effect).toBe('Allow');
      expect(
        asArray((statement.Principal as { AWS: unknown }).AWS)
          .map(render)
          .sort(),
      ).toEqual(trustedRoleArns);
      expect(statement.Condition).toEqual({
        StringLike: { 'aws:RequestTag/tenant': '?*' },
        'ForAllValues:StringEquals': { 'aws:TagKeys': ['tenant'] },
      });
    }
  });

  it('allows item actions on the base table only for keys TENANT#<session tag>, never without a key', () => {
    const allows = permissions.filter(
      (s) => s.Effect === 'Allow' && asArray(s.Action).some((a) => a.startsWith('dynamodb:')),
    );
    expect(allows).toHaveLength(2);
    const statement = allows.find((s) => s.Sid === 'OneTenantsItemsOnly') as PolicyStatement;
    expect(asArray(statement.Action).sort()).toEqual(TENANT_DATA_ACTIONS.map((a) => `dynamodb:${a}`).sort());
    expect(asArray(statement.Resource).map(render)).toEqual([expect.stringMatching(/Table.*Arn/)]);
    expect(asArray(statement.Resource).map(render)[0]).not.toContain('/index/');
    expect(statement.Condition).toEqual({
      // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, written out literally
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['TENANT#${aws:PrincipalTag/tenant}'] },
      Null: { 'dynamodb:LeadingKeys': 'false' },
    });
  });

  it('reads (never writes) API-key items, in the same request as the tenant items (issue 19)', () => {
    const statement = permissions.find((s) => s.Sid === 'ReadKeyItemsWithTenantItems') as PolicyStatement;
    expect(asArray(statement.Action).sort()).toEqual(
      ['dynamodb:BatchGetItem', 'dynamodb:ConditionCheckItem', 'dynamodb:GetItem'].sort(),
    );
    expect(asArray(statement.Resource).map(render)[0]).not.toContain('/index/');
    expect(statement.Condition).toEqual({
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [TENANT_LEADING_KEY, 'APIKEY#*'] },
      Null: { 'dynamodb:LeadingKeys': 'false' },
    });
  });

  it('denies Scan and PartiQL SELECT outright', () => {
    const deny = permissions.find((s) => s.Sid === 'NeverScan');
    expect(deny?.Effect).toBe('Deny');
    expect(asArray(deny?.Action).sort()).toEqual([...DENIED_TABLE_ACTIONS].sort());
  });

  it('may use the table key (the table is encrypted with it)', () => {
    const kms = permissions.filter((s) => asArray(s.Action).includes('kms:Decrypt'));
    expect(kms.flatMap((s) => asArray(s.Resource).map(render))).toEqual([expect.stringMatching(/DataKey/)]);
  });

  it('lets the API function assume and tag that role, and names it in TENANT_DATA_ROLE_ARN', () => {
    const assume = statementsOfRole(api, apiRoleId).find((s) => s.Sid === 'AssumeTenantDataRole');
    expect(asArray(assume?.Action).sort()).toEqual(['sts:AssumeRole', 'sts:TagSession']);
    expect(asArray(assume?.Resource).map(render)).toEqual([`\${${roleId}.Arn}`]);
    const variables = (props(apiFunction).Environment as { Variables: Record<string, unknown> }).Variables;
    expect(render(variables.TENANT_DATA_ROLE_ARN)).toBe(`\${${roleId}.Arn}`);
  });

  it('is assumable by no other principal in the app', () => {
    for (const template of Object.values(templates)) {
      for (const [id, r] of Object.entries(resourcesOfType(template, 'AWS::IAM::Policy'))) {
        const statements = (props(r).PolicyDocument as { Statement: PolicyStatement[] }).Statement;
        const assumes = statements.some(
          (s) =>
            asArray(s.Action).includes('sts:AssumeRole') &&
            asArray(s.Resource).map(render).includes(`\${${roleId}.Arn}`),
        );
        if (assumes) {
          expect([`\${${apiRoleId}}`, `\${${adminRoleId}}`], id).toContain(
            asArray(props(r).Roles as unknown[])
              .map(render)
              .join(),
          );
        }
      }
    }
  });
});
