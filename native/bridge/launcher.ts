/**
 * How a bridge process is started. Plain Node, the CLI and tests use child_process.fork; the
 * Electron shell passes a launcher built on utilityProcess.fork with the same shape.
 */
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isSecretEnv } from './secret-env.js';

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

/**
 * The environment a bridge process starts with: the caller's, minus secrets (PIN variables,
 * TSA credentials: secret-env.ts) and NODE_EXTRA_CA_CERTS. The worker opens no TLS
 * connection, and Node parses that CA bundle at start-up (about 40 ms on Debian's full
 * bundle), which every `kyso sign` would wait for.
 */
export function workerEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env)) if (k !== 'NODE_EXTRA_CA_CERTS' && !isSecretEnv(k)) out[k] = v;
  return out;
}

/** Exit listeners called exactly once, whether 'exit', 'error' or both fire (or already fired). */
export function exitFanout() {
  let exit: [number | null, string | null] | undefined;
  const listeners: Array<(code: number | null, signal: string | null) => void> = [];
  return {
    get exited() {
      return exit !== undefined;
    },
    fire(code: number | null, signal: string | null): void {
      if (exit) return;
      exit = [code, signal];
      for (const l of listeners) l(code, signal);
    },
    add(l: (code: number | null, signal: string | null) => void): void {
      if (exit) l(...exit);
      else listeners.push(l);
    },
  };
}

/** Forks one worker; `held` false leaves it out of the event loop until it is adopted. */
function forkWorker(env: NodeJS.ProcessEnv, held: boolean): { proc: BridgeProcess; hold(): void } {
  const { file, execArgv } = workerEntry();
  // stdio 'ignore' for stdout: a driver printing to stdout must not reach the CLI's JSON output.
  const child = fork(file, [], { env, execArgv, stdio: ['ignore', 'ignore', 'inherit', 'ipc'], serialization: 'json' });
  const exit = exitFanout();
  child.on('exit', (code, signal) => exit.fire(code, signal));
  child.on('error', () => exit.fire(null, 'error'));
  const hold = () => {
    child.ref();
    child.channel?.ref();
  };
  if (!held) {
    child.unref();
    child.channel?.unref();
  }
  const proc: BridgeProcess = {
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
  return { proc, hold };
}

const envKey = (env: NodeJS.ProcessEnv) => JSON.stringify(Object.entries(env).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
const prewarmed: Array<{ key: string; proc: BridgeProcess; hold(): void }> = [];

/**
 * Starts a worker now, so that its Node start-up overlaps the caller's own module loading
 * (`kyso sign`); the next fork launch with the same environment adopts it. One not adopted
 * does not keep the process alive and is killed at exit. Returns its pid.
 */
export function prewarmWorker(env: NodeJS.ProcessEnv): number | undefined {
  if (!prewarmed.length) process.once('exit', () => prewarmed.splice(0).forEach((w) => w.proc.kill()));
  const w = forkWorker(env, false);
  prewarmed.push({ key: envKey(env), ...w });
  return w.proc.pid;
}

/** The child_process.fork launcher. */
export const forkLauncher: ProcessLauncher = {
  launch(env) {
    const i = prewarmed.findIndex((w) => w.key === envKey(env));
    if (i >= 0) {
      const [w] = prewarmed.splice(i, 1);
      w!.hold();
      return w!.proc;
    }
    return forkWorker(env, true).proc;
  },
};
