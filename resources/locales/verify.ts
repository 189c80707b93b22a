import type { MessageBundle } from './types.js';

/** Messages of the verify domain. */
export const verify: MessageBundle = {
  vi: {},
  en: {},
};
