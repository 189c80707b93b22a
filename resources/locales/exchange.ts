import type { MessageBundle } from './types.js';

/** Messages of the exchange domain. */
export const exchange: MessageBundle = {
  vi: {},
  en: {},
};
