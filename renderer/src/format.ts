/** Numbers people read: file sizes in KB/MB (Vietnamese decimal comma), never raw byte counts. */
import type { Lang } from '../../resources/locales/index.js';

/** `245 KB`, `1,4 MB` (vi) / `1.4 MB` (en); bytes below 1 KB as `0,8 KB`. */
export function formatSize(bytes: number, lang: Lang): string {
  const n = (v: number, digits: number) => v.toLocaleString(lang === 'vi' ? 'vi-VN' : 'en-GB', { maximumFractionDigits: digits });
  if (bytes >= 1024 * 1024 * 1024) return `${n(bytes / 1024 ** 3, 1)} GB`;
  if (bytes >= 1024 * 1024) return `${n(bytes / 1024 ** 2, 1)} MB`;
  return `${n(Math.max(bytes, 1) / 1024, bytes < 10 * 1024 ? 1 : 0)} KB`;
}
