/**
 * How a bridge process is started. Plain Node, the CLI and tests use child_process.fork; the
 * Electron shell passes a launcher built on utilityProcess.fork with the same shape.
 */
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** A running bridge process, as the client sees it. */
export interface BridgeProcess {
  readonly pid: number | undefined;
  send(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  /** Called once when the process ends, whatever the reason. */
  onExit(listener: (code: number | null, signal: string | null) => void): void;
  kill(): void;
}

/** Starts the worker script with an explicit environment. */
export interface ProcessLauncher {
  launch(env: NodeJS.ProcessEnv): BridgeProcess;
}

/** Path of the worker entry: the .ts source under tsx/vitest, else the compiled worker.js. */
export function workerEntry(): { file: string; execArgv: string[] } {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.ts')) {
    // Resolve tsx from this package, not from the caller's working directory.
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    return { file: here.replace(/launcher\.ts$/, 'worker.ts'), execArgv: ['--import', tsx] };
  }
  // Compiled: worker.js sits beside this file (dist/native/bridge/), or beside the shared
  // chunk this code was bundled into (dist/cli/).
  return { file: path.join(path.dirname(here), 'worker.js'), execArgv: [] };
}

/** Exit listeners called exactly once, whether 'exit', 'error' or both fire. */
export function exitFanout() {
  let exited = false;
  const listeners: Array<(code: number | null, signal: string | null) => void> = [];
  return {
    get exited() {
      return exited;
    },
    fire(code: number | null, signal: string | null): void {
      if (exited) return;
      exited = true;
      for (const l of listeners) l(code, signal);
    },
    add(l: (code: number | null, signal: string | null) => void): void {
      listeners.push(l);
    },
  };
}

/** The child_process.fork launcher. */
export const forkLauncher: ProcessLauncher = {
  launch(env) {
    const { file, execArgv } = workerEntry();
    // stdio 'ignore' for stdout: a driver printing to stdout must not reach the CLI's JSON output.
    const child = fork(file, [], { env, execArgv, stdio: ['ignore', 'ignore', 'inherit', 'ipc'], serialization: 'json' });
    const exit = exitFanout();
    child.on('exit', (code, signal) => exit.fire(code, signal));
    child.on('error', () => exit.fire(null, 'error'));
    return {
      pid: child.pid,
      send: (m) => {
        if (child.connected) child.send(m as object);
      },
      onMessage: (l) => child.on('message', l),
      onExit: (l) => exit.add(l),
      kill: () => {
        child.kill('SIGKILL');
      },
    };
  },
};
