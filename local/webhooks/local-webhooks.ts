import type { AppDeps } from '../../shared/app-deps.ts';
import type { Clock } from '../../shared/clock.ts';
import { nodeHttpTransport, type WebhookTransport } from '../../shared/webhooks/http-transport.ts';
import { systemResolver } from '../../shared/webhooks/resolve-guard.ts';
import { processDelivery } from '../../shared/webhooks/sender.ts';
import { type WebhookSettings, webhookSettings } from '../../shared/webhooks/settings.ts';
import { LocalDeliveryQueue } from './local-delivery-queue.ts';

export interface LocalWebhooks {
  queue: LocalDeliveryQueue;
  settings: WebhookSettings;
  /** Wires the sender (the same `processDelivery` the Lambda runs) once the deps exist. */
  attach(deps: AppDeps): void;
}

/** The local runtime's webhook delivery: the virtual-clock queue and the real HTTP sender. */
export function createLocalWebhooks(
  clock: Clock,
  overrides: Partial<WebhookSettings> = {},
  transport: WebhookTransport = nodeHttpTransport({ resolver: systemResolver }),
): LocalWebhooks {
  const settings = webhookSettings(overrides);
  const queue = new LocalDeliveryQueue(clock, settings);
  return {
    queue,
    settings,
    attach(deps) {
      queue.attach(
        // Each attempt happens at its due time on the virtual clock, as SQS would hand it over then.
        (message, at) =>
          processDelivery({ ...deps, clock: { now: () => at } }, message, { settings, transport }),
        (error, message) =>
          deps.logger.error('webhook delivery failed to process; retried after the visibility timeout', {
            ...message,
            error: error instanceof Error ? error.message : String(error),
          }),
      );
    },
  };
}
