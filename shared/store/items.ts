/** Small helpers for reading items back and writing parts of them. */

/** The attributes every item carries for the table itself (keys and the entity name). */
export const TABLE_ATTRIBUTES = ['pk', 'sk', 'entity'] as const;

/**
 * An item read back without the named attributes (the table's keys, index keys, TTL, ...). Items
 * are only ever written by the module that reads them, from values its zod schemas produced, so
 * the shape is known.
 */
export function withoutAttributes<T>(item: Record<string, unknown>, names: readonly string[]): T {
  const drop = new Set(names);
  return Object.fromEntries(Object.entries(item).filter(([name]) => !drop.has(name))) as T;
}

/** An item read back, without the table's keys and the `type` and `tenantId` it is stored with. */
export function fromItem<T>(item: Record<string, unknown>): T {
  return withoutAttributes<T>(item, ['pk', 'sk', 'type', 'tenantId']);
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
