/**
 * Use cases of the token domain: list modules/tokens/certificates, log in and out, and forward
 * hot-plug events (`token:changed`) to the event bus. Watching starts with the first list, so
 * no driver is loaded before the user looks at tokens.
 */
import { TokenManager, type TokenManagerOptions } from '../../native/token-manager.js';
import { moduleVendor } from './module-vendor.js';
import type { tokenOperations } from '../api/contract/token.js';
import type { EmitFn, HandlersFor } from './types.js';

/** The token service of one core: its manager, handlers and closer. */
export interface TokenService {
  readonly manager: TokenManager;
  readonly handlers: HandlersFor<keyof typeof tokenOperations>;
  close(): Promise<void>;
}

/** Settings key of the module paths the user adds (Settings screen, one per line). */
export const MODULE_PATHS_SETTING = 'token.modulePaths';

/**
 * Creates the token service; `emit` receives hot-plug events. `userModules` gives the module
 * paths from Settings, read at each listing so a path added there shows up at once.
 */
export function createTokenService(emit: EmitFn, options: TokenManagerOptions = {}, userModules: () => string[] = () => []): TokenService {
  const manager = new TokenManager(options);
  let watching: Promise<void> | undefined;
  const watch = () => {
    watching ??= (async () => {
      manager.onChange((change) => emit('token:changed', change));
      await manager.startWatching();
    })().catch(() => {
      watching = undefined; // retry on the next list
    });
    return watching;
  };
  const handlers: TokenService['handlers'] = {
    'token:list': async ({ modules }) => {
      await manager.setUserModules(userModules());
      for (const m of modules ?? []) manager.client(m);
      const report = (await manager.list()).map((r) => ({ ...r, vendor: moduleVendor(r.path, r.manufacturer) }));
      void watch();
      return { modules: modules?.length ? report.filter((r) => modules.includes(r.path)) : report };
    },
    'token:login': async ({ token, pin }) => {
      await manager.login(token, pin);
      return { loggedIn: true };
    },
    'token:logout': async ({ token }) => {
      await manager.logout(token);
      return { loggedIn: false };
    },
  };
  return { manager, handlers, close: () => manager.close() };
}
