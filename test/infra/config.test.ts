import { App } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { compliancePacks } from '../../infra/compliance.ts';
import { readConfig, retentionAtLeastOneYear } from '../../infra/config.ts';
import { GLOBAL_INDEXES } from '../../shared/store/table-definition.ts';
import { cdkJsonContext, synthesize } from './support/synth.ts';
import { onlyResource, props, resourcesOfType } from './support/template-helpers.ts';

function configFrom(context: Record<string, unknown>) {
  return readConfig(new App({ context }).node);
}

describe('context', () => {
  it('defaults to stage dev, WAF on, 400-day logs, API Gateway keys required at 50/100 rps, no quota, no alarm e-mail', () => {
    expect(configFrom({})).toEqual({
      stage: 'dev',
      wafEnabled: true,
      logRetention: RetentionDays.THIRTEEN_MONTHS,
      logLevel: 'INFO',
      apiKeyRequired: true,
      perKeyThrottle: { rateLimit: 50, burstLimit: 100 },
      apiSecurityPolicy: 'SecurityPolicy_TLS13_1_2_FIPS_PFS_PQ_2025_09',
      fipsEndpoints: true,
      concurrency: { holdTimer: 100, sweeper: 2, api: 200, adminApi: 20, authorizer: 100 },
      cloudTrail: 'stack',
      deferIndexes: [],
    });
  });

  it('defers only indexes the table has (CloudFormation adds one index per table update)', () => {
    expect(configFrom({ deferIndexes: 'personDataLifecycle' }).deferIndexes).toEqual(['personDataLifecycle']);
    expect(() => configFrom({ deferIndexes: 'personDataLifecycle, noSuchIndex' })).toThrow(
      /deferIndexes.*noSuchIndex/,
    );
  });

  it('leaves a deferred index out of the table, and only that one', () => {
    const { templates } = synthesize({ context: { deferIndexes: 'personDataLifecycle' } });
    const [, table] = onlyResource(templates.data, 'AWS::DynamoDB::Table');
    const names = (props(table).GlobalSecondaryIndexes as { IndexName: string }[]).map((i) => i.IndexName);
    expect(names).toEqual(
      GLOBAL_INDEXES.map((index) => index.indexName).filter((name) => name !== 'personDataLifecycle'),
    );
  });

  it('requires an alarm e-mail outside dev (issue 19 item 7)', () => {
    expect(() => configFrom({ stage: 'prod' })).toThrow(/alarmEmail.*required/);
    expect(configFrom({ stage: 'prod', alarmEmail: 'oncall@example.gov' }).alarmEmail).toBe(
      'oncall@example.gov',
    );
  });

  it('refuses a TLS policy that accepts TLS 1.0 (issue 19 item 2)', () => {
    expect(() => configFrom({ apiSecurityPolicy: 'TLS_1_0' })).toThrow(/apiSecurityPolicy/);
    expect(configFrom({ apiSecurityPolicy: 'TLS_1_2' }).apiSecurityPolicy).toBe('TLS_1_2');
    expect(configFrom({ apiSecurityPolicy: 'SecurityPolicy_TLS13_1_2_2021_06' }).apiSecurityPolicy).toBe(
      'SecurityPolicy_TLS13_1_2_2021_06',
    );
  });

  it('reads the per-key throttle and daily quota of the usage plan', () => {
    expect(
      configFrom({
        perKeyRateLimit: '10',
        perKeyBurstLimit: 20,
        perKeyDailyQuota: '50000',
        apiKeyRequired: 'false',
      }),
    ).toMatchObject({
      apiKeyRequired: false,
      perKeyThrottle: { rateLimit: 10, burstLimit: 20 },
      perKeyDailyQuota: 50_000,
    });
    expect(() => configFrom({ perKeyRateLimit: '0' })).toThrow(/perKeyRateLimit/);
    expect(() => configFrom({ perKeyBurstLimit: 'lots' })).toThrow(/perKeyBurstLimit/);
    expect(() => configFrom({ perKeyDailyQuota: -1 })).toThrow(/perKeyDailyQuota/);
  });

  it('has the same defaults in cdk.json', () => {
    const context = cdkJsonContext();
    expect(configFrom(context)).toEqual(configFrom({}));
    expect(context).not.toHaveProperty('alarmEmail');
  });

  it('accepts the string forms the command line passes (-c wafEnabled=false)', () => {
    expect(
      configFrom({
        stage: 'prod',
        wafEnabled: 'false',
        logRetentionDays: '731',
        alarmEmail: 'ops@example.gov',
      }),
    ).toMatchObject({
      stage: 'prod',
      wafEnabled: false,
      logRetention: RetentionDays.TWO_YEARS,
      alarmEmail: 'ops@example.gov',
    });
  });

  it('rejects values that would produce invalid names or silently wrong settings', () => {
    expect(() => configFrom({ stage: 'Prod_1' })).toThrow(/stage/);
    expect(() => configFrom({ wafEnabled: 'no' })).toThrow(/wafEnabled/);
    expect(() => configFrom({ logRetentionDays: 'a year' })).toThrow(/logRetentionDays/);
    expect(() => configFrom({ alarmEmail: 'ops' })).toThrow(/alarmEmail/);
    expect(() => configFrom({ logLevel: 'chatty' })).toThrow(/logLevel/);
  });
});

describe('log retention', () => {
  it.each([
    [1, RetentionDays.ONE_YEAR],
    [365, RetentionDays.ONE_YEAR],
    [366, RetentionDays.THIRTEEN_MONTHS],
    [400, RetentionDays.THIRTEEN_MONTHS],
    [401, RetentionDays.EIGHTEEN_MONTHS],
    [3653, RetentionDays.TEN_YEARS],
    [4000, RetentionDays.INFINITE],
  ])('%i days becomes %i: the nearest CloudWatch value, never under a year', (asked, expected) => {
    expect(retentionAtLeastOneYear(asked)).toBe(expected);
  });
});

describe('a production-like variant (stage prod, WAF off, alarm e-mail, 2-year logs)', () => {
  const wso = synthesize({
    context: { stage: 'prod', wafEnabled: 'false', alarmEmail: 'ops@example.gov', logRetentionDays: 700 },
  });

  it('names everything after the stage', () => {
    expect(wso.data.stackName).toBe('wso-custody-prod-data');
    wso.templates.data.hasResourceProperties('AWS::DynamoDB::Table', { TableName: 'wso-custody-prod' });
    wso.templates.timers.hasResourceProperties('AWS::Scheduler::ScheduleGroup', {
      Name: 'wso-custody-prod-holds',
    });
  });

  it('has no WAF resources when wafEnabled is false', () => {
    for (const type of [
      'AWS::WAFv2::WebACL',
      'AWS::WAFv2::WebACLAssociation',
      'AWS::WAFv2::LoggingConfiguration',
    ]) {
      wso.templates.api.resourceCountIs(type, 0);
    }
  });

  it('subscribes the alarm e-mail to the alarm topic', () => {
    wso.templates.observability.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.gov',
    });
  });

  it('rounds the retention up to the next CloudWatch value', () => {
    const groups = wso.allTemplates.flatMap((t) => Object.values(resourcesOfType(t, 'AWS::Logs::LogGroup')));
    for (const group of groups) expect(props(group).RetentionInDays).toBe(RetentionDays.TWO_YEARS);
  });

  it('is still cdk-nag clean (the WAF findings are acknowledged only when WAF is off)', () => {
    const violations = compliancePacks().flatMap((pack) => pack.validateScope(wso.app).violations);
    expect(violations.map((v) => v.ruleName)).toEqual([]);
  });
});
