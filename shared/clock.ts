/**
 * Time is a port: every "now" in the product goes through a Clock, so the local runtime and the
 * tests can move time forward and a 48-hour deadline is testable in milliseconds.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/**
 * A clock that can be advanced or set. `ticking` clocks follow real time from the point they were
 * last moved (the local runtime, so a person at a terminal sees time pass); frozen clocks only move
 * when told to (tests, so every assertion is exact).
 */
export class VirtualClock implements Clock {
  private offsetMs: number;
  private frozenAt: number | undefined;

  constructor(options: { start?: Date; ticking?: boolean } = {}) {
    const start = options.start?.getTime() ?? Date.now();
    this.offsetMs = start - Date.now();
    this.frozenAt = options.ticking ? undefined : start;
  }

  now(): Date {
    return new Date(this.frozenAt ?? Date.now() + this.offsetMs);
  }

  advance(ms: number): Date {
    if (ms < 0) throw new RangeError('the virtual clock only moves forward');
    return this.set(new Date(this.now().getTime() + ms));
  }

  set(at: Date): Date {
    if (this.frozenAt === undefined) this.offsetMs = at.getTime() - Date.now();
    else this.frozenAt = at.getTime();
    return this.now();
  }
}
