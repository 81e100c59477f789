import * as z from 'zod';
import { limitQuery, nextTokenQuery } from './common.ts';

/** `?limit=&nextToken=`: the contract's paging for every list. */
export const listQuery = z.strictObject({
  limit: limitQuery.meta({ description: 'Items per page (1 to 100)' }),
  nextToken: nextTokenQuery.meta({ description: 'The nextToken of the previous page, as given' }),
});

export type ListQuery = z.infer<typeof listQuery>;

/** One page of a list; `nextToken` is present while more items follow. */
export const pageOf = <T extends z.ZodType>(item: T, id: string) =>
  z
    .object({
      items: z.array(item),
      nextToken: z.string().optional().meta({ description: 'Pass as ?nextToken= for the next page' }),
    })
    .meta({ id });
