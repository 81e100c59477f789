import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { usagePlanKeyTags } from '../../shared/auth/apigateway-usage-plan-keys.ts';
import { acknowledge } from '../compliance.ts';

/** API Gateway control-plane resources are ARNs without an account: `arn:<partition>:apigateway:<region>::/path`. */
export function apiGatewayResourceArn(role: iam.IRole, path: string): string {
  const stack = Stack.of(role);
  return `arn:${stack.partition}:apigateway:${stack.region}::${path}`;
}

/**
 * What key issuance and revocation need of API Gateway (shared/auth/apigateway-usage-plan-keys.ts),
 * and nothing else: CreateApiKey (POST /apikeys), CreateUsagePlanKey on this one plan
 * (POST /usageplans/<id>/keys) and DeleteApiKey (DELETE /apikeys/<id>). No GET: the function never
 * reads a key value back.
 */
export function grantUsagePlanKeyManagement(role: iam.Role, usagePlanId: string, stage: string): void {
  const tags = usagePlanKeyTags(stage);
  // Issue 19 item 3: a key may only be created carrying exactly the app's and stage's tags
  // (shared/auth/apigateway-usage-plan-keys.ts sets them), and only keys carrying them may be deleted,
  // so this role can neither touch another application's keys nor create untraceable ones.
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'CreateTaggedApiKeys',
      actions: ['apigateway:POST'],
      resources: [apiGatewayResourceArn(role, '/apikeys')],
      conditions: {
        StringEquals: Object.fromEntries(
          Object.entries(tags).map(([key, value]) => [`aws:RequestTag/${key}`, value]),
        ),
        'ForAllValues:StringEquals': { 'aws:TagKeys': Object.keys(tags) },
      },
    }),
  );
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'AddKeysToThisPlan',
      actions: ['apigateway:POST'],
      resources: [apiGatewayResourceArn(role, `/usageplans/${usagePlanId}/keys`)],
    }),
  );
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'DeleteTaggedApiKeys',
      actions: ['apigateway:DELETE'],
      resources: [apiGatewayResourceArn(role, '/apikeys/*')],
      conditions: {
        StringEquals: Object.fromEntries(
          Object.entries(tags).map(([key, value]) => [`aws:ResourceTag/${key}`, value]),
        ),
      },
    }),
  );
  acknowledge(
    role,
    'AwsSolutions-IAM5',
    'API Gateway generates the id of each API key when key issuance creates it, one per issued ' +
      'credential, so the ids cannot be listed in advance; only DELETE is granted on /apikeys/*, ' +
      'only on keys tagged with this application and stage, and the id comes from our own key record.',
    ['Resource::arn:<AWS::Partition>:apigateway:<AWS::Region>::/apikeys/*'],
  );
}
