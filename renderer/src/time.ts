/** Times and dates as people read them in the app (Vietnam time, day first). */
import type { Lang } from '../../resources/locales/index.js';

/** The time zone people read times in: Vietnam's, whatever the computer is set to. */
export const VIETNAM_TZ = 'Asia/Ho_Chi_Minh';

/**
 * Formats an instant for people: `05/12/2026 09:15` in Vietnam time (seconds on request),
 * day first in both languages; never UTC. ISO 8601 with +07:00 appears only where Decree 30
 * asks for it (on stamps), not in the app.
 */
export function formatDateTime(value: string | number | Date, _lang: Lang, opts: { seconds?: boolean } = {}): string {
  const d = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  const fmt = new Intl.DateTimeFormat('en-GB', {
    day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit',
    ...(opts.seconds ? { second: '2-digit' } : {}), hour12: false, timeZone: VIETNAM_TZ,
  });
  const p = Object.fromEntries(fmt.formatToParts(d).map((x) => [x.type, x.value]));
  return `${p.day}/${p.month}/${p.year} ${p.hour}:${p.minute}${opts.seconds ? `:${p.second}` : ''}`;
}

/** Formats a calendar date only (dd/mm/yyyy, Vietnam time). */
export function formatDate(value: string | number | Date, lang: Lang): string {
  return formatDateTime(value, lang).split(' ')[0] ?? String(value);
}

/** A yyyy-mm-dd date (as registers keep it) as dd/mm/yyyy. */
export function formatIsoDay(day: string | undefined | null): string {
  const m = day ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(day) : null;
  return m ? `${m[3]}/${m[2]}/${m[1]}` : day ?? '';
}

/**
 * An edXML date or time ("2026/12/08", "2026/12/08 03:06:07": the sender's local time, no
 * zone) as people read it: "08/12/2026", "08/12/2026 03:06". Anything else is shown as is.
 */
export function formatEdxmlTime(value: string | undefined | null): string {
  const m = value ? /^(\d{4})\/(\d{2})\/(\d{2})(?: (\d{2}):(\d{2})(?::\d{2})?)?$/.exec(value.trim()) : null;
  if (!m) return value ?? '';
  return `${m[3]}/${m[2]}/${m[1]}${m[4] ? ` ${m[4]}:${m[5]}` : ''}`;
}
