import type { MessageBundle } from './types.js';

/** Messages of the sign domain. */
export const sign: MessageBundle = {
  vi: {},
  en: {},
};
