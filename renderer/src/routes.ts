/** The main screens and their navigation labels (message keys). */

/** Screen ids, in navigation order. */
export const screenIds = ['home', 'sign', 'batch', 'verify', 'send', 'inbox', 'registers', 'tokens', 'settings'] as const;
/** One screen id. */
export type ScreenId = (typeof screenIds)[number];

/** Reads the screen from `#/name`; home by default. */
export function screenFromHash(hash: string): ScreenId {
  const name = hash.replace(/^#\/?/, '');
  return (screenIds as readonly string[]).includes(name) ? (name as ScreenId) : 'home';
}
