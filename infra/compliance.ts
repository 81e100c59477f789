import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/**
 * cdk-nag 3 runs as a CDK policy-validation plugin: `cdk synth` fails on any finding that is not
 * acknowledged. Acknowledgements are recorded on the construct with `Validations.of(...)`.
 */
export function compliancePacks(): [AwsSolutionsChecks, NIST80053R5Checks] {
  return [
    new AwsSolutionsChecks(undefined, { verbose: true }),
    new NIST80053R5Checks(undefined, { verbose: true }),
  ];
}

export function applyCompliancePacks(app: App): void {
  Validations.of(app).addPlugins(...compliancePacks());
}

/**
 * Acknowledges a cdk-nag rule on a construct and everything below it, with the reason recorded.
 * `findings` narrows a multi-finding rule (e.g. AwsSolutions-IAM5) to the listed wildcards, so a new
 * wildcard added later still fails the build.
 */
export function acknowledge(
  scope: IConstruct,
  ruleId: string,
  reason: string,
  findings?: readonly string[],
): void {
  const ids = findings === undefined ? [ruleId] : findings.map((finding) => `${ruleId}[${finding}]`);
  for (const id of ids) Validations.of(scope).acknowledge({ id, reason });
}
