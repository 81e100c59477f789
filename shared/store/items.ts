/** Small helpers for reading items back and writing parts of them. */

/**
 * An item read back, without the table's own attributes. Items are only ever written by the
 * module that reads them, from values its zod schemas produced, so the shape is known.
 */
export function fromItem<T>(item: Record<string, unknown>): T {
  const { pk: _pk, sk: _sk, type: _type, tenantId: _tenantId, ...rest } = item;
  return rest as T;
}

export interface UpdateParts {
  UpdateExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Record<string, unknown>;
}

/**
 * An UpdateItem expression that sets each of `fields` (or removes it when undefined), plus any
 * extra SET clauses written with their own names and values. Every field name is aliased, so a
 * DynamoDB reserved word can never break a write.
 */
export function fieldUpdate(
  fields: Record<string, unknown>,
  extra: { clauses: string[]; names?: Record<string, string>; values?: Record<string, unknown> },
): UpdateParts {
  const set = [...extra.clauses];
  const remove: string[] = [];
  const names: Record<string, string> = { ...(extra.names ?? {}) };
  const values: Record<string, unknown> = { ...(extra.values ?? {}) };
  for (const [name, value] of Object.entries(fields)) {
    names[`#f_${name}`] = name;
    if (value === undefined) {
      remove.push(`#f_${name}`);
    } else {
      set.push(`#f_${name} = :f_${name}`);
      values[`:f_${name}`] = value;
    }
  }
  return {
    UpdateExpression: `SET ${set.join(', ')}${remove.length > 0 ? ` REMOVE ${remove.join(', ')}` : ''}`,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}
