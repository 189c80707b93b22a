import type { MessageBundle } from './types.js';

/** Messages of the provision domain. */
export const provision: MessageBundle = {
  vi: {},
  en: {},
};
