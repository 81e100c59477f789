import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Stored ahead of the clock by this much, so a kill between two saves never loses time that was shown. */
export const CLOCK_LEASE_MS = 2_000;

/**
 * The virtual clock kept with the data (`<dataDir>/clock.json`), so a restart on kept data resumes
 * it instead of falling back to real time: data written at a virtual time ahead of real time would
 * otherwise lie in the clock's future. Writes are atomic (write, then rename), so a SIGKILL leaves
 * the previous or the new value, never a torn file.
 */
export class ClockFile {
  private readonly file: string;
  private saved = Number.NEGATIVE_INFINITY;

  constructor(dataDir: string) {
    mkdirSync(dataDir, { recursive: true });
    this.file = join(dataDir, 'clock.json');
  }

  /** The stored time, or undefined for a first start (or an unreadable file, said on stderr). */
  load(): Date | undefined {
    if (!existsSync(this.file)) return undefined;
    try {
      const { now } = JSON.parse(readFileSync(this.file, 'utf8')) as { now?: unknown };
      const at = typeof now === 'string' ? Date.parse(now) : Number.NaN;
      if (Number.isFinite(at)) return new Date(at);
    } catch {
      // fall through
    }
    console.error(`local runtime: ${this.file} is unreadable; the clock starts at the real time`);
    return undefined;
  }

  /**
   * Stores `at` unless a later time is stored already: a tick that read the clock just before a
   * jump must not overwrite the jump's write-ahead. `final` (a clean stop) stores the exact time.
   */
  save(at: Date, final = false): void {
    if (!final && at.getTime() <= this.saved) return;
    this.saved = at.getTime();
    const temporary = `${this.file}.tmp`;
    writeFileSync(temporary, `${JSON.stringify({ now: at.toISOString() })}\n`);
    renameSync(temporary, this.file);
  }
}

/** Where a clock resumes on kept data: never before the stored time, never before real time. */
export const resumeAt = (stored: Date | undefined, realNow: Date): Date =>
  stored && stored.getTime() > realNow.getTime() ? stored : realNow;
