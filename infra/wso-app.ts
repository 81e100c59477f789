import { App, type AppProps } from 'aws-cdk-lib';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { applyCompliancePacks } from './compliance.ts';
import { type AppConfig, readConfig } from './config.ts';
import { requireFipsRegion } from './constructs/fips-region.ts';
import { type ResourceNames, resourceNames } from './naming.ts';
import { ApiStack } from './stacks/api-stack.ts';
import { DataStack } from './stacks/data-stack.ts';
import { EventsStack } from './stacks/events-stack.ts';
import { ObservabilityStack } from './stacks/observability-stack.ts';
import { TimersStack } from './stacks/timers-stack.ts';

export interface WsoApp {
  readonly app: App;
  readonly config: AppConfig;
  readonly names: ResourceNames;
  readonly data: DataStack;
  readonly timers: TimersStack;
  readonly events: EventsStack;
  readonly api: ApiStack;
  readonly observability: ObservabilityStack;
}

export interface CreateAppOptions {
  /** Passed to `new App(...)`; tests use it for context and an output directory. */
  readonly appProps?: AppProps;
  /** Register the cdk-nag packs as validation plugins (synthesis fails on findings). Default true. */
  readonly compliance?: boolean;
}

/**
 * The whole platform, one stack per responsibility. References only flow one way
 * (Data → Timers → Events → Api → Observability), so CloudFormation can deploy them in that order.
 * The stacks are environment-agnostic (no account or Region at synth time, no lookups) and every
 * ARN is built from the AWS::Partition pseudo parameter, so the same templates deploy in aws and
 * aws-us-gov.
 */
export function createWsoApp(options: CreateAppOptions = {}): WsoApp {
  const app = new App(options.appProps);
  const config = readConfig(app.node);
  const names = resourceNames(config.stage);
  const stackName = (suffix: string): string => `${names.stackPrefix}-${suffix}`;
  const tags = { application: 'wso-custody', stage: config.stage };

  const data = new DataStack(app, 'Data', {
    stackName: stackName('data'),
    description: 'WSO custody: table, keys, backups',
    names,
    config,
    tags,
    terminationProtection: true,
  });
  const timers = new TimersStack(app, 'Timers', {
    stackName: stackName('timers'),
    description: 'WSO custody: hold timers (Scheduler group and role, hold-timer, sweeper, failure queues)',
    names,
    config,
    table: data.table,
    dataKey: data.dataKey,
    logsKey: data.logsKey,
    tags,
  });
  const events = new EventsStack(app, 'Events', {
    stackName: stackName('events'),
    description: 'WSO custody: change stream function, webhook delivery queue and sender',
    names,
    config,
    table: data.table,
    dataKey: data.dataKey,
    logsKey: data.logsKey,
    webhookSecretsKey: data.webhookSecretsKey,
    schedules: timers.scheduleTarget,
    tags,
  });
  const api = new ApiStack(app, 'Api', {
    stackName: stackName('api'),
    description: 'WSO custody: REST API, authorizer, usage plan, WAF',
    names,
    config,
    table: data.table,
    dataKey: data.dataKey,
    logsKey: data.logsKey,
    webhookSecretsKey: data.webhookSecretsKey,
    schedules: timers.scheduleTarget,
    webhookQueue: events.webhookQueue,
    tags,
  });
  // The admin API (audit routes: state-oversight, platform-admin) lists and verifies checkpoints: read-only access to the archive and the public key.
  events.auditSealer.grantReader(api.adminApiFunction.role, api.adminApiFunction.function, data.dataKey);
  const observability = new ObservabilityStack(app, 'Observability', {
    stackName: stackName('observability'),
    description: 'WSO custody: alarms, alarm topic, dashboard',
    names,
    config,
    stage: api.api.deploymentStage,
    functions: {
      api: api.apiFunction.function,
      adminApi: api.adminApiFunction.function,
      authorizer: api.authorizerFunction.function,
      holdTimer: timers.holdTimer.function,
      sweeper: timers.sweeper.function,
      stream: events.streamFunction.function,
      webhookSender: events.webhookSender.function,
    },
    schedulerDlq: timers.schedulerDlq,
    holdTimerFailures: timers.holdTimerFailures,
    streamFailures: events.streamFailures,
    webhookQueue: events.webhookQueue,
    webhookDlq: events.webhookDlq,
    table: data.table,
    ...(api.firewall === undefined ? {} : { webAclName: names.webAcl }),
    tags,
  });

  observability.alarms.push(
    ...events.auditSealer.alarmsIn(
      observability,
      new SnsAction(observability.alarmTopic),
      observability.dashboard,
    ),
    ...timers.dailyJobs.alarmsIn(
      observability,
      names.stackPrefix,
      new SnsAction(observability.alarmTopic),
      observability.dashboard,
    ),
  );

  // Only the stacks whose functions call AWS: they would fail at run time without FIPS endpoints.
  if (config.fipsEndpoints) for (const stack of [timers, events, api]) requireFipsRegion(stack);
  if (options.compliance ?? true) applyCompliancePacks(app);
  return { app, config, names, data, timers, events, api, observability };
}
