import type { StreamConsumer } from './app.ts';

/** Every consumer of the change stream, in the order they run. */
export const streamConsumers: readonly StreamConsumer[] = [];
