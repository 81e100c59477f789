import { Aws, CfnRule, Fn, type Stack } from 'aws-cdk-lib';

/**
 * Regions where every service the functions call (DynamoDB, STS, SQS, EventBridge Scheduler, API
 * Gateway) has a FIPS endpoint (docs/DEPLOY.md lists the sources): the four US commercial Regions
 * (Scheduler has FIPS endpoints there only) and AWS GovCloud (US), where endpoints are FIPS.
 */
export const FIPS_REGIONS = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'us-gov-west-1',
  'us-gov-east-1',
] as const;

/**
 * With AWS_USE_FIPS_ENDPOINT on, the SDK asks for `<service>-fips.<region>` in any Region; where no
 * such host exists every call would fail at run time. This CloudFormation rule refuses the
 * deployment up front instead (set the fipsEndpoints context to false to deploy elsewhere).
 */
export function requireFipsRegion(stack: Stack): CfnRule {
  return new CfnRule(stack, 'FipsEndpointsInThisRegion', {
    assertions: [
      {
        assert: Fn.conditionContains([...FIPS_REGIONS], Aws.REGION),
        assertDescription: `fipsEndpoints=true needs a Region where every service has a FIPS endpoint: ${FIPS_REGIONS.join(', ')}`,
      },
    ],
  });
}
