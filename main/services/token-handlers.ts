/**
 * Use cases of the token domain: list modules/tokens/certificates, log in and out, the kept
 * signing session (token-session.ts: a token is logged out after each signing job unless the
 * setting keeps it for one certificate), and hot-plug events (`token:changed`) forwarded to the
 * event bus. Watching starts with the first list, so no driver is loaded before the user looks
 * at tokens.
 */
import { TokenManager, type TokenManagerOptions } from '../../native/token-manager.js';
import { moduleVendor } from './module-vendor.js';
import type { tokenOperations } from '../api/contract/token.js';
import { SigningSessions } from './token-session.js';
import type { EmitFn, HandlersFor } from './types.js';

/** The token service of one core: its manager, handlers and closer. */
export interface TokenService {
  readonly manager: TokenManager;
  /** Who may sign without a PIN: the sign service asks it before and after each job. */
  readonly sessions: SigningSessions;
  readonly handlers: HandlersFor<keyof typeof tokenOperations>;
  close(): Promise<void>;
}

/** Settings key of the module paths the user adds (Settings screen, one per line). */
export const MODULE_PATHS_SETTING = 'token.modulePaths';

/**
 * Creates the token service; `emit` receives hot-plug events. `userModules` gives the module
 * paths from Settings, read at each listing so a path added there shows up at once.
 */
export function createTokenService(emit: EmitFn, options: TokenManagerOptions = {}, userModules: () => string[] = () => [], keepMinutes: () => number = () => 0): TokenService {
  const manager = new TokenManager(options);
  const sessions = new SigningSessions(manager, keepMinutes, (kept) => emit('token:session', { kept }));
  let watching: Promise<void> | undefined;
  const watch = () => {
    watching ??= (async () => {
      manager.onChange((change) => {
        if (change.kind === 'removed') sessions.forget(change.module, change.label);
        emit('token:changed', change);
      });
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
      await sessions.login(token, pin);
      return { loggedIn: true };
    },
    'token:logout': async ({ token }) => {
      await sessions.logout(token);
      return { loggedIn: false };
    },
    'token:session': async () => ({ kept: sessions.current(), ready: sessions.ready(), keepMinutes: keepMinutes() }),
    'token:endSession': async () => {
      await sessions.endNow();
      return { kept: null };
    },
  };
  return { manager, sessions, handlers, close: () => manager.close() };
}
