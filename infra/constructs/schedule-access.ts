import * as iam from 'aws-cdk-lib/aws-iam';
import { acknowledge } from '../compliance.ts';
import { schedulesInGroupArn } from '../naming.ts';

export const SCHEDULE_ACTIONS = [
  'scheduler:CreateSchedule',
  'scheduler:UpdateSchedule',
  'scheduler:DeleteSchedule',
  'scheduler:GetSchedule',
] as const;

export interface ScheduleAccess {
  readonly scheduleGroupName: string;
  readonly schedulerRoleArn: string;
}

/**
 * Lets a function manage the one-shot hold schedules: only schedules of the holds group, and only
 * pass the Scheduler execution role (which itself may only invoke the hold-timer function).
 */
export function grantScheduleManagement(role: iam.Role, access: ScheduleAccess): void {
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'ManageHoldSchedules',
      actions: [...SCHEDULE_ACTIONS],
      resources: [schedulesInGroupArn(role, access.scheduleGroupName)],
    }),
  );
  acknowledge(
    role,
    'AwsSolutions-IAM5',
    'One schedule per open hold is created at run time and named after the hold id, so schedule ' +
      'names cannot be listed in advance; the wildcard is confined to the holds schedule group.',
    [
      `Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/${access.scheduleGroupName}/*`,
    ],
  );
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'PassSchedulerRole',
      actions: ['iam:PassRole'],
      resources: [access.schedulerRoleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
    }),
  );
}
