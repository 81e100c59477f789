import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type { AnyRoute } from '../../shared/http/route.ts';
import { acknowledge } from '../compliance.ts';

/** Which of the two functions serves a route (functions/api/split.ts). */
export type ServingFunction = 'tenant' | 'admin';

/** One resource of the API Gateway tree: the route table's paths and their ancestors. */
export interface RouteNode {
  /** `/v1/tenants/{tenantId}`; the root is `/`. */
  readonly path: string;
  /** Routes whose path is exactly this one. */
  readonly routes: AnyRoute[];
  readonly children: Map<string, RouteNode>;
  /** Every route at or below this path, in the whole table. */
  readonly below: AnyRoute[];
}

export interface RoutePlanOptions {
  /** The whole route table (functions/api/routes/index.ts). */
  readonly routes: readonly AnyRoute[];
  readonly servedBy: (route: AnyRoute) => ServingFunction;
}

const PROXY = '{proxy+}';
const isVariable = (part: string): boolean => part.startsWith('{');

/**
 * The resources API Gateway needs so that each request reaches the function serving its route:
 * every path with an admin route or a public route (public methods skip the authorizer), with its
 * ancestors. Every other path falls to a `{proxy+}` catch-all, so the tenant function keeps routing
 * (and answering 404/405 for) everything else itself. Paths are matched by API Gateway most
 * specific first, so the explicit resources win over the catch-alls.
 */
export function planRouteTree(options: RoutePlanOptions): RouteNode {
  const root: RouteNode = { path: '/', routes: [], children: new Map(), below: [...options.routes] };
  const explicit = options.routes.filter(
    (route) => route.access === 'public' || route.page === true || options.servedBy(route) === 'admin',
  );
  for (const route of explicit) {
    let node = root;
    for (const part of route.path.split('/').filter((p) => p !== '')) {
      let child = node.children.get(part);
      if (!child) {
        const path = `${node.path === '/' ? '' : node.path}/${part}`;
        child = {
          path,
          routes: [],
          children: new Map(),
          below: options.routes.filter((r) => r.path === path || r.path.startsWith(`${path}/`)),
        };
        node.children.set(part, child);
      }
      node = child;
    }
    node.routes.push(route);
  }
  return root;
}

/**
 * The function that answers what no explicit method of a resource covers (other methods, deeper
 * unknown paths): the admin function where every route at or below is its own, else the tenant one.
 */
export function fallbackOf(node: RouteNode, servedBy: (route: AnyRoute) => ServingFunction): ServingFunction {
  return node.below.length > 0 && node.below.every((route) => servedBy(route) === 'admin')
    ? 'admin'
    : 'tenant';
}

export interface RouteIntegrations {
  readonly tenant: apigateway.Integration;
  readonly admin: apigateway.Integration;
  readonly authorized: apigateway.MethodOptions;
  /** HTML pages (`page: true`): the session-cookie authorizer (issue 18). */
  readonly page: apigateway.MethodOptions;
  readonly servedBy: (route: AnyRoute) => ServingFunction;
}

/**
 * Builds the planned tree under the REST API root: each route's own method to its function (public
 * ones without the authorizer), `ANY` on every resource to its fallback function, and a `{proxy+}`
 * catch-all beneath every resource that has no path variable child (API Gateway allows one variable
 * child per resource).
 */
export function addRouteTree(
  root: apigateway.IResource,
  plan: RouteNode,
  integrations: RouteIntegrations,
): void {
  const build = (resource: apigateway.IResource, node: RouteNode): void => {
    const fallback = integrations[fallbackOf(node, integrations.servedBy)];
    for (const route of node.routes) {
      const integration = integrations[integrations.servedBy(route)];
      if (route.access === 'public') {
        const method = resource.addMethod(route.method, integration, {
          authorizationType: apigateway.AuthorizationType.NONE,
          apiKeyRequired: false,
        });
        acknowledge(
          method,
          'AwsSolutions-APIG4',
          `${route.method} ${route.path} is public by contract (API.md): ${route.summary}. It reads no ` +
            'tenant or person data.',
        );
      } else {
        resource.addMethod(
          route.method,
          integration,
          route.page ? integrations.page : integrations.authorized,
        );
      }
    }
    resource.addMethod('ANY', fallback, integrations.authorized);
    const parts = [...node.children.keys()];
    if (!parts.some(isVariable))
      resource.addResource(PROXY).addMethod('ANY', fallback, integrations.authorized);
    for (const [part, child] of node.children) build(resource.addResource(part), child);
  };
  build(root, plan);
}
