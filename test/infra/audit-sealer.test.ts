import { describe, expect, it } from 'vitest';
import { CHECKPOINT_RETENTION_DAYS } from '../../infra/constructs/audit-sealer.ts';
import { synthesize } from './support/synth.ts';
import {
  allows,
  asArray,
  identityStatements,
  onlyResource,
  type PolicyStatement,
  props,
  render,
  resourcesOfType,
  statementsOfRole,
} from './support/template-helpers.ts';

/** Issue 14: the signing key, the Object Lock archive and the sealer's permissions, as synthesized. */
const { templates } = synthesize();
const events = templates.events;

const keys = Object.entries(resourcesOfType(events, 'AWS::KMS::Key')).filter(
  ([, key]) => props(key).KeyUsage === 'SIGN_VERIFY',
);
const [signingKeyId, signingKey] = keys[0] ?? ['', { Type: '', Properties: {} }];
const keyPolicy = props(signingKey).KeyPolicy as { Statement: PolicyStatement[] };
const sealerFunction = Object.entries(resourcesOfType(events, 'AWS::Lambda::Function')).find(([, fn]) =>
  String(props(fn).FunctionName).endsWith('-sealer'),
);
const sealerRoleId = render(props(sealerFunction?.[1] ?? { Type: '', Properties: {} }).Role).replace(
  /^\$\{(.*)\.Arn\}$/,
  '$1',
);

describe('the checkpoint signing key', () => {
  it('is one asymmetric ECC_NIST_P256 key for SIGN_VERIFY', () => {
    expect(keys).toHaveLength(1);
    expect(props(signingKey)).toMatchObject({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
  });

  it('lets only the sealer role sign: the account administers it but cannot sign; everyone else is denied', () => {
    const signers = keyPolicy.Statement.filter((statement) => allows(statement, 'kms:Sign'));
    expect(signers).toHaveLength(1);
    expect(render(signers[0]?.Principal)).toContain(sealerRoleId);
    const admin = keyPolicy.Statement.find((statement) => render(statement.Principal).includes(':root'));
    expect(admin && allows(admin, 'kms:Sign')).toBe(false);
    expect(admin && allows(admin, 'kms:ScheduleKeyDeletion')).toBe(true);
    const deny = keyPolicy.Statement.find((statement) => statement.Effect === 'Deny');
    expect(asArray(deny?.Action)).toEqual(['kms:Sign']);
    expect(render(deny?.Condition)).toContain(sealerRoleId);
  });

  it('is not signable by any other identity policy of the app', () => {
    const granted = Object.values(templates)
      .flatMap((template) => identityStatements(template))
      .filter(({ statement }) => allows(statement, 'kms:Sign'));
    // The one identity policy that names kms:Sign is the sealer role's own.
    expect(granted.map(({ logicalId }) => logicalId)).toEqual([
      expect.stringMatching(/^AuditSealerRoleDefaultPolicy/),
    ]);
  });

  it('is named in a stack output (aws kms get-public-key gives the key to pin)', () => {
    const outputs = events.toJSON().Outputs as Record<string, { Value: unknown }>;
    const output = Object.entries(outputs).find(([name]) => name.includes('AuditPublicKey'));
    expect(render(output?.[1].Value)).toContain(`${signingKeyId}.Arn`);
    expect(signingKeyId).not.toBe('');
  });
});

describe('the checkpoint archive', () => {
  it('is an S3 bucket with Object Lock in compliance mode for at least a year, private and retained', () => {
    const [, bucket] = onlyResource(events, 'AWS::S3::Bucket');
    expect(props(bucket)).toMatchObject({
      ObjectLockEnabled: true,
      ObjectLockConfiguration: {
        ObjectLockEnabled: 'Enabled',
        Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: CHECKPOINT_RETENTION_DAYS } },
      },
      VersioningConfiguration: { Status: 'Enabled' },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
    });
    expect(CHECKPOINT_RETENTION_DAYS).toBeGreaterThanOrEqual(365);
    expect(bucket.DeletionPolicy).toBe('Retain');
  });
});

describe('the sealer function', () => {
  const statements = statementsOfRole(events, sealerRoleId);
  const can = (action: string) => statements.some((statement) => allows(statement, action));

  it('signs, writes and reads checkpoints, and can neither delete them nor bypass the lock', () => {
    expect(can('kms:Sign')).toBe(true);
    expect(can('s3:PutObject')).toBe(true);
    for (const action of [
      's3:DeleteObject',
      's3:DeleteObjectVersion',
      's3:BypassGovernanceRetention',
      's3:PutObjectRetention',
      's3:PutBucketObjectLockConfiguration',
      'kms:ScheduleKeyDeletion',
    ]) {
      expect(can(action), action).toBe(false);
    }
    expect(can('dynamodb:PutItem')).toBe(true);
    expect(can('dynamodb:TransactWriteItems')).toBe(false);
    expect(can('dynamodb:DeleteItem')).toBe(false);
  });

  it('is fed by the table stream, inserted audit events only', () => {
    const mapping = Object.values(resourcesOfType(events, 'AWS::Lambda::EventSourceMapping')).find((m) =>
      render(props(m).FunctionName).includes(sealerFunction?.[0] ?? '?'),
    );
    expect(mapping).toBeDefined();
    const pattern = render(props(mapping ?? { Type: '', Properties: {} }).FilterCriteria);
    expect(pattern).toContain('INSERT');
    expect(pattern).toContain('AuditEvent');
    expect(pattern).toContain('HoldEvent');
  });

  it('is watched: sealer errors, and events waiting more than 5 minutes for a checkpoint, alarm', () => {
    const alarms = Object.values(resourcesOfType(templates.observability, 'AWS::CloudWatch::Alarm')).map(
      (alarm) => props(alarm),
    );
    const lag = alarms.find(
      (alarm) =>
        alarm.MetricName === 'IteratorAge' && render(alarm.Dimensions).includes('AuditSealerFunction'),
    );
    expect(lag).toMatchObject({ Threshold: 300_000, ComparisonOperator: 'GreaterThanThreshold' });
    const errors = alarms.find(
      (alarm) => alarm.MetricName === 'Errors' && render(alarm.Dimensions).includes('AuditSealerFunction'),
    );
    expect(errors).toMatchObject({ Threshold: 0 });
    expect(asArray(errors?.AlarmActions as unknown[]).length).toBeGreaterThan(0);
  });
});
