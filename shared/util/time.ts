/** Time helpers shared by schemas, domain and adapters. All instants are UTC. */

/** RFC 3339 UTC with `Z`, second precision, as the API contract writes times. */
export const toIsoSeconds = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

const DURATION = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/** Parses the day-time subset of ISO 8601 durations (`P2D`, `PT48H`, `PT1H30M`, `PT0.5S`) to milliseconds. */
export function parseIsoDuration(text: string): number | undefined {
  const match = DURATION.exec(text);
  if (!match || text === 'P' || text.endsWith('T')) return undefined;
  const [, days, hours, minutes, seconds] = match;
  const ms =
    Number(days ?? 0) * 86_400_000 +
    Number(hours ?? 0) * 3_600_000 +
    Number(minutes ?? 0) * 60_000 +
    Number(seconds ?? 0) * 1000;
  return Number.isFinite(ms) ? Math.round(ms) : undefined;
}

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
