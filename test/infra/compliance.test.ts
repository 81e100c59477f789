import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { compliancePacks } from '../../infra/compliance.ts';
import { createTestApp } from './support/synth.ts';

/**
 * cdk-nag 3 is a CDK policy-validation plugin: it no longer writes annotations, it fails synthesis
 * and writes validation-report.json. So the app is synthesized here exactly as `cdk synth` does it
 * (nag plugins and CDK's built-in CloudFormation validation on), and the packs are also run
 * directly for a readable list of findings.
 */
const wso = createTestApp({ compliance: true, cloudFormationValidation: true });
let synthesisError: unknown;
let assembly: CloudAssembly | undefined;
try {
  assembly = wso.app.synth();
} catch (error) {
  synthesisError = error;
}

function findings(root: IConstruct): string[] {
  return compliancePacks().flatMap((pack) =>
    pack
      .validateScope(root)
      .violations.flatMap((violation) =>
        violation.violatingResources.map(
          (r) => `${violation.severity} ${violation.ruleName} at ${r.constructPath}`,
        ),
      ),
  );
}

describe('cdk-nag (AwsSolutions and NIST 800-53 rev 5)', () => {
  it('reports no unacknowledged finding, error or warning', () => {
    expect(findings(wso.app)).toEqual([]);
  });

  it('lets the app synthesize with both packs registered as validation plugins', () => {
    expect(synthesisError).toBeUndefined();
  });

  // The equivalent of Annotations.fromStack(stack).findError('*', ...) for every stack, read from the
  // assembly already synthesized above (Annotations.fromStack would synthesize the app again).
  it('leaves no error annotation on any stack', () => {
    const errors = (assembly?.stacks ?? [])
      .flatMap((stack) => stack.messages)
      .filter((message) => message.level === 'error')
      .map((message) => `${message.id}: ${String(message.entry.data)}`);
    expect(assembly?.stacks).toHaveLength(5);
    expect(errors).toEqual([]);
  });

  it('builds environment-agnostic stacks with partition-aware ARNs only (works in aws-us-gov)', () => {
    for (const stack of assembly?.stacks ?? []) {
      expect(stack.environment.account, stack.stackName).toBe('unknown-account');
      expect(stack.environment.region, stack.stackName).toBe('unknown-region');
      expect(JSON.stringify(stack.template), stack.stackName).not.toMatch(/arn:aws[:-]/);
    }
  });

  it('gives every acknowledgement a reason of substance', () => {
    const reasons: string[] = [];
    const visit = (construct: IConstruct): void => {
      for (const entry of construct.node.metadata) {
        if (entry.type === 'aws:cdk:acknowledged-rules') reasons.push(...Object.values(entry.data as object));
      }
      for (const child of construct.node.children) visit(child);
    };
    visit(wso.app);
    expect(reasons.length).toBeGreaterThan(10);
    for (const reason of reasons) expect(reason.length).toBeGreaterThan(60);
  });
});
