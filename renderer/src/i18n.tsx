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

export { VIETNAM_TZ, formatDate, formatDateTime, formatEdxmlTime, formatIsoDay } from './time.js';
