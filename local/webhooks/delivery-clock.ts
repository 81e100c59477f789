import type { Clock } from '../../shared/clock.ts';
import type { ClockDriver } from '../clock-routes.ts';
import type { LocalDeliveryQueue } from './local-delivery-queue.ts';

/** Guards against a queue that keeps producing due times inside the same advance. */
const MAX_STOPS = 10_000;

/**
 * Wraps the timer clock driver so the clock also stops at each webhook retry's due time on the way
 * to `target`: a retry due at T+20 s is sent at T+20 s of virtual time even when the caller jumps
 * 48 hours, as SQS would. (Each stop runs the timers' afterStep, which runs the due deliveries.)
 */
export function withDeliveryStops(
  advance: ClockDriver,
  deliveries: LocalDeliveryQueue,
  clock: Clock,
): ClockDriver {
  return async (target) => {
    for (let stop = 0; stop < MAX_STOPS; stop++) {
      const due = deliveries.nextDueAt()?.getTime();
      if (due === undefined || due > target.getTime()) break;
      // Something already due (enqueued by an API call since the last step) runs at "now".
      await advance(new Date(Math.max(due, clock.now().getTime())));
    }
    await advance(target);
  };
}
