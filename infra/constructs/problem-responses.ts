import * as apigateway from 'aws-cdk-lib/aws-apigateway';

/**
 * Errors API Gateway answers by itself (before the API function runs) in the contract's RFC 9457
 * problem+json shape instead of `{"message": ...}`. Gateway response templates substitute
 * `$context` variables; headers can only be static or copied from the request, so the request id
 * travels in the body here.
 */
const PROBLEM_RESPONSES: ReadonlyArray<{
  type: apigateway.ResponseType;
  title: string;
  /** Omitted for the DEFAULT_* families, whose status varies. */
  status?: number;
}> = [
  { type: apigateway.ResponseType.UNAUTHORIZED, title: 'Unauthorized', status: 401 },
  { type: apigateway.ResponseType.ACCESS_DENIED, title: 'Forbidden', status: 403 },
  { type: apigateway.ResponseType.INVALID_API_KEY, title: 'Forbidden', status: 403 },
  { type: apigateway.ResponseType.WAF_FILTERED, title: 'Forbidden', status: 403 },
  { type: apigateway.ResponseType.MISSING_AUTHENTICATION_TOKEN, title: 'Not Found', status: 404 },
  { type: apigateway.ResponseType.REQUEST_TOO_LARGE, title: 'Content Too Large', status: 413 },
  { type: apigateway.ResponseType.THROTTLED, title: 'Too Many Requests', status: 429 },
  { type: apigateway.ResponseType.QUOTA_EXCEEDED, title: 'Too Many Requests', status: 429 },
  { type: apigateway.ResponseType.DEFAULT_4XX, title: 'Bad Request' },
  { type: apigateway.ResponseType.DEFAULT_5XX, title: 'Internal Server Error' },
];

export function addProblemJsonResponses(api: apigateway.RestApi): void {
  for (const response of PROBLEM_RESPONSES) {
    const status = response.status === undefined ? '' : `"status":${response.status},`;
    api.addGatewayResponse(`Problem${response.type.responseType}`, {
      type: response.type,
      ...(response.status === undefined ? {} : { statusCode: String(response.status) }),
      // API Gateway falls back to the application/json template whatever the client accepts.
      templates: {
        'application/json': `{"type":"about:blank","title":"${response.title}",${status}"detail":$context.error.messageString,"requestId":"$context.requestId"}`,
      },
      responseHeaders: { 'Content-Type': "'application/problem+json'" },
    });
  }
}
