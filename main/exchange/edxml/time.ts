/** edXML dates and timestamps are written in Vietnam time (UTC+7, no daylight saving). */

const VN_OFFSET_MS = 7 * 3600_000;
const pad = (n: number) => String(n).padStart(2, '0');

/** `yyyy/MM/dd HH:mm:ss` in Vietnam time. */
export function formatEdxmlTimestamp(d: Date = new Date()): string {
  const v = new Date(d.getTime() + VN_OFFSET_MS);
  return `${v.getUTCFullYear()}/${pad(v.getUTCMonth() + 1)}/${pad(v.getUTCDate())} ${pad(v.getUTCHours())}:${pad(v.getUTCMinutes())}:${pad(v.getUTCSeconds())}`;
}

/** `yyyy/MM/dd` in Vietnam time. */
export function formatEdxmlDate(d: Date = new Date()): string {
  return formatEdxmlTimestamp(d).slice(0, 10);
}
