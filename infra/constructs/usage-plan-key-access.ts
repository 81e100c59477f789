import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
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
export function grantUsagePlanKeyManagement(role: iam.Role, usagePlanId: string): void {
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'CreateUsagePlanKeys',
      actions: ['apigateway:POST'],
      resources: [
        apiGatewayResourceArn(role, '/apikeys'),
        apiGatewayResourceArn(role, `/usageplans/${usagePlanId}/keys`),
      ],
    }),
  );
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'DeleteApiKeys',
      actions: ['apigateway:DELETE'],
      resources: [apiGatewayResourceArn(role, '/apikeys/*')],
    }),
  );
  acknowledge(
    role,
    'AwsSolutions-IAM5',
    'API Gateway generates the id of each API key when key issuance creates it, one per issued ' +
      'credential, so the ids cannot be listed in advance; only DELETE is granted on /apikeys/*, ' +
      'and the id to delete comes from our own key record.',
    ['Resource::arn:<AWS::Partition>:apigateway:<AWS::Region>::/apikeys/*'],
  );
}
