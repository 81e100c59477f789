import { ArnFormat, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { TABLE_DEFAULT_NAME } from '../shared/store/table-definition.ts';

/**
 * Physical names of everything another component must find by name. They are fixed (derived from
 * the stage only) for two reasons: the hold-timer function re-arms its own schedule, so it must know
 * its own ARN without referencing itself; and operators, runbooks and alarms find resources by name.
 */
export interface ResourceNames {
  readonly stackPrefix: string;
  readonly table: string;
  readonly apiFunction: string;
  /** Platform-admin, state-oversight and API-key routes (issue 19): functions/admin-api. */
  readonly adminApiFunction: string;
  readonly authorizerFunction: string;
  readonly holdTimerFunction: string;
  readonly sweeperFunction: string;
  readonly streamFunction: string;
  readonly webhookSenderFunction: string;
  /** The daily jobs (issue 17: retention purge, credential expiry notices) and their schedule's DLQ. */
  readonly dailyJobsFunction: string;
  readonly dailyJobsDlq: string;
  readonly dailyJobsSchedulerRole: string;
  /** Table stream batches that failed every retry (event source mapping on-failure destination). */
  readonly streamFailureQueue: string;
  /** Webhook deliveries to send (shared/webhooks/README.md), and their dead-letter queue. */
  readonly webhookQueue: string;
  readonly webhookDlq: string;
  /** Assumed by the API function with a `tenant` session tag: DynamoDB access pinned to one tenant. */
  readonly tenantDataRole: string;
  /** Exempt from the table's resource policy and allowed to use the data key; holds no policy of its own. */
  readonly breakGlassRole: string;
  /** Every IAM role of the app is named with this prefix; key and table policies name them by it. */
  readonly rolePrefix: string;
  readonly schedulerRole: string;
  readonly backupRole: string;
  /** Scheduler group names: 1 to 64 of [0-9a-zA-Z-_.] (DESIGN.md §9). */
  readonly scheduleGroup: string;
  readonly schedulerDlq: string;
  readonly holdTimerFailureQueue: string;
  readonly restApi: string;
  readonly webAcl: string;
  /** WAF only delivers logs to CloudWatch log groups whose name starts with `aws-waf-logs-`. */
  readonly webAclLogGroup: string;
  readonly alarmTopic: string;
  readonly dashboard: string;
}

export function resourceNames(stage: string): ResourceNames {
  const prefix = `${TABLE_DEFAULT_NAME}-${stage}`;
  return {
    stackPrefix: prefix,
    table: prefix,
    apiFunction: `${prefix}-api`,
    adminApiFunction: `${prefix}-admin-api`,
    authorizerFunction: `${prefix}-authorizer`,
    holdTimerFunction: `${prefix}-hold-timer`,
    sweeperFunction: `${prefix}-sweeper`,
    streamFunction: `${prefix}-stream`,
    webhookSenderFunction: `${prefix}-webhook-sender`,
    dailyJobsFunction: `${prefix}-daily-jobs`,
    dailyJobsDlq: `${prefix}-daily-jobs-dlq`,
    dailyJobsSchedulerRole: `${prefix}-daily-jobs-scheduler`,
    streamFailureQueue: `${prefix}-stream-failures`,
    webhookQueue: `${prefix}-webhooks`,
    webhookDlq: `${prefix}-webhooks-dlq`,
    tenantDataRole: `${prefix}-tenant-data`,
    breakGlassRole: `${prefix}-break-glass`,
    rolePrefix: `${prefix}-`,
    schedulerRole: `${prefix}-scheduler`,
    backupRole: `${prefix}-backup`,
    scheduleGroup: `${prefix}-holds`,
    schedulerDlq: `${prefix}-scheduler-dlq`,
    holdTimerFailureQueue: `${prefix}-hold-timer-failures`,
    restApi: prefix,
    webAcl: `${prefix}-api`,
    webAclLogGroup: `aws-waf-logs-${prefix}`,
    alarmTopic: `${prefix}-alarms`,
    dashboard: prefix,
  };
}

/** ARNs of every role of the app (roles named `<rolePrefix>*`), for `aws:PrincipalArn` conditions. */
export function appRolesArnPattern(scope: IConstruct, names: ResourceNames): string {
  return `arn:${Stack.of(scope).partition}:iam::${Stack.of(scope).account}:role/${names.rolePrefix}*`;
}

export function roleArnFromName(scope: IConstruct, roleName: string): string {
  return `arn:${Stack.of(scope).partition}:iam::${Stack.of(scope).account}:role/${roleName}`;
}

/**
 * The ARN of a function known by name, built in the caller's own stack from its partition, region
 * and account pseudo parameters: no reference to the function resource, so no cycle and no export.
 */
export function functionArnFromName(scope: IConstruct, functionName: string): string {
  return Stack.of(scope).formatArn({
    service: 'lambda',
    resource: 'function',
    resourceName: functionName,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

export function scheduleGroupArnFromName(scope: IConstruct, groupName: string): string {
  return Stack.of(scope).formatArn({
    service: 'scheduler',
    resource: 'schedule-group',
    resourceName: groupName,
  });
}

/** Every schedule inside one group: `arn:<partition>:scheduler:<region>:<account>:schedule/<group>/*`. */
export function schedulesInGroupArn(scope: IConstruct, groupName: string): string {
  return Stack.of(scope).formatArn({
    service: 'scheduler',
    resource: 'schedule',
    resourceName: `${groupName}/*`,
  });
}
