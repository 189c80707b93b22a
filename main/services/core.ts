/**
 * Composition of the core services behind the contract. Both transports (Electron IPC in
 * main/shell, WebSocket in main/host) create one Core, passing in their answers to the shell
 * operations, and dispatch into it. The handler map is total (the compiler proves every
 * contract id has a handler) and frozen once built.
 */
import path from 'node:path';
import type { Lang } from '../../resources/locales/index.js';
import { mkdirPrivate } from '../files/private.js';
import { createAppHandlers, type AppState } from './app-handlers.js';
import { dispatch } from './dispatch.js';
import { EventBus } from './events.js';
import { createExchangeService } from './exchange-handlers.js';
import { createFileHandlers } from './file-handlers.js';
import { createTokenService, MODULE_PATHS_SETTING } from './token-handlers.js';
import { createSignService } from './sign-handlers.js';
import { createProvisionHandlers } from './provision-handlers.js';
import { createVerifyHandlers } from './verify-handlers.js';
import { openStore } from '../store/index.js';
import { OpenGuard } from './open-guard.js';
import { KEEP_SESSION_SETTING, keepMinutesOf } from './token-session.js';
import { createAppService } from '../local-service/app-service.js';
import type { Handlers, ServiceContext, ShellHandlers } from './types.js';
import type { Result } from '../api/index.js';
import type { TokenManager } from '../../native/token-manager.js';
import type { ProcessLauncher } from '../../native/bridge/launcher.js';

/** Options for creating the core. */
export interface CoreOptions {
  host: 'electron' | 'browser';
  home: string;
  lang: Lang;
  /** How token bridge processes start: Electron's utilityProcess in the app, fork elsewhere. */
  launcher?: ProcessLauncher;
  /** The transport's dialogs and OS opener (main/shell/dialogs.ts, main/host/shell-fallback.ts). */
  shell: ShellHandlers;
}

/** The running core: call operations, subscribe to events, close. */
export interface Core {
  readonly state: AppState;
  readonly bus: EventBus;
  /** One handler per contract id, frozen. */
  readonly handlers: Readonly<Handlers>;
  /** The token bridge (signers for the sign/exchange services come from here). */
  readonly tokens: TokenManager;
  /** Runs one contract call; always resolves to an envelope. */
  call(id: string, input: unknown): Promise<Result<unknown>>;
  /** Releases tokens, databases and timers. */
  close(): Promise<void>;
}

/** Creates the core services for one app instance. */
export async function createCore(options: CoreOptions): Promise<Core> {
  mkdirPrivate(options.home);
  const state: AppState = { host: options.host, home: options.home, lang: options.lang };
  const bus = new EventBus();
  const closers: Array<() => Promise<void> | void> = [];
  const store = openStore(options.home);
  closers.push(() => store.close());
  const tokens = createTokenService(
    (e, p) => bus.emit(e, p),
    options.launcher ? { launcher: options.launcher } : {},
    () => {
      const v = store.settings.get(MODULE_PATHS_SETTING);
      return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
    },
    () => keepMinutesOf(store.settings.get(KEEP_SESSION_SETTING)),
  );
  closers.push(() => tokens.close());
  // shell:openPath opens only documents Kyso wrote: received ones, and this session's outputs.
  const opener = new OpenGuard([path.join(options.home, 'inbox')]);
  // A signing job needs a login made for it; the token is logged out after it (issue 15.10).
  const signing = createSignService(tokens.manager, process.env, { onWritten: (f) => opener.allowFile(f), sessions: tokens.sessions });
  closers.push(() => signing.close());
  const exchange = createExchangeService(store, { home: options.home, emit: (e, p) => bus.emit(e, p), tokens: tokens.manager });
  closers.push(() => exchange.close());
  const files = createFileHandlers(options.home);
  closers.push(() => files.close());
  // The local signing service for web pages (issue 11): its own token bridge, started when enabled.
  const localService = createAppService({
    home: options.home, settings: store.settings, lang: () => state.lang, emit: (e, p) => bus.emit(e, p),
    ...(options.launcher ? { launcher: options.launcher } : {}),
    userModules: () => {
      const v = store.settings.get(MODULE_PATHS_SETTING);
      return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
    },
  });
  closers.push(() => localService.close());
  const verify = createVerifyHandlers(options.home);
  const handlers: Handlers = Object.freeze({
    ...createAppHandlers(state),
    ...tokens.handlers,
    ...signing.handlers,
    ...createProvisionHandlers(tokens.manager, options.home),
    ...files.handlers,
    ...verify,
    'verify:exportReport': opener.recording(verify['verify:exportReport']),
    ...exchange.handlers,
    ...localService.handlers,
    ...opener.guard(options.shell),
  });
  const ctx = (): ServiceContext => ({ lang: state.lang, emit: (e, p) => bus.emit(e, p) });
  void localService.startIfEnabled();
  return {
    state,
    bus,
    handlers,
    tokens: tokens.manager,
    call: (id, input) => dispatch(handlers, id, input, ctx()),
    close: async () => {
      for (const c of closers.reverse()) await c();
    },
  };
}
