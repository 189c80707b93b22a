/** Vietnam civil time (UTC+7, no daylight saving): registers count years in it, not in UTC. */

const OFFSET_MS = 7 * 3600_000;

/** The calendar year in Vietnam at `at` (a document arriving 31 Dec 18:00 UTC is in the next year). */
export function vnYear(at: Date): number {
  return new Date(at.getTime() + OFFSET_MS).getUTCFullYear();
}

/** ISO 8601 with the Vietnam offset, e.g. `2026-11-22T09:15:02+07:00`. */
export function vnIso(at: Date): string {
  return new Date(at.getTime() + OFFSET_MS).toISOString().replace(/\.\d{3}Z$/, '+07:00');
}
