import { randomBytes } from 'node:crypto';
import { monotonicFactory } from 'ulidx';
import type { Clock } from './clock.ts';

/**
 * ULIDs: short (26 chars, fits a 64-char Scheduler name), globally unique and sortable by creation
 * time, so "newest first" is a key-ordered Query. The time part comes from the injected clock.
 */
export interface IdGenerator {
  next(): string;
}

export const ulidGenerator = (clock: Clock): IdGenerator => {
  const factory = monotonicFactory();
  return { next: () => factory(clock.now().getTime()) };
};

/** An unguessable secret (API keys, webhook secrets): 32 random bytes, base64url. */
export const randomSecret = (bytes = 32): string => randomBytes(bytes).toString('base64url');
