/** The AppApi the screens talk to, provided once at the root. */
import { createContext, useContext } from 'react';
import type { AppApi } from '../../../main/api/index.js';

/** Context holding the connected AppApi. */
export const ApiContext = createContext<AppApi | null>(null);

/** The connected AppApi (throws outside the provider: a programming error). */
export function useApi(): AppApi {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi outside ApiContext');
  return api;
}
