import type { AnyRoute, HttpMethod } from './route.ts';

/**
 * Matches a request to the route table. Hand-written rather than @middy/http-router because we
 * need 405 for a known path with another method and percent-decoded path parameters, and the
 * table (not the router) is the source of truth for OpenAPI and authorization.
 */
export type RouteMatch =
  | { kind: 'match'; route: AnyRoute; params: Record<string, string> }
  | { kind: 'method-not-allowed'; allowed: HttpMethod[] }
  | { kind: 'not-found' };

interface CompiledRoute {
  route: AnyRoute;
  pattern: RegExp;
  names: string[];
}

export class Router {
  readonly routes: readonly AnyRoute[];
  private readonly compiled: CompiledRoute[];

  constructor(routes: readonly AnyRoute[]) {
    this.routes = routes;
    this.compiled = routes.map(compile);
    assertNoDuplicates(routes);
  }

  match(method: string, path: string): RouteMatch {
    const normalized = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
    const allowed: HttpMethod[] = [];
    for (const { route, pattern, names } of this.compiled) {
      const found = pattern.exec(normalized);
      if (!found) continue;
      if (route.method !== method) {
        allowed.push(route.method);
        continue;
      }
      const params: Record<string, string> = {};
      for (const [index, name] of names.entries()) {
        const raw = found[index + 1] ?? '';
        try {
          params[name] = decodeURIComponent(raw);
        } catch {
          return { kind: 'not-found' };
        }
      }
      return { kind: 'match', route, params };
    }
    return allowed.length > 0 ? { kind: 'method-not-allowed', allowed } : { kind: 'not-found' };
  }
}

function compile(route: AnyRoute): CompiledRoute {
  const names: string[] = [];
  const source = route.path
    .split('/')
    .map((segment) =>
      segment.replace(
        /\{(\w+)\}|([^{}]+)/g,
        (_whole, name: string | undefined, literal: string | undefined) => {
          if (name) {
            names.push(name);
            return '([^/]+?)';
          }
          return (literal ?? '').replace(/[.*+?^$()|[\]\\]/g, '\\$&');
        },
      ),
    )
    .join('/');
  return { route, pattern: new RegExp(`^${source}$`), names };
}

function assertNoDuplicates(routes: readonly AnyRoute[]): void {
  const seen = new Set<string>();
  for (const route of routes) {
    const key = `${route.method} ${route.path}`;
    if (seen.has(key)) throw new Error(`duplicate route ${key}`);
    seen.add(key);
  }
}
