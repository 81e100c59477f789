import { ArnFormat, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';

/**
 * Requests per client IP in a five-minute window before WAF blocks it. Fairness between vendors is
 * the usage plan's job (per key); this only stops floods. A vendor serving many counties from one
 * NAT address must stay far below it: 10,000 per 5 minutes is about 33 requests a second.
 */
export const RATE_LIMIT_PER_IP_5_MIN = 10_000;
/**
 * Requests without an Authorization header per client IP in five minutes (issue 19 item 8): only
 * the health check, the OpenAPI document and the dashboard's static files answer them, so a
 * client sending more is scanning. WAF's smallest rate limit is 10.
 */
export const UNAUTHENTICATED_RATE_LIMIT_PER_IP_5_MIN = 300;

export interface ApiFirewallProps {
  readonly webAclName: string;
  readonly logGroupName: string;
  readonly logRetention: logs.RetentionDays;
  readonly logsKey: kms.IKey;
  /** ARN of the API Gateway stage to protect. */
  readonly stageArn: string;
}

/**
 * Regional WAFv2 web ACL in front of the REST API stage: AWS managed rule groups (common, known
 * bad inputs, IP reputation) plus a per-IP rate limit, with logs that never contain API keys.
 */
export class ApiFirewall extends Construct {
  readonly webAcl: wafv2.CfnWebACL;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ApiFirewallProps) {
    super(scope, id);

    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      name: props.webAclName,
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility(props.webAclName),
      // The API accepts bodies up to 64 KiB (API.md); let WAF see all of it instead of the first 16 KB.
      associationConfig: { requestBody: { API_GATEWAY: { defaultSizeInspectionLimit: 'KB_64' } } },
      rules: [
        managedRuleGroup('AWSManagedRulesAmazonIpReputationList', 0),
        // Anonymizing proxies, VPNs and hosting providers: a jail system or county tool calls from its
        // own network. HostingProviderIPList is count-only: vendors legitimately run in the cloud.
        managedRuleGroup('AWSManagedRulesAnonymousIpList', 1, ['HostingProviderIPList']),
        managedRuleGroup('AWSManagedRulesKnownBadInputsRuleSet', 2),
        // SizeRestrictions_BODY blocks bodies over 8 KB, below the contract's 64 KiB: count only;
        // the API itself answers oversized bodies with 400 problem+json.
        managedRuleGroup('AWSManagedRulesCommonRuleSet', 3, ['SizeRestrictions_BODY']),
        {
          name: 'RateLimitUnauthenticatedPerIp',
          priority: 4,
          action: { block: {} },
          statement: {
            rateBasedStatement: {
              limit: UNAUTHENTICATED_RATE_LIMIT_PER_IP_5_MIN,
              evaluationWindowSec: 300,
              aggregateKeyType: 'IP',
              // Counts only requests that carry no credential at all.
              scopeDownStatement: {
                notStatement: {
                  statement: {
                    sizeConstraintStatement: {
                      fieldToMatch: { singleHeader: { Name: 'authorization' } },
                      comparisonOperator: 'GT',
                      size: 0,
                      textTransformations: [{ priority: 0, type: 'NONE' }],
                    },
                  },
                },
              },
            },
          },
          visibilityConfig: visibility('RateLimitUnauthenticatedPerIp'),
        },
        {
          name: 'RateLimitPerIp',
          priority: 5,
          action: { block: {} },
          statement: {
            rateBasedStatement: {
              limit: RATE_LIMIT_PER_IP_5_MIN,
              evaluationWindowSec: 300,
              aggregateKeyType: 'IP',
            },
          },
          visibilityConfig: visibility('RateLimitPerIp'),
        },
      ],
    });

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      logGroupName: props.logGroupName,
      retention: props.logRetention,
      encryptionKey: props.logsKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    new wafv2.CfnLoggingConfiguration(this, 'Logging', {
      resourceArn: this.webAcl.attrArn,
      // WAF wants the log group ARN without the ":*" suffix that the Arn attribute carries.
      logDestinationConfigs: [
        Stack.of(this).formatArn({
          service: 'logs',
          resource: 'log-group',
          resourceName: this.logGroup.logGroupName,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
      // Bearer API keys must never reach a log.
      redactedFields: [{ singleHeader: { Name: 'authorization' } }],
    });

    new wafv2.CfnWebACLAssociation(this, 'StageAssociation', {
      resourceArn: props.stageArn,
      webAclArn: this.webAcl.attrArn,
    });
  }
}

function visibility(metricName: string): wafv2.CfnWebACL.VisibilityConfigProperty {
  return { cloudWatchMetricsEnabled: true, metricName, sampledRequestsEnabled: true };
}

function managedRuleGroup(
  name: string,
  priority: number,
  countOnlyRules: readonly string[] = [],
): wafv2.CfnWebACL.RuleProperty {
  return {
    name,
    priority,
    overrideAction: { none: {} },
    statement: {
      managedRuleGroupStatement: {
        vendorName: 'AWS',
        name,
        ...(countOnlyRules.length === 0
          ? {}
          : {
              ruleActionOverrides: countOnlyRules.map((rule) => ({ name: rule, actionToUse: { count: {} } })),
            }),
      },
    },
    visibilityConfig: visibility(name),
  };
}
