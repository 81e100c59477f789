import { type Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { BUNDLE_ALIASES, BUNDLE_SETTINGS, bundleCommand } from '../bundling.ts';
import { acknowledge } from '../compliance.ts';
import type { LogLevel } from '../config.ts';
import { fromRepoRoot, LOCK_FILE, REPO_ROOT } from '../paths.ts';

export const FUNCTION_MEMORY_MB = 512;

/** Settings for functions that are invoked asynchronously (by Scheduler or an EventBridge rule). */
export interface AsyncInvokeSettings {
  readonly retryAttempts: number;
  readonly maxEventAge: Duration;
  readonly onFailure?: lambda.IDestination;
}

export interface CustodyFunctionProps {
  /** Fixed physical name (see naming.ts). */
  readonly functionName: string;
  /** Entry file relative to the repository root; it must export `handler`. */
  readonly entry: string;
  readonly description: string;
  readonly timeout: Duration;
  /** Value of POWERTOOLS_SERVICE_NAME. */
  readonly serviceName: string;
  readonly stage: string;
  readonly logLevel: LogLevel;
  readonly logRetention: logs.RetentionDays;
  /** Customer-managed key of the function's log group (person data may be logged with reads). */
  readonly logsKey: kms.IKey;
  /** Extra variables on top of STAGE, LOG_LEVEL, POWERTOOLS_SERVICE_NAME and NODE_OPTIONS. */
  readonly environment: Readonly<Record<string, string>>;
  readonly asyncInvoke?: AsyncInvokeSettings;
  /**
   * Concurrency of the function (issue 19): `reserved` sets aside (and caps) that many executions;
   * `unreserved` runs from the account's shared pool, with the reason recorded for cdk-nag.
   */
  readonly concurrency: { readonly reserved: number } | { readonly unreserved: string };
  /**
   * AWS_USE_FIPS_ENDPOINT for every SDK client of the function (CJIS 5.10): DynamoDB, STS, SQS,
   * Scheduler and API Gateway all have FIPS endpoints in the US Regions and GovCloud (docs/DEPLOY.md).
   */
  readonly fipsEndpoints: boolean;
  /**
   * Files copied into the deployment package after bundling (esbuild afterBundling hook): `from`
   * relative to the repository root, `to` relative to the bundle directory (where index.mjs is).
   */
  readonly bundledFiles?: readonly BundledFile[];
}

export interface BundledFile {
  readonly from: string;
  readonly to: string;
}

/**
 * Shell commands of the afterBundling hook: one `mkdir -p` per target folder, one `cp` per file.
 * Paths are quoted; a source that does not exist fails the bundling step (and so `cdk synth`).
 */
export function copyCommands(files: readonly BundledFile[], inputDir: string, outputDir: string): string[] {
  const quote = (path: string): string => `'${path.replaceAll("'", "'\\''")}'`;
  const folders = [...new Set(files.map((file) => posixDirname(file.to)).filter((dir) => dir !== '.'))];
  return [
    ...folders.map((dir) => `mkdir -p ${quote(`${outputDir}/${dir}`)}`),
    ...files.map((file) => `cp ${quote(`${inputDir}/${file.from}`)} ${quote(`${outputDir}/${file.to}`)}`),
  ];
}

function posixDirname(path: string): string {
  const index = path.lastIndexOf('/');
  return index <= 0 ? '.' : path.slice(0, index);
}

/**
 * One Lambda function of the platform with the house defaults: nodejs24.x on arm64, bundled locally
 * by the repository's esbuild as minified ESM with the AWS SDK inside (no layers: a layer adds init
 * time), X-Ray tracing, its own encrypted log group kept at least a year, and its own role that
 * starts with nothing but permission to write to that log group.
 */
export class CustodyFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  /** Files the afterBundling hook copies into the package (empty: no hook). */
  readonly bundledFiles: readonly BundledFile[];

  constructor(scope: Construct, id: string, props: CustodyFunctionProps) {
    super(scope, id);
    this.bundledFiles = props.bundledFiles ?? [];

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      // The name Lambda would pick by itself, so tools that assume it keep working.
      logGroupName: `/aws/lambda/${props.functionName}`,
      retention: props.logRetention,
      encryptionKey: props.logsKey,
      // Logs are part of the audit record (reads of person data): never deleted with the stack.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // A dedicated role instead of the default one, which would carry the AWS managed
    // AWSLambdaBasicExecutionRole policy (create and write any log group of the account).
    this.role = new iam.Role(this, 'Role', {
      // Named after the function: key policies and the table's resource policy name the app's roles
      // by this prefix (infra/constructs/key-policy.ts), so no policy needs a reference to them.
      roleName: props.functionName,
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${props.functionName}`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      functionName: props.functionName,
      description: props.description,
      entry: fromRepoRoot(props.entry),
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: LOCK_FILE,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: FUNCTION_MEMORY_MB,
      timeout: props.timeout,
      tracing: lambda.Tracing.ACTIVE,
      role: this.role,
      ...('reserved' in props.concurrency
        ? { reservedConcurrentExecutions: props.concurrency.reserved }
        : {}),
      logGroup: this.logGroup,
      environment: {
        STAGE: props.stage,
        LOG_LEVEL: props.logLevel,
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        // Stack traces point into the TypeScript sources instead of the minified bundle.
        NODE_OPTIONS: '--enable-source-maps',
        ...(props.fipsEndpoints ? { AWS_USE_FIPS_ENDPOINT: 'true' } : {}),
        ...props.environment,
      },
      bundling: {
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        target: BUNDLE_SETTINGS.target,
        minify: BUNDLE_SETTINGS.minify,
        sourceMap: BUNDLE_SETTINGS.sourceMap,
        sourcesContent: BUNDLE_SETTINGS.sourcesContent,
        mainFields: [...BUNDLE_SETTINGS.mainFields],
        banner: BUNDLE_SETTINGS.banner,
        // Run with the project root as working directory, where the alias paths are rooted.
        esbuildArgs: {
          '--alias': Object.entries(BUNDLE_ALIASES).map(
            ([module, replacement]) => `${module}=${replacement}`,
          ),
        },
        // Bundle the SDK clients: a pinned, tree-shaken SDK instead of whatever the runtime ships.
        bundleAwsSDK: true,
        externalModules: [],
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          // The split build of infra/bundling.ts replaces NodejsFunction's single file (esbuild
          // refuses --splitting with the --outfile NodejsFunction passes); then the copied files.
          afterBundling: (inputDir: string, outputDir: string) => [
            bundleCommand(props.entry, outputDir),
            ...copyCommands(this.bundledFiles, inputDir, outputDir),
          ],
        },
      },
      ...(props.asyncInvoke === undefined
        ? {}
        : {
            retryAttempts: props.asyncInvoke.retryAttempts,
            maxEventAge: props.asyncInvoke.maxEventAge,
            ...(props.asyncInvoke.onFailure === undefined ? {} : { onFailure: props.asyncInvoke.onFailure }),
          }),
    });

    this.acknowledgeHouseDefaults();
    if ('unreserved' in props.concurrency) {
      acknowledge(this.function, 'NIST.800.53.R5-LambdaConcurrency', props.concurrency.unreserved);
    }
  }

  /** Findings that follow from choices shared by every function of the platform. */
  private acknowledgeHouseDefaults(): void {
    acknowledge(
      this.role,
      'AwsSolutions-IAM5',
      'X-Ray PutTraceSegments and PutTelemetryRecords do not support resource-level permissions, ' +
        'so active tracing can only be granted on "*".',
      ['Resource::*'],
    );
    acknowledge(
      this.role,
      'AwsSolutions-IAM5',
      'CDK KMS grants (grantEncryptDecrypt, SQS send) on one specific key ARN: the action wildcards ' +
        'only cover the GenerateDataKey and ReEncrypt variants that DynamoDB and SQS server-side ' +
        "encryption use on the caller's behalf; the resource is never a wildcard.",
      ['Action::kms:GenerateDataKey*', 'Action::kms:ReEncrypt*'],
    );
    acknowledge(
      this.role,
      'NIST.800.53.R5-IAMNoInlinePolicy',
      'The inline policy is generated from CDK grants and belongs to exactly one role of exactly one ' +
        'function: it lives and dies with that role, and nothing else can attach it, which is the ' +
        'opposite of the reuse risk this rule targets.',
    );
    acknowledge(
      this.function,
      'NIST.800.53.R5-LambdaInsideVPC',
      'The function reaches only AWS APIs (DynamoDB, EventBridge Scheduler, KMS, X-Ray) over TLS with ' +
        'IAM authentication and has no private resources to reach; a VPC would add NAT or endpoint ' +
        'cost and cold-start time against the init budget without narrowing any data path.',
    );
  }
}
