/**
 * A ProcessLauncher over Electron's utilityProcess, for the app shell. This file does not
 * import electron (core zone): main/shell passes its `utilityProcess` module in:
 * `new TokenManager({ launcher: utilityLauncher(utilityProcess) })`. The worker listens on
 * `process.parentPort` there; it must be the compiled worker.js (from dist/).
 */
import type { BridgeProcess, ProcessLauncher } from './launcher.js';
import { workerEntry } from './launcher.js';

/** The part of Electron's UtilityProcess (child) the launcher uses. */
export interface UtilityChild {
  readonly pid?: number | undefined;
  postMessage(message: unknown): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
  kill(): boolean;
}

/** The part of Electron's `utilityProcess` module the launcher uses. */
export interface UtilityProcessModule {
  fork(modulePath: string, args?: string[], options?: { env?: NodeJS.ProcessEnv; serviceName?: string; stdio?: 'ignore' | 'inherit' | 'pipe' }): UtilityChild;
}

/** Builds a launcher that starts each bridge as an Electron utility process. */
export function utilityLauncher(up: UtilityProcessModule, entry = workerEntry().file): ProcessLauncher {
  return {
    launch(env): BridgeProcess {
      const child = up.fork(entry, [], { env, serviceName: 'Kyso token bridge', stdio: 'ignore' });
      let exited = false;
      const exitListeners: Array<(code: number | null, signal: string | null) => void> = [];
      child.on('exit', (code) => {
        if (exited) return;
        exited = true;
        for (const l of exitListeners) l(code, null);
      });
      return {
        get pid() {
          return child.pid;
        },
        send: (m) => {
          if (!exited) child.postMessage(m);
        },
        onMessage: (l) => child.on('message', l),
        onExit: (l) => exitListeners.push(l),
        kill: () => {
          child.kill();
        },
      };
    },
  };
}
