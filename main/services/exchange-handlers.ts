/** Use cases of the exchange domain behind the contract: settings, sending, inbox, registers. */
import type { Store } from '../store/index.js';
import type { HandlerMap } from './types.js';

/** Handlers for settings:* (and, below, exchange:*) over the local store. */
export function createExchangeHandlers(store: Store): HandlerMap {
  return {
    'settings:get': async ({ prefix }) => ({ values: store.settings.all(prefix) }),
    'settings:set': async ({ key, value }, ctx) => {
      store.settings.set(key, value);
      ctx.emit('settings:changed', { key, value });
      return { key, value };
    },
  };
}
