/** Use cases of the app frame: `app:info`, `app:setLang`. */
import { appVersion } from './paths.js';
import type { HandlersFor } from './types.js';
import type { Lang } from '../../resources/locales/index.js';

/** State the app handlers read and change. */
export interface AppState {
  host: 'electron' | 'browser';
  home: string;
  lang: Lang;
}

/** Handlers for the app domain. */
export function createAppHandlers(state: AppState): HandlersFor<'app:info' | 'app:setLang'> {
  return {
    'app:info': async () => ({
      name: 'Kyso',
      version: appVersion(),
      host: state.host,
      platform: process.platform,
      lang: state.lang,
      home: state.home,
      coreTime: new Date().toISOString(),
    }),
    'app:setLang': async ({ lang }, ctx) => {
      state.lang = lang;
      ctx.emit('app:lang', { lang });
      return { lang };
    },
  };
}
