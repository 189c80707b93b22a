import type { MessageBundle } from './types.js';

/** Messages of the ui domain. */
export const ui: MessageBundle = {
  vi: {},
  en: {},
};
