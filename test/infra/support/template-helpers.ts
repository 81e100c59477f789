import type { Template } from 'aws-cdk-lib/assertions';

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
}

export interface PolicyStatement {
  readonly Effect: 'Allow' | 'Deny';
  readonly Action?: string | string[];
  readonly NotAction?: string | string[];
  readonly Resource?: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
  readonly Sid?: string;
  readonly Principal?: unknown;
}

export function resourcesOfType(template: Template, type: string): Record<string, CfnResource> {
  return template.findResources(type) as Record<string, CfnResource>;
}

export function onlyResource(template: Template, type: string): [string, CfnResource] {
  const entries = Object.entries(resourcesOfType(template, type));
  if (entries.length !== 1) throw new Error(`expected one ${type}, found ${entries.length}`);
  return entries[0]!;
}

export function props(resource: CfnResource): Record<string, unknown> {
  return resource.Properties ?? {};
}

export function asArray<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/**
 * Renders a CloudFormation value as one string (`{Ref: X}` → `${X}`, Fn::Join joined,
 * Fn::GetAtt → `${X.Attr}`, Fn::ImportValue → `${import:Name}`), so ARNs can be compared as text.
 */
export function render(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value !== 'object' || value === null) return String(value);
  const record = value as Record<string, unknown>;
  if ('Ref' in record) return `\${${String(record.Ref)}}`;
  if ('Fn::GetAtt' in record) return `\${${asArray(record['Fn::GetAtt'] as string[]).join('.')}}`;
  if ('Fn::ImportValue' in record) return `\${import:${render(record['Fn::ImportValue'])}}`;
  if ('Fn::Join' in record) {
    const [separator, parts] = record['Fn::Join'] as [string, unknown[]];
    return parts.map(render).join(separator);
  }
  return JSON.stringify(value);
}

/** Every statement of every identity policy (inline Policy, ManagedPolicy, Role.Policies). */
export function identityStatements(
  template: Template,
): Array<{ logicalId: string; statement: PolicyStatement }> {
  const found: Array<{ logicalId: string; statement: PolicyStatement }> = [];
  const collect = (logicalId: string, document: unknown): void => {
    const statements = (document as { Statement?: PolicyStatement | PolicyStatement[] } | undefined)
      ?.Statement;
    for (const statement of asArray(statements)) found.push({ logicalId, statement });
  };
  for (const type of ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy']) {
    for (const [id, resource] of Object.entries(resourcesOfType(template, type))) {
      collect(id, props(resource).PolicyDocument);
    }
  }
  for (const [id, resource] of Object.entries(resourcesOfType(template, 'AWS::IAM::Role'))) {
    for (const policy of asArray(
      props(resource).Policies as Array<{ PolicyDocument: unknown }> | undefined,
    )) {
      collect(id, policy.PolicyDocument);
    }
  }
  return found;
}

/** Statements of the policies attached to one role (by its logical id). */
export function statementsOfRole(template: Template, roleLogicalId: string): PolicyStatement[] {
  const statements: PolicyStatement[] = [];
  for (const resource of Object.values(resourcesOfType(template, 'AWS::IAM::Policy'))) {
    const roles = asArray(props(resource).Roles as unknown[] | undefined).map(render);
    if (!roles.includes(`\${${roleLogicalId}}`)) continue;
    const document = props(resource).PolicyDocument as { Statement: PolicyStatement[] };
    statements.push(...document.Statement);
  }
  return statements;
}

/** Whether an IAM action pattern (with `*` and `?` wildcards, case-insensitive) covers an action. */
export function actionCovers(pattern: string, action: string): boolean {
  const regex = new RegExp(
    `^${pattern
      .split('')
      .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
      .join('')}$`,
    'i',
  );
  return regex.test(action);
}

/** Whether an Allow statement grants the action (directly, by wildcard, or through NotAction). */
export function allows(statement: PolicyStatement, action: string): boolean {
  if (statement.Effect !== 'Allow') return false;
  if (statement.NotAction !== undefined) {
    return !asArray(statement.NotAction).some((pattern) => actionCovers(pattern, action));
  }
  return asArray(statement.Action).some((pattern) => actionCovers(pattern, action));
}
