import { expect } from 'vitest';
import { DomainError } from '../../../shared/errors/catalogue.ts';

/** The slug of the DomainError `work` was refused with (fails the test if it was not refused so). */
export async function refusedWith(work: Promise<unknown>): Promise<string> {
  const error = await work.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(DomainError);
  return (error as DomainError).slug;
}
