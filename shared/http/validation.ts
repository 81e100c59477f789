import type * as z from 'zod';
import { type FieldError, problems } from './problem.ts';

/** Maps zod issues to the contract's `errors: [{path, message}]`, prefixed by where they came from. */
export function toFieldErrors(where: 'body' | 'query' | 'path', error: z.ZodError): FieldError[] {
  return error.issues.flatMap((issue) => {
    const keys = issue.code === 'unrecognized_keys' ? issue.keys : [undefined];
    return keys.map((key) => ({
      path: [where, ...issue.path.map(String), ...(key ? [key] : [])].join('.'),
      message: issue.code === 'unrecognized_keys' ? 'is not a known field' : issue.message,
    }));
  });
}

export function parseOrThrow<S extends z.ZodType>(
  where: 'body' | 'query' | 'path',
  schema: S,
  value: unknown,
): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw problems.validation(toFieldErrors(where, result.error));
  return result.data;
}
