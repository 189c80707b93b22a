import type { MessageBundle } from './types.js';

/** Messages of the token domain. */
export const token: MessageBundle = {
  vi: {},
  en: {},
};
