/**
 * Vietnam civil time (UTC+7 all year, no daylight saving): a document's issue date, register
 * years, edXML dates and times on signatures are all in it, never in UTC. In main/api (pure
 * TS) so the engines, the CLI and the renderer share one definition of "today in Vietnam".
 */
import { z } from 'zod';

const OFFSET_MS = 7 * 3600_000;

/** A Date whose UTC fields (getUTCFullYear...) read the wall clock in Vietnam at `at`. */
export function vnWallClock(at: Date): Date {
  return new Date(at.getTime() + OFFSET_MS);
}

/** The calendar year in Vietnam at `at` (a document arriving 31 Dec 18:00 UTC is in the next year). */
export function vnYear(at: Date): number {
  return vnWallClock(at).getUTCFullYear();
}

/** The calendar date in Vietnam at `at`, `YYYY-MM-DD` (after 17:00 UTC it is already tomorrow). */
export function vnDate(at: Date = new Date()): string {
  return vnWallClock(at).toISOString().slice(0, 10);
}

/** ISO 8601 with the Vietnam offset, e.g. `2026-11-22T09:15:02+07:00`. */
export function vnIso(at: Date): string {
  return vnWallClock(at).toISOString().replace(/\.\d{3}Z$/, '+07:00');
}

const calendarDate = z.iso.date();

/** True for `YYYY-MM-DD` naming a day that exists (not 2026-02-30): the contract's calendarDateSchema. */
export function isCalendarDate(s: string): boolean {
  return calendarDate.safeParse(s).success;
}
