/** Language of the UI: messages from resources/locales, Vietnamese dates with time zone. */
import { createContext, useContext } from 'react';
import { t as translate, type Lang } from '../../resources/locales/index.js';

/** What components read from the language context. */
export interface I18n {
  lang: Lang;
  t(key: string, params?: Record<string, unknown>): string;
  setLang(lang: Lang): void;
}

/** Builds the translator for one language. */
export function makeI18n(lang: Lang, setLang: (l: Lang) => void): I18n {
  return { lang, setLang, t: (key, params) => translate(lang, key, params) };
}

/** The language context (Vietnamese until the core says otherwise). */
export const I18nContext = createContext<I18n>(makeI18n('vi', () => {}));

/** The current language and translator. */
export function useI18n(): I18n {
  return useContext(I18nContext);
}

/**
 * Formats an instant for people: dd/mm/yyyy HH:mm:ss with the local time zone, e.g.
 * `22/11/2026 09:42:50 GMT+7`; English uses the same day-first order.
 */
export function formatDateTime(value: string | number | Date, lang: Lang, timeZone?: string): string {
  const d = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  const fmt = new Intl.DateTimeFormat(lang === 'vi' ? 'vi-VN' : 'en-GB', {
    day: '2-digit', month: '2-digit', year: 'numeric',
    hour: '2-digit', minute: '2-digit', second: '2-digit',
    hour12: false, timeZoneName: 'short', ...(timeZone ? { timeZone } : {}),
  });
  const parts = Object.fromEntries(fmt.formatToParts(d).map((p) => [p.type, p.value]));
  return `${parts.day}/${parts.month}/${parts.year} ${parts.hour}:${parts.minute}:${parts.second} ${parts.timeZoneName ?? ''}`.trim();
}

/** Formats a calendar date only (dd/mm/yyyy). */
export function formatDate(value: string | number | Date, lang: Lang): string {
  return formatDateTime(value, lang).split(' ')[0] ?? String(value);
}
