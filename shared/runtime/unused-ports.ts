import type { HoldTimers } from '../timers/hold-timers.ts';
import type { DeliveryQueue } from '../webhooks/delivery-queue.ts';
import type { SecretBox } from '../webhooks/secret-box.ts';

/** For the ports a function never uses: a call is a wiring bug, and says which. */
const notHere = (port: string, fn: string) => () =>
  Promise.reject(new Error(`the ${fn} function has no ${port}: it never uses it`));

export const noHoldTimers = (fn: string): HoldTimers => ({
  arm: notHere('hold timers', fn),
  disarm: notHere('hold timers', fn),
});

export const noDeliveries = (fn: string): DeliveryQueue => ({ enqueue: notHere('webhook queue', fn) });

export const noWebhookSecrets = (fn: string): SecretBox => ({
  seal: notHere('webhook secrets key', fn),
  open: notHere('webhook secrets key', fn),
});
