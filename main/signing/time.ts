/** Time formats of signatures: PDF dates for /M and ISO 8601 in Vietnam time (+07:00) for appearances. */

const VN_OFFSET_MIN = 7 * 60;

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

function shifted(date: Date, offsetMin: number): Date {
  return new Date(date.getTime() + offsetMin * 60_000);
}

/** `D:YYYYMMDDHHmmss+07'00'` in the given offset (default Vietnam time). */
export function pdfDate(date: Date, offsetMin = VN_OFFSET_MIN): string {
  const d = shifted(date, offsetMin);
  const sign = offsetMin >= 0 ? '+' : '-';
  const a = Math.abs(offsetMin);
  return `D:${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}${sign}${pad(Math.floor(a / 60))}'${pad(a % 60)}'`;
}

/** ISO 8601 with seconds and the +07:00 zone, e.g. `2026-11-22T09:15:02+07:00` (Decree 30). */
export function isoVietnam(date: Date): string {
  const d = shifted(date, VN_OFFSET_MIN);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}+07:00`;
}

/** `dd/mm/yyyy` in Vietnam time (dates on stamps). */
export function dateVietnam(date: Date): string {
  const d = shifted(date, VN_OFFSET_MIN);
  return `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${d.getUTCFullYear()}`;
}

/** `dd/mm/yyyy HH:mm` in Vietnam time: how people read a time on a stamp or in the app. */
export function readableVietnam(date: Date): string {
  const d = shifted(date, VN_OFFSET_MIN);
  return `${dateVietnam(date)} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}
